"""Nothing committed is lost when the runner is SIGKILLed mid-run.

A child process (this file run as a script) writes a run continuously and
reports on stdout what it knows to be committed; the test kills it with
SIGKILL, opens the store, checks it (``PRAGMA integrity_check`` on SQLite),
and finds the run "incomplete" with every reported row present, in order.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from android_suite.analysis.frames import MetricSample
from android_suite.results.store import ResultStore
from tests.helpers.postgres import postgres_server  # noqa: F401  (fixture)

METRICS = 200
PERIOD_S = 0.1
ROOT = Path(__file__).resolve().parents[2]


def child(url: str, mode: str) -> None:
    """Write a run until killed; print "R <run id>", then "S <rows>"/"L <launches>" after each commit."""
    store = ResultStore.open(url)
    w = store.writer()
    print("R", w.begin_run({"test": "sigkill", "mode": mode}), flush=True)
    w.add_device({"device": "victim", "kind": "virtual-sim"})
    key = w.begin_iteration("victim", "on", 0)
    names = [f"metric_{k:03d}" for k in range(METRICS)]
    reported = launches = tick = 0
    while True:
        t = tick * PERIOD_S
        w.add_samples([MetricSample("victim", "on", 0, t, n, float(tick), "pages") for n in names])
        tick += 1
        if tick % 50 == 0:
            w.add_launch(key, package="com.example", launch_state="COLD", total_time_ms=float(tick), wait_time_ms=None)
            launches += 1
            print("L", launches, flush=True)
        if w.rows_written != reported:
            reported = w.rows_written
            print("S", reported, flush=True)
        if mode == "idle" and tick == 3:
            sys.stdin.readline()  # block: only the background thread can commit these three ticks


def _start(url: str, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, __file__, url, mode]
    return subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _read_until(proc: subprocess.Popen[str], done: dict[str, int], timeout_s: float = 60.0) -> dict[str, str]:
    """Read the child's report lines until each count in ``done`` is reached (and the run id is known)."""
    assert proc.stdout is not None
    seen: dict[str, str] = {}
    deadline = time.monotonic() + timeout_s
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while "R" not in seen or not all(int(seen.get(k, 0)) >= v for k, v in done.items()):
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                raise AssertionError(f"child reported only {seen} within {timeout_s} s")
            line = proc.stdout.readline()
            if not line:
                err = proc.stderr.read() if proc.stderr else ""
                raise AssertionError(f"child exited ({proc.wait()}) after {seen}:\n{err}")
            kind, value = line.split()
            seen[kind] = value
    return seen


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "results.db")
    return str(request.getfixturevalue("postgres_server").create_database())


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def _check_after_kill(url: str, run_id: str, rows: int, launches: int) -> None:
    with ResultStore.open(url) as store:  # opening marks the dead writer's run
        if store.backend == "sqlite":
            with store.engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        run = store.load_run(run_id)
    assert run.status == "incomplete"
    assert "is gone" in run.status_reason
    assert not run.iterations["valid"].any()
    samples = run.samples
    assert len(samples) >= rows, f"committed {rows} rows, found {len(samples)}"
    # Whole ticks, in order, with no gap: batches never split a tick.
    assert len(samples) % METRICS == 0
    ticks = len(samples) // METRICS
    np.testing.assert_array_equal(samples["value"].to_numpy(), np.repeat(np.arange(ticks, dtype=float), METRICS))
    assert samples["metric"].astype(str).tolist()[:METRICS] == [f"metric_{k:03d}" for k in range(METRICS)]
    assert len(run.launches) >= launches
    assert run.launches["total_time_ms"].tolist() == [50.0 * (i + 1) for i in range(len(run.launches))]


def test_a_run_killed_while_writing_keeps_every_committed_row(store_url: str) -> None:
    proc = _start(store_url, "busy")
    try:
        seen = _read_until(proc, {"S": 50_000, "L": 5})
    finally:
        _kill(proc)
    _check_after_kill(store_url, seen["R"], int(seen["S"]), int(seen["L"]))


def test_a_run_killed_while_idle_keeps_what_the_flush_thread_committed(store_url: str) -> None:
    proc = _start(store_url, "idle")
    try:
        seen = _read_until(proc, {})
        # The child blocks after three ticks; the background thread must commit them on its own.
        deadline = time.monotonic() + 30.0
        with ResultStore.open(store_url, mark_stale=False) as store:
            while len(store.load_run(seen["R"]).samples) < 3 * METRICS:
                assert time.monotonic() < deadline, "the flush thread did not commit an idle batch"
                time.sleep(0.05)
    finally:
        _kill(proc)
    _check_after_kill(store_url, seen["R"], 3 * METRICS, 0)


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
