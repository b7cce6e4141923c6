"""Rows per second for building tidy frames and counter rates on a run-sized frame.

The synthetic run is what a 10-minute iteration sampled every 100 ms with 200
metrics gives: 6,000 timestamps x 200 metrics = 1.2 M rows, with one reboot
(counters reset, new boot id) half way and 1% of values missing.
Run: ``.venv/bin/python benchmarks/frames_rates.py [--seconds 600] [--metrics 200]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from android_suite.analysis.frames import MetricSample, from_frame, to_frame, to_wide
from android_suite.analysis.rates import counter_rates, counter_segments, mean_rates

T = TypeVar("T")


def synthetic_run(seconds: float, period_s: float, n_metrics: int, seed: int = 1) -> list[MetricSample]:
    rng = np.random.default_rng(seed)
    n_t = round(seconds / period_s)
    t = np.arange(n_t) * period_s
    increments = rng.integers(0, 1000, size=(n_t, n_metrics))
    reboot = n_t // 2
    increments[reboot] = 0
    counters = np.cumsum(increments, axis=0).astype(np.float64)
    counters[reboot:] -= counters[reboot]  # counters restart at 0 after the reboot
    counters[rng.random(counters.shape) < 0.01] = np.nan
    names = [f"metric_{k:03d}" for k in range(n_metrics)]
    boots = ["boot-a" if i < reboot else "boot-b" for i in range(n_t)]
    values = counters.tolist()
    return [
        MetricSample("emulator-5554", "kcompressd_on", 0, float(t[i]), names[k], _none(values[i][k]), "pages", boots[i])
        for i in range(n_t)
        for k in range(n_metrics)
    ]


def _none(x: float) -> float | None:
    return None if x != x else x


def timed(label: str, rows: int, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<16} {rows:>10,d} rows {elapsed:8.3f} s {rows / elapsed:>14,.0f} rows/s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=600.0, help="run length (s)")
    parser.add_argument("--period", type=float, default=0.1, help="sampling period (s)")
    parser.add_argument("--metrics", type=int, default=200, help="metrics per sample")
    args = parser.parse_args()

    records = synthetic_run(args.seconds, args.period, args.metrics)
    n = len(records)
    frame = timed("to_frame", n, lambda: to_frame(records))
    rates = timed("counter_rates", n, lambda: counter_rates(frame))
    timed("mean_rates", n, lambda: mean_rates(frame))
    timed("counter_segments", n, lambda: counter_segments(frame))
    timed("to_wide", n, lambda: to_wide(frame.drop(columns="boot_id")))
    timed("from_frame", n, lambda: from_frame(frame))
    negative = int((rates["value"] < 0).sum())
    print(f"frame memory {frame.memory_usage(deep=True).sum() / 2**20:.1f} MiB; negative rates: {negative}")
    return 0 if negative == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
