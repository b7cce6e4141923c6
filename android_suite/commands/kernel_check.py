"""``android-suite kernel-check``: a handset's /proc/config.gz against kernel_config fragments."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from android_suite.errors import ConfigError
from android_suite.kernel.config_check import compare, format_report, read_config_file, read_device_config
from android_suite.kernel.fragments import FRAGMENTS_DIR, available_fragments, load_fragment
from android_suite.options import resolve_adb_port, resolve_serial


def run(args: argparse.Namespace) -> int:
    folder = Path(args.fragments_dir) if args.fragments_dir else FRAGMENTS_DIR
    names = args.fragments or available_fragments(folder)
    if args.strict and not args.fragments:
        # The whole set contradicts itself (on vs off, lz4 vs zstd): strict needs a choice.
        raise ConfigError("--strict needs --fragments: the full set contains alternatives that cannot all hold")
    if not names:
        raise ConfigError(f"no fragments in {folder}")
    fragments = [load_fragment(n, folder) for n in names]
    if args.config is not None:
        source = str(args.config)
        config = read_config_file(Path(args.config))
    else:
        serial = _serial(args)
        # Imported here: the device layer pulls in adbutils (slow, and reads the port env at import).
        from android_suite.device.adb import AdbTransport
        from android_suite.device.device import Device

        device = Device(AdbTransport(serial, port=resolve_adb_port(args.adb_port)))
        source = f"/proc/config.gz on {serial}"
        config = read_device_config(device)
    report = compare(fragments, config, source)
    if args.json:
        json.dump(
            {"source": report.source, "ok": report.ok, "rows": [asdict(r) for r in report.rows]}, sys.stdout, indent=2
        )
        print()
    else:
        print(format_report(report))
    return 1 if args.strict and not report.ok else 0


def _serial(args: argparse.Namespace) -> str:
    serial = resolve_serial(args.serial)
    if serial is not None:
        return serial
    from android_suite.device.server import AdbServer

    port = resolve_adb_port(args.adb_port)
    seen = [s for s, state in AdbServer(port=port).devices() if state == "device"]
    listed = ", ".join(seen) or "none"
    raise ConfigError(
        f"name the handset with --serial or $ANDROID_SERIAL (devices on the adb server at {port}: {listed})"
    )
