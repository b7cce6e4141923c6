"""Seconds and rows per second for the nightly and for analysing a long run.

1. Nightly: a year of nights x 50 devices x 4 metrics (73,000 rows): change
   detection, then the trend charts (one PNG per device) and index.html.
2. Run analysis: one hour of 100 ms samples per handset (two handsets, eight
   counters and gauges, three iterations of 20 minutes per arm): per-iteration
   metrics, the A/B comparison (10k bootstrap resamples), and the over-time
   chart and the whole HTML report.

Run: ``.venv/bin/python benchmarks/report_nightly.py [--nights 365] [--devices 50] [--hours 1]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from android_suite.analysis.ab import analyse_run
from android_suite.analysis.metrics import iteration_metrics
from android_suite.analysis.regressions import detect_changes
from android_suite.analysis.synthetic import synthetic_run
from android_suite.analysis.synthetic_history import Shift, synthetic_history
from android_suite.report import charts
from android_suite.report.nightly import write_nightly
from android_suite.report.write import write_report

T = TypeVar("T")


def timed(label: str, rows: int, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<28} {rows:>10,d} rows {elapsed:8.3f} s {rows / elapsed:>14,.0f} rows/s")
    return result


def nightly(nights: int, devices: int, out: Path) -> None:
    shifts = [Shift("dev07", "launch_time_ms", nights - 40, 0.15)]
    history = timed(
        "synthetic_history", nights * devices * 4, lambda: synthetic_history(nights, devices, shifts=shifts)
    )
    n = len(history)
    changes = timed("detect_changes", n, lambda: detect_changes(history))
    result = timed(f"write_nightly ({devices} PNGs)", n, lambda: write_nightly(history, out / "nightly"))
    print(f"  change points: {len(changes)}; failing: {len(result.failing)}")


def run_analysis(hours: float, out: Path) -> None:
    per_iteration = hours * 3600 / 3
    run = synthetic_run(seed=1, iterations=3, warmup=0, invalid=0, duration_s=per_iteration, period_s=0.1)
    n = len(run.samples)
    timed("iteration_metrics", n, lambda: iteration_metrics(run))
    timed("analyse_run (10k resamples)", n, lambda: analyse_run(run))
    timed("reclaim_over_time PNG", n, lambda: charts.figure_png(charts.reclaim_over_time(run.samples, ("off", "on"))))
    timed("write_report (all)", n, lambda: write_report(run, out / "report"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--hours", type=float, default=1.0, help="sampled hours per handset (both arms)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        print(f"nightly: {args.nights} nights x {args.devices} devices x 4 metrics")
        nightly(args.nights, args.devices, out)
        print(f"run analysis: {args.hours:g} h of 100 ms samples per handset, 2 handsets")
        run_analysis(args.hours, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
