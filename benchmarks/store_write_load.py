"""Rows per second for writing a run's samples into the result store and loading the run back.

The run is what a 10-minute iteration sampled every 100 ms with 200 metrics
gives: 6,000 ticks x 200 metrics = 1.2 M sample rows, handed to the writer one
tick (200 records) at a time, as the sampler does. SQLite always; PostgreSQL
too when its server binaries are installed (a temporary server is started) or
when ``--postgres URL`` names one.

Run: ``.venv/bin/python benchmarks/store_write_load.py [--seconds 600] [--period 0.1] [--metrics 200]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from android_suite.analysis.frames import MetricSample
from android_suite.results.store import ResultStore

ROOT = Path(__file__).resolve().parent.parent


def ticks(seconds: float, period_s: float, n_metrics: int, seed: int = 1) -> list[list[MetricSample]]:
    """One list of samples per tick: counters that grow, 1% missing."""
    rng = np.random.default_rng(seed)
    n_t = round(seconds / period_s)
    counters = np.cumsum(rng.integers(0, 1000, size=(n_t, n_metrics)), axis=0).astype(np.float64)
    counters[rng.random(counters.shape) < 0.01] = np.nan
    names = [f"metric_{k:03d}" for k in range(n_metrics)]
    values = counters.tolist()
    return [
        [
            MetricSample("bench-0", "on", 0, i * period_s, names[k], None if v != v else v, "pages", "boot-a")
            for k, v in enumerate(values[i])
        ]
        for i in range(n_t)
    ]


def bench(label: str, target: str, data: list[list[MetricSample]]) -> None:
    rows = sum(len(t) for t in data)
    with ResultStore.open(target) as store:
        start = time.perf_counter()
        with store.writer() as w:
            run_id = w.begin_run({"benchmark": "store_write_load"})
            w.add_device({"device": "bench-0", "kind": "virtual-sim"})
            key = w.begin_iteration("bench-0", "on", 0)
            for tick in data:
                w.add_samples(tick)
            w.end_iteration(key)
        write_s = time.perf_counter() - start
        start = time.perf_counter()
        run = store.load_run(run_id)
        load_s = time.perf_counter() - start
    assert len(run.samples) == rows, (len(run.samples), rows)
    print(f"{label:<11} write {rows:>9,} rows {write_s:6.2f} s {rows / write_s:>11,.0f} rows/s", flush=True)
    print(f"{label:<11} load  {rows:>9,} rows {load_s:6.2f} s {rows / load_s:>11,.0f} rows/s", flush=True)


@contextmanager
def postgres(option: str) -> Iterator[str | None]:
    """A PostgreSQL URL: the one given, a temporary server's, or None."""
    if option == "none":
        yield None
        return
    if option != "auto":
        yield option
        return
    sys.path.insert(0, str(ROOT))
    from tests.helpers.postgres import PostgresUnavailable, start_server

    try:
        server = start_server()
    except PostgresUnavailable as e:
        print(f"postgresql  skipped: {e}")
        yield None
        return
    try:
        yield server.create_database("bench")
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--period", type=float, default=0.1)
    ap.add_argument("--metrics", type=int, default=200)
    ap.add_argument("--postgres", default="auto", help="auto (temporary server if installed) | none | a URL")
    args = ap.parse_args()
    data = ticks(args.seconds, args.period, args.metrics)
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", str(Path(tmp) / "bench.db"), data)
    with postgres(args.postgres) as url:
        if url:
            bench("postgresql", url, data)


if __name__ == "__main__":
    main()
