"""Shell round-trip latency and push throughput to a virtual handset, through the real adb server.

Prints figures (median, p99, MB/s) and the overhead ratio of our device layer
over a bare adbutils call. Run: ``.venv/bin/python benchmarks/adb_roundtrip.py``.
Numbers measure the virtual handset and this machine, not a phone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300, help="shell round trips per figure")
    parser.add_argument("--push-mb", type=int, default=32, help="size of the pushed file (MiB)")
    parser.add_argument("--profile", default="mediatek")
    args = parser.parse_args()

    from android_suite.session import HandsetSession, free_port

    port = free_port()
    os.environ["ANDROID_ADB_SERVER_PORT"] = str(port)  # before adbutils is imported
    import adbutils

    from android_suite.device.adb import AdbTransport
    from android_suite.device.device import Device

    session = HandsetSession(serial=None, adb_port=port, profiles=(args.profile,))
    targets = session.start()
    try:
        serial = targets[0].serial
        device = Device(AdbTransport(serial, port=port))
        raw = adbutils.AdbClient(host="127.0.0.1", port=port).device(serial)
        for _ in range(20):  # warm-up: connections, feature cache
            device.shell(["true"])
            raw.shell2("true", v2=True, timeout=10)

        def timed(fn: object) -> list[float]:
            out = []
            for _ in range(args.calls):
                t0 = time.perf_counter()
                fn()  # type: ignore[operator]
                out.append((time.perf_counter() - t0) * 1000)
            return out

        ours = timed(lambda: device.shell(["true"]))
        bare = timed(lambda: raw.shell2("true", v2=True, timeout=10))
        print(
            f"shell round trip, device layer : median {statistics.median(ours):7.2f} ms   "
            f"p99 {percentile(ours, 99):7.2f} ms   ({args.calls} calls)"
        )
        print(
            f"shell round trip, bare adbutils: median {statistics.median(bare):7.2f} ms   "
            f"p99 {percentile(bare, 99):7.2f} ms"
        )
        print(f"device layer / adbutils (median): {statistics.median(ours) / statistics.median(bare):.2f}x")

        with tempfile.TemporaryDirectory() as tmp:
            blob = Path(tmp) / "blob.bin"
            blob.write_bytes(os.urandom(args.push_mb * 1024 * 1024))
            rates = []
            for _ in range(3):
                t0 = time.perf_counter()
                device.push(blob, "/data/local/tmp/bench.bin", timeout=120)
                rates.append(args.push_mb / (time.perf_counter() - t0))
            pulled = Path(tmp) / "back.bin"
            t0 = time.perf_counter()
            device.pull("/data/local/tmp/bench.bin", pulled, timeout=120)
            pull_rate = args.push_mb / (time.perf_counter() - t0)
            device.shell(["rm", "-f", "/data/local/tmp/bench.bin"])
        print(
            f"push throughput ({args.push_mb} MiB): median {statistics.median(rates):6.1f} MB/s   "
            f"best {max(rates):6.1f} MB/s"
        )
        print(f"pull throughput ({args.push_mb} MiB): {pull_rate:6.1f} MB/s")
    finally:
        session.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
