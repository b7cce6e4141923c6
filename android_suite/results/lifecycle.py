"""Run states and the marking of runs whose writer died.

    running --finish()--------------> complete | incomplete
    running --writer gone (stale)---> incomplete (reason says why)

A writer records its host, pid, the pid's start time and a heartbeat it
refreshes while it lives. A run still "running" is stale when, on this host,
its process is gone (or the pid now belongs to another process, or is a
zombie: a SIGKILLed child stays one until its parent reaps it), or, for a
writer on another host whose process we cannot see, when its heartbeat is
older than ``stale_after_s``. Its open iterations are closed as invalid.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, and_, select

from android_suite.errors import ParseError
from android_suite.parsers.procstat import parse_proc_stat
from android_suite.results.engine import WRITE_OPTION
from android_suite.results.schema import iterations, runs

RUNNING = "running"
COMPLETE = "complete"
INCOMPLETE = "incomplete"
FINAL_STATUSES = (COMPLETE, INCOMPLETE)
DEFAULT_STALE_AFTER_S = 300.0

AliveCheck = Callable[[int, "int | None"], bool]


@dataclass(frozen=True)
class WriterIdentity:
    """The process that writes a run: enough to tell later whether it still lives."""

    host: str
    pid: int
    pid_start: int | None  # /proc/<pid>/stat starttime (clock ticks after boot); None off Linux


def this_process() -> WriterIdentity:
    """The identity of the calling process."""
    pid = os.getpid()
    return WriterIdentity(socket.gethostname(), pid, _proc_stat(pid)[1])


def _proc_stat(pid: int) -> tuple[str | None, int | None]:
    """(state, starttime) of ``pid`` from /proc, or (None, None) when unreadable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = parse_proc_stat(f.read())
    except (OSError, ParseError):
        return None, None
    return stat.state, stat.starttime


def process_alive(pid: int, pid_start: int | None) -> bool:
    """True when ``pid`` on this host is still the process that started at ``pid_start``."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    state, start = _proc_stat(pid)
    if state in ("Z", "X"):
        return False
    return not (pid_start is not None and start is not None and start != pid_start)


def iso_utc(epoch_s: float) -> str:
    """ISO 8601 UTC text for a wall-clock time, as RunData carries it."""
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="milliseconds")


def stale_reason(
    row_host: str,
    pid: int,
    pid_start: int | None,
    heartbeat_at: float,
    *,
    now: float,
    host: str,
    stale_after_s: float,
    alive: AliveCheck,
) -> str | None:
    """Why a "running" run's writer is taken for dead, or None if it may live."""
    if row_host == host:
        return None if alive(pid, pid_start) else f"writer process {pid} on {host} is gone"
    silent = now - heartbeat_at
    if silent > stale_after_s:
        return f"no heartbeat from the writer on {row_host} (pid {pid}) for {silent:.0f} s"
    return None


def close_run(conn: Connection, run_ref: int, status: str, reason: str, now: float) -> bool:
    """Move a running run to a final status and close its open iterations.

    Args:
        now: when the run ended (for a dead writer: its last heartbeat).

    Returns:
        False when the run was no longer running (someone else closed it first).
    """
    if status not in FINAL_STATUSES:
        raise ValueError(f"a run ends complete or incomplete, not {status!r}")
    done = conn.execute(
        runs.update()
        .where(and_(runs.c.id == run_ref, runs.c.status == RUNNING))
        .values(status=status, status_reason=reason, finished_at=iso_utc(now), heartbeat_at=now)
    )
    if done.rowcount == 0:
        return False
    why = f"the run ended before the iteration did ({reason})" if reason else "the run ended before the iteration did"
    conn.execute(
        iterations.update()
        .where(and_(iterations.c.run_ref == run_ref, iterations.c.ended_at.is_(None)))
        .values(valid=False, reason=why, ended_at=now)
    )
    return True


def mark_stale_runs(
    engine: Engine,
    *,
    now: float | None = None,
    host: str | None = None,
    stale_after_s: float = DEFAULT_STALE_AFTER_S,
    alive: AliveCheck = process_alive,
) -> list[str]:
    """Mark every "running" run whose writer is gone as "incomplete".

    Args:
        now, host, alive: injectable for tests (defaults: the wall clock, this
            host's name, :func:`process_alive`).
        stale_after_s: how long a writer on another host may stay silent.

    Returns:
        The run ids that were marked.
    """
    now = time.time() if now is None else now
    host = socket.gethostname() if host is None else host
    cols = (runs.c.id, runs.c.run_id, runs.c.host, runs.c.pid, runs.c.pid_start, runs.c.heartbeat_at)
    with engine.connect() as conn:
        rows = conn.execute(select(*cols).where(runs.c.status == RUNNING)).all()
    marked: list[str] = []
    for ref, run_id, row_host, pid, pid_start, beat in rows:
        why = stale_reason(row_host, pid, pid_start, beat, now=now, host=host, stale_after_s=stale_after_s, alive=alive)
        if why is None:
            continue
        with engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if close_run(conn, ref, INCOMPLETE, why, min(beat, now)):
                    marked.append(run_id)
    return marked
