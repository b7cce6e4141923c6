"""Stale-run marking: a "running" run whose writer is gone becomes "incomplete"."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.results.lifecycle import WriterIdentity, process_alive, stale_reason, this_process
from android_suite.results.store import ResultStore

NOW = 1_700_000_000.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ResultStore]:
    with ResultStore.open(tmp_path / "r.db") as s:
        yield s


def _run_by(store: ResultStore, ident: WriterIdentity, beat_at: float = NOW) -> str:
    w = store.writer(background=False, identity=ident, clock=lambda: beat_at)
    run_id = w.begin_run({})
    w.add_device({"device": "dev"})
    w.begin_iteration("dev", "on", 0)
    return run_id


def _status(store: ResultStore, run_id: str) -> tuple[str, str]:
    run = store.load_run(run_id)
    return run.status, run.status_reason


def test_a_dead_writer_on_this_host_is_marked_at_once(store: ResultStore) -> None:
    run_id = _run_by(store, WriterIdentity("here", 4242, 77))
    checked: list[tuple[int, int | None]] = []

    def dead(pid: int, start: int | None) -> bool:
        checked.append((pid, start))
        return False

    assert store.mark_stale_runs(now=NOW + 1, host="here", alive=dead) == [run_id]
    assert checked == [(4242, 77)]
    assert _status(store, run_id) == ("incomplete", "writer process 4242 on here is gone")
    its = store.load_run(run_id).iterations
    assert not its["valid"].iloc[0] and "run ended before the iteration" in its["reason"].iloc[0]
    assert store.mark_stale_runs(now=NOW + 2, host="here", alive=dead) == []  # only once


def test_a_live_writer_on_this_host_is_left_running_however_quiet(store: ResultStore) -> None:
    run_id = _run_by(store, WriterIdentity("here", 4242, 77))
    assert store.mark_stale_runs(now=NOW + 86_400, host="here", alive=lambda p, s: True) == []
    assert _status(store, run_id)[0] == "running"


def test_a_writer_on_another_host_is_judged_by_its_heartbeat(store: ResultStore) -> None:
    run_id = _run_by(store, WriterIdentity("elsewhere", 1, None))
    never = lambda p, s: pytest.fail("a remote pid must not be checked here")  # noqa: E731
    assert store.mark_stale_runs(now=NOW + 299, host="here", stale_after_s=300, alive=never) == []
    assert store.mark_stale_runs(now=NOW + 301, host="here", stale_after_s=300, alive=never) == [run_id]
    status, reason = _status(store, run_id)
    assert status == "incomplete"
    assert reason == "no heartbeat from the writer on elsewhere (pid 1) for 301 s"
    # The run ended at its last sign of life, not when someone noticed.
    assert store.load_run(run_id).finished_at.startswith("2023-11-14T22:13:20")


def test_open_marks_runs_of_a_process_that_exited(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = WriterIdentity(this_process().host, int(done.stdout), None)
    with ResultStore.open(tmp_path / "r.db") as store:
        run_id = _run_by(store, gone)
        mine = _run_by(store, this_process())
    with ResultStore.open(tmp_path / "r.db") as store:
        assert _status(store, run_id)[0] == "incomplete"
        assert _status(store, mine)[0] == "running"  # this process still lives


def test_process_alive_sees_this_process_and_guards_against_pid_reuse() -> None:
    me = this_process()
    assert process_alive(me.pid, me.pid_start)
    assert process_alive(me.pid, None)
    if me.pid_start is not None:  # Linux: a different start time means another process
        assert not process_alive(me.pid, me.pid_start + 1)


def test_process_alive_treats_an_unreaped_child_as_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, still a zombie
        assert not process_alive(child.pid, None)
    finally:
        child.wait()


def test_stale_reason_for_a_remote_writer_within_its_window_is_none() -> None:
    args = {"now": 100.0, "host": "here", "stale_after_s": 50.0, "alive": lambda p, s: False}
    assert stale_reason("there", 1, None, 60.0, **args) is None  # type: ignore[arg-type]
