"""Farm scaling: wall time of the A/B scenario on 1 virtual handset against N handsets under ``pytest -n N``.

"The A/B scenario" is what ``tests/device`` runs through the ``ab_results``
fixture (test_reclaim_throughput, test_responsiveness, test_power): one A/B
kcompressd job per handset (warm-up + 3 measured iterations per arm),
stored, loaded back and checked against the budgets. Both runs use the same
profile, so each handset does the same work:

- 1 handset: the default single-handset session (no -n, no inventory);
- N handsets: ``-n N``, one pool of N handsets, one leased handset per worker.

Prints both wall times, the scaling ratio (N x T1 / TN: handset-runs per unit
of time, N is perfect) and the efficiency, and checks that every handset's
run landed complete in the store. The figures are this machine's (its core
count is printed): the handsets' modelled kernels and the N workers share it.

Run: ``.venv/bin/python benchmarks/farm_scaling.py [--handsets 8] [--profile mediatek]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = [
    "tests/device/test_reclaim_throughput.py",
    "tests/device/test_responsiveness.py",
    "tests/device/test_power.py",
]


def timed_run(args: list[str], store: Path) -> tuple[float, str]:
    argv = [sys.executable, "-m", "pytest", *SCENARIO, "-q", "-p", "no:cacheprovider", "-W", "ignore::UserWarning",
            "--results", str(store), *args]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("ANDROID_SERIAL", "ANDROID_ADB_SERVER_PORT")}
    start = time.monotonic()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    wall = time.monotonic() - start
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"pytest {' '.join(args)} failed (exit {done.returncode}): {tail}")
    return wall, tail


def complete_runs(store: Path) -> tuple[int, int]:
    """(complete runs, devices with valid measured iterations in both arms)."""
    from sqlalchemy import text

    from android_suite.results.store import ResultStore

    with ResultStore.open(store, mark_stale=False) as s, s.engine.connect() as conn:
        complete = conn.execute(text("SELECT count(*) FROM runs WHERE status = 'complete'")).scalar_one()
        both = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT device FROM iterations WHERE valid AND NOT warmup "
                "GROUP BY run_ref, device HAVING count(DISTINCT variant) = 2) AS d"
            )
        ).scalar_one()
    return int(complete), int(both)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--handsets", type=int, default=8, help="N: handsets and xdist workers (default 8)")
    parser.add_argument("--profile", default="mediatek", help="virtual profile of every handset (default mediatek)")
    args = parser.parse_args()
    n = args.handsets
    with tempfile.TemporaryDirectory(prefix="farm_scaling-") as tmp:
        one_store, many_store = Path(tmp) / "one.db", Path(tmp) / "many.db"
        print(f"machine: {os.cpu_count()} cores; profile {args.profile}; scenario: {', '.join(SCENARIO)}")
        t1, tail1 = timed_run(["--virtual-profiles", args.profile], one_store)
        print(f"1 handset (no -n):        {t1:7.1f} s wall  [{tail1}]")
        tn, tailn = timed_run(["-n", str(n), "--virtual-profiles", args.profile], many_store)
        print(f"{n} handsets (-n {n}):       {tn:7.1f} s wall  [{tailn}]")
        runs1, both1 = complete_runs(one_store)
        runsn, bothn = complete_runs(many_store)
        print(f"store: 1 handset -> {runs1} complete run(s), {both1} handset(s) with both arms; "
              f"{n} handsets -> {runsn} complete run(s), {bothn} handset(s) with both arms")  # fmt: skip
        ratio = n * t1 / tn
        print(f"scaling ratio (N x T1 / TN): {ratio:.2f}x of a perfect {n}x; efficiency {ratio / n:.0%}; "
              f"slow-down of one run: {tn / t1:.2f}x")  # fmt: skip
        if bothn != n:
            print(f"WARNING: only {bothn} of {n} handsets finished both arms", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
