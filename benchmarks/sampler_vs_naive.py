"""The streaming sampler against a naive loop of one ``adb shell cat`` per source per tick.

Same sources, same device, one run. Printed for each:

* highest sustainable rate: ticks per second with no pacing at all (every
  source read once per tick);
* timestamp jitter at ``--period`` (default 100 ms): |interval - period|, p50
  and p99. The sampler's ticks are stamped on the device ($EPOCHREALTIME, µs)
  and also measured at arrival on the host; the naive loop has no device stamp
  finer than /proc/uptime's 10 ms, so its tick time is the host midpoint of
  its ``cat /proc/uptime`` call;
* host CPU per sample (this process: adbutils, parsing, the reader thread).

Then the ratio of the rates (target: at least 10x).

``--acceptance`` runs only the sampler, at 100 ms for ``--minutes`` (default
10), and prints PASS when it had no gap, one adb stream, no lost or torn
frame and less than 1% drift. Without ``--serial`` a private adb server and a
virtual handset are started; with it, the phone's own adb server is used.
Numbers taken on a virtual handset measure this machine, not a phone.

Run: ``.venv/bin/python benchmarks/sampler_vs_naive.py [--seconds 10] [--acceptance]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from android_suite.device.device import Device

SOURCES = {
    "vmstat": "/proc/vmstat",
    "meminfo": "/proc/meminfo",
    "psi_memory": "/proc/pressure/memory",
    "zram0_mm_stat": "/sys/block/zram0/mm_stat",
}


@dataclass(frozen=True)
class Figures:
    what: str
    samples: int
    seconds: float
    jitter_p50_ms: float
    jitter_p99_ms: float
    cpu_ms_per_sample: float
    note: str = ""

    @property
    def rate_hz(self) -> float:
        return self.samples / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.what:<34} {self.rate_hz:8.1f} /s  jitter p50 {self.jitter_p50_ms:7.2f} ms  "
            f"p99 {self.jitter_p99_ms:7.2f} ms  host CPU {self.cpu_ms_per_sample:6.2f} ms/sample  {self.note}"
        )


def _jitter_ms(times: list[float], period: float) -> tuple[float, float]:
    from android_suite.collect.sampler_timing import percentile

    nominal = period or ((times[-1] - times[0]) / (len(times) - 1) if len(times) > 1 else 0.0)
    jitter = [abs(b - a - nominal) * 1000 for a, b in pairwise(times)]
    return percentile(jitter, 50), percentile(jitter, 99)


def naive(device: Device, period: float, seconds: float) -> Figures:
    """One adb shell call per source per tick, paced on the host against a deadline."""
    stamps: list[float] = []
    cpu0, start = time.process_time(), time.monotonic()
    end, tick = start + seconds, 0
    while time.monotonic() < end:
        t0 = time.monotonic()
        device.shell(["cat", "/proc/uptime"], check=False)
        stamps.append((t0 + time.monotonic()) / 2)
        for path in SOURCES.values():
            device.shell(["cat", path], check=False)
        tick += 1
        if period:
            time.sleep(max(0.0, start + tick * period - time.monotonic()))
    elapsed, cpu = time.monotonic() - start, time.process_time() - cpu0
    p50, p99 = _jitter_ms(stamps, period)
    what = f"naive adb shell cat, {'unpaced' if not period else f'{period * 1000:g} ms'}"
    return Figures(what, tick, elapsed, p50, p99, cpu * 1000 / max(tick, 1), "(host-stamped)")


def streamed(device: Device, period: float, seconds: float) -> tuple[Figures, Figures, object]:
    """The sampler: (device-stamped figures, host-arrival figures, SamplerStats)."""
    from android_suite.collect.sampler import Sampler
    from android_suite.collect.sampler_timing import summarize
    from android_suite.collect.sampler_types import SamplerConfig

    sampler = Sampler(device, SamplerConfig(sources=SOURCES, period_s=period))
    cpu0, start = time.process_time(), time.monotonic()
    got = []
    with sampler:
        while time.monotonic() < start + seconds and sampler.running:
            sample = sampler.get(timeout=0.5)
            if sample is not None:
                got.append(sample)
    got += list(sampler)
    cpu = time.process_time() - cpu0
    timing = summarize(got, period)
    label = f"streaming sampler, {'unpaced' if not period else f'{period * 1000:g} ms'}"
    n = max(len(got), 1)
    cost = "" if timing.device_cpu_fraction is None else f"device CPU {timing.device_cpu_fraction * 100:.2f}%"
    dev = Figures(
        label, timing.ticks, timing.span_s, timing.jitter_p50_s * 1000, timing.jitter_p99_s * 1000, cpu * 1000 / n, cost
    )
    h50, h99 = _jitter_ms([s.host_t for s in got], period)
    host = Figures(label + " (host)", timing.ticks, timing.span_s, h50, h99, cpu * 1000 / n, "(arrival on host)")
    print(f"  {label}: {timing}", file=sys.stderr)
    return dev, host, (sampler.stats(), timing)


@contextmanager
def handset(serial: str | None, profile: str) -> Iterator[Device]:
    from android_suite.session import HandsetSession, free_port

    port = None if serial else free_port()
    if port is not None:
        os.environ["ANDROID_ADB_SERVER_PORT"] = str(port)  # before adbutils is imported
    from android_suite.device.adb import AdbTransport, default_port
    from android_suite.device.device import Device

    session = HandsetSession(serial=serial, adb_port=port or default_port(), profiles=(profile,))
    targets = session.start()
    try:
        yield Device(AdbTransport(targets[0].serial, port=session.adb_port))
    finally:
        session.stop()


def acceptance(device: Device, minutes: float) -> int:
    _, _, (stats, timing) = streamed(device, 0.1, minutes * 60)  # type: ignore[misc]
    checks = {
        "no gaps": not stats.gaps,
        "one adb stream": stats.streams == 1,
        "no lost or torn frames": timing.lost_frames == 0 and stats.torn_frames == 0,
        "drift < 1%": timing.drift is not None and abs(timing.drift) < 0.01,
        f"ran {minutes:g} min": timing.span_s >= minutes * 60 * 0.99,
    }
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    drift = f"{timing.drift * 100:+.4f}%" if timing.drift is not None else "n/a"
    print(f"{timing.ticks} ticks over {timing.span_s:.1f} s, drift {drift}, late ticks {timing.late_ticks}")
    verdict = all(checks.values())
    print("PASS" if verdict else "FAIL")
    return 0 if verdict else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each comparison phase")
    parser.add_argument("--period", type=float, default=0.1, help="paced phase period (s)")
    parser.add_argument("--minutes", type=float, default=None, help="acceptance run length (default 10)")
    parser.add_argument("--acceptance", action="store_true", help="sampler only, 100 ms; PASS/FAIL")
    parser.add_argument("--serial", default=None, help="a phone on the running adb server")
    parser.add_argument("--profile", default="mediatek", help="virtual handset profile without --serial")
    args = parser.parse_args()
    with handset(args.serial, args.profile) as device:
        device.shell(["true"])  # warm-up: connection, feature cache
        if args.acceptance:
            return acceptance(device, args.minutes or 10.0)
        naive_max = naive(device, 0.0, args.seconds)
        stream_max, _, _ = streamed(device, 0.0, args.seconds)
        naive_paced = naive(device, args.period, args.seconds)
        stream_paced, stream_host, _ = streamed(device, args.period, args.seconds)
    print(f"highest sustainable rate ({len(SOURCES)} sources + uptime per tick, {args.seconds:g} s each)")
    print("  " + naive_max.line())
    print("  " + stream_max.line())
    print(f"at {args.period * 1000:g} ms")
    for fig in (naive_paced, stream_paced, stream_host):
        print("  " + fig.line())
    ratio = stream_max.rate_hz / naive_max.rate_hz if naive_max.rate_hz else float("inf")
    print(f"rate ratio sampler/naive: {ratio:.1f}x (target >= 10x: {'met' if ratio >= 10 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
