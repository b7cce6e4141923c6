"""``android-suite demo``: the main job.

Today it brings up the handsets (virtual unless a phone is named), checks
that each answers over the real adb protocol, and writes what it learnt
(DeviceInfo, shell round-trip times) to ``--out``. The A/B kcompressd run,
its report and charts are added on top of this by the workload and report
work; until then the demo says so rather than pretending.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from android_suite.options import DEFAULT_PROFILES, resolve_adb_port, resolve_serial
from android_suite.session import HandsetSession, free_port


def run(args: argparse.Namespace) -> int:
    serial = resolve_serial(args.serial)
    profiles = tuple(args.virtual_profiles or DEFAULT_PROFILES)
    if serial is None:
        port = args.adb_port or free_port()
        # Before the device layer imports adbutils (it reads this at import).
        os.environ["ANDROID_ADB_SERVER_PORT"] = str(port)
    else:
        port = resolve_adb_port(args.adb_port)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    session = HandsetSession(serial=serial, adb_port=port, profiles=profiles)
    where = f"phone {serial}" if serial else f"virtual handsets ({', '.join(profiles)})"
    print(f"[demo] bringing up {where}", flush=True)
    try:
        targets = session.start()
        from android_suite.device.adb import AdbTransport
        from android_suite.device.device import Device

        results = []
        for t in targets:
            dev = Device(AdbTransport(t.serial, port=port))
            info = dev.info()
            times = []
            for _ in range(20):
                start = time.monotonic()
                dev.shell(["true"], timeout=10)
                times.append((time.monotonic() - start) * 1000)
            row = {
                **info.to_dict(),
                "kind": t.kind,
                "boot_id": dev.boot_id(),
                "shell_rtt_ms_median": round(statistics.median(times), 2),
            }
            results.append(row)
            print(
                f"[demo] {t.serial}: {info.model} ({info.soc_vendor} {info.soc_model}), Android "
                f"{info.android_release}, kernel {info.kernel_version}, {t.kind}; "
                f"shell round trip {row['shell_rtt_ms_median']} ms",
                flush=True,
            )
    finally:
        session.stop()
    (out / "devices.json").write_text(json.dumps(results, indent=2))
    lines = ["# android_suite demo", "", f"Handsets: {where}.", ""]
    lines += ["| serial | model | SoC | Android | kernel | kind | shell RTT (ms) |", "|---|---|---|---|---|---|---|"]
    lines += [
        f"| {r['serial']} | {r['model']} | {r['soc_vendor']} {r['soc_model']} | {r['android_release']} "
        f"| {r['kernel_version']} | {r['kind']} | {r['shell_rtt_ms_median']} |"
        for r in results
    ]
    lines += [
        "",
        "Not yet part of the demo: the A/B kcompressd workload, its verdicts and charts "
        "(they arrive with the workload and report work).",
    ]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print(f"[demo] wrote {out / 'devices.json'} and {out / 'summary.md'}")
    print("[demo] the A/B kcompressd run and its charted report are not implemented yet")
    return 0
