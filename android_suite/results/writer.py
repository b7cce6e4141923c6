"""RunWriter: records a run as it happens, so that a killed runner loses at most half a second.

Every record except samples is committed in its own small transaction as it
arrives; samples are batched (:mod:`~android_suite.results.batch`) and
committed by :class:`~android_suite.results.sink.SampleSink`, whose thread
also commits an idle batch and keeps the run's heartbeat. All methods are
thread-safe (one lock); the thread's errors resurface on the next call.

Typical use::

    with store.writer() as w:
        w.begin_run({"workload": "launch-storm", "seed": 7})
        w.add_device(info)                       # a DeviceInfo or a dict
        key = w.begin_iteration(info.serial, "on", 0, warmup=True, mechanism="sysctl")
        w.add_samples(samples)                   # MetricSample records or a tidy frame
        w.add_launch(key, package="com.android.chrome", launch_state="COLD",
                     total_time_ms=812.0, wait_time_ms=830.0)
        w.end_iteration(key, valid=True)
    # leaving the block finishes the run: "complete", or "incomplete" on an exception
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from android_suite.analysis.frames import MetricSample
from android_suite.results import writer_sql as sql
from android_suite.results.batch import SampleBuffer, to_rows
from android_suite.results.bulk import insert_rows
from android_suite.results.lifecycle import COMPLETE, INCOMPLETE, WriterIdentity, close_run, this_process
from android_suite.results.sink import SampleSink
from android_suite.results.writer_sql import IterationKey, Tx

DEFAULT_BATCH_ROWS = 5000
DEFAULT_BATCH_INTERVAL_S = 0.5
DEFAULT_HEARTBEAT_S = 5.0


class RunWriter:
    """Writes one run into a store (see the module docstring). Constructing it does no I/O.

    Args:
        engine: the store's engine (``ResultStore.writer()`` passes it).
        batch_rows, batch_interval_s: a sample batch is committed when it has
            this many rows or its oldest row is this old, whichever comes first.
        heartbeat_s: how often the run's heartbeat is refreshed while idle.
        background: run the flush/heartbeat thread (off in unit tests, which
            call :meth:`tick` with an injected clock instead).
        clock: wall clock (epoch seconds); monotonic: interval clock.
        identity: the writing process (host, pid); defaults to this one.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        batch_interval_s: float = DEFAULT_BATCH_INTERVAL_S,
        heartbeat_s: float = DEFAULT_HEARTBEAT_S,
        background: bool = True,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        identity: WriterIdentity | None = None,
    ) -> None:
        self._tx = Tx(engine)
        self._lock = threading.RLock()
        buffer = SampleBuffer(batch_rows, batch_interval_s, monotonic)
        self._sink = SampleSink(self._tx, self._lock, buffer, heartbeat_s, clock, monotonic)
        self._background = background
        self._clock = clock
        self._identity = identity
        self._run_ref: int | None = None
        self.run_id: str | None = None
        self.status: str | None = None
        self._devices: set[str] = set()
        self._iterations: dict[tuple[str, str, int], int] = {}
        self._metrics: dict[tuple[str, str], int] = {}
        self._boots: dict[str, int] = {}

    @property
    def rows_written(self) -> int:
        """Sample rows committed so far (they survive a SIGKILL from now on)."""
        return self._sink.rows_written

    # -- run ------------------------------------------------------------------

    def begin_run(self, context: dict[str, Any] | None = None, *, run_id: str | None = None) -> str:
        """Record a new run with status "running" and return its id (a UUID unless given)."""
        with self._lock:
            if self._run_ref is not None:
                raise RuntimeError(f"this writer already writes run {self.run_id}")
            ident = self._identity or this_process()
            now = self._clock()
            with self._tx() as conn:
                self._run_ref, self.run_id = sql.insert_run(conn, context or {}, run_id, ident, now)
            self.status = "running"
            self._sink.start(self._run_ref, f"run-writer-{self.run_id}", self._background)
            return self.run_id

    def finish(self, status: str = COMPLETE, reason: str = "") -> str:
        """Flush, then end the run as ``status`` ("complete" or "incomplete").

        Returns:
            The run's final status: the one asked for, or "incomplete" when
            another process already took this writer for dead and marked it so.
        """
        with self._lock:
            ref = self._require_run()
            if self.status != "running":
                return self.status or ""
            self._sink.flush()
            with self._tx() as conn:
                closed = close_run(conn, ref, status, reason, self._clock())
            self.status = status if closed else INCOMPLETE
        self._sink.stop()
        return self.status

    def close(self) -> None:
        """Flush and stop; a run not yet finished ends "incomplete" (closed before finish())."""
        if self._run_ref is not None and self.status == "running":
            self.finish(INCOMPLETE, "the writer was closed before finish()")
        self._sink.stop()

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._run_ref is not None and self.status == "running":
            if ev is None:
                self.finish(COMPLETE)
            else:
                self.finish(INCOMPLETE, f"the runner raised {type(ev).__name__}: {ev}")
        self._sink.stop()

    # -- devices and iterations ----------------------------------------------

    def add_device(self, info: Any) -> None:
        """Record a handset: a DeviceInfo (or anything with ``to_dict()``) or a mapping.

        With a ``serial`` key, ``device`` is the product codename (as in
        DeviceInfo) and is kept as ``product_device``; without one, ``device``
        is the serial (as in the RunData contract).
        """
        with self._lock:
            ref = self._require_run()
            row = sql.device_row(info)
            if row["device"] in self._devices:
                raise ValueError(f"device {row['device']} was already added to run {self.run_id}")
            with self._tx() as conn:
                sql.insert_device(conn, ref, row)
            self._devices.add(row["device"])

    def begin_iteration(
        self,
        device: str,
        variant: str,
        iteration: int,
        *,
        warmup: bool = False,
        mechanism: str = "none",
        comp_algorithm: str | None = None,
        at: float | None = None,
        **extra: Any,
    ) -> IterationKey:
        """Record the start of an iteration (its samples may follow at once).

        Args:
            device, variant, iteration: the key its records carry.
            warmup: recorded but not compared.
            mechanism: how the variant was set (none | build | sysctl | module).
            comp_algorithm: the zram algorithm in force.
            at: wall-clock start (epoch seconds); default now.
            **extra: further facts, kept as extra columns of ``iterations``.
        """
        with self._lock:
            ref = self._require_run()
            if device not in self._devices:
                raise ValueError(f"iteration on {device}, which was never added: call add_device first")
            key = IterationKey(device, variant, int(iteration))
            if key.tuple in self._iterations:
                raise ValueError(f"iteration {key} was already begun in run {self.run_id}")
            with self._tx() as conn:
                self._iterations[key.tuple] = sql.insert_iteration(
                    conn, ref, key, warmup, mechanism, comp_algorithm, extra, self._now(at)
                )
            return key

    def end_iteration(
        self,
        key: IterationKey,
        *,
        valid: bool = True,
        reason: str = "",
        at: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Record the end of an iteration; an invalid one needs a reason (reboot, drop, fault).

        ``at`` is the wall-clock end (epoch seconds); default now. ``extra``:
        facts known only at the end (sampler gaps, drops ridden out), merged
        into the iteration's extra columns.
        """
        if not valid and not reason:
            raise ValueError(f"iteration {key} is invalid but no reason was given")
        with self._lock:
            ref = self._iteration_ref(key.tuple)
            self._sink.flush()  # its samples go in before it is marked ended
            with self._tx() as conn:
                sql.end_iteration(conn, ref, valid, "" if valid else reason, self._now(at), extra)

    # -- records --------------------------------------------------------------

    def add_samples(self, samples: Iterable[MetricSample] | pd.DataFrame) -> int:
        """Queue tidy samples; a full or old batch is committed before returning.

        Returns:
            How many samples were queued.
        """
        with self._lock:
            self._require_run()
            self._sink.raise_failure()
            rows = to_rows(samples, self._iteration_ref, self._metrics, self._boots, self._intern)
            self._sink.add(rows)
            return len(rows)

    def add_launch(
        self,
        key: IterationKey,
        *,
        package: str,
        launch_state: str | None,
        total_time_ms: float | None,
        wait_time_ms: float | None,
        status: str | None = "ok",
        **extra: Any,
    ) -> None:
        """Record one app launch (``am start -W``)."""
        row = (package, launch_state, total_time_ms, wait_time_ms, status, sql.dumps(extra))
        self._insert_one(key, sql.LAUNCH_COLUMNS, row)

    def add_frames(self, key: IterationKey, package: str, frame_ms: Sequence[float], janky: Sequence[bool]) -> None:
        """Record one app's frame durations (ms) and whether each missed its deadline."""
        if len(frame_ms) != len(janky):
            raise ValueError(f"{len(frame_ms)} frame times but {len(janky)} janky flags")
        with self._lock:
            ref = self._iteration_ref(key.tuple)
            rows = [(ref, package, float(f), bool(j)) for f, j in zip(frame_ms, janky, strict=True)]
            with self._tx() as conn:
                insert_rows(conn, sql.frames, sql.FRAME_COLUMNS, rows)

    def add_kill(
        self,
        key: IterationKey,
        *,
        t: float | None,
        process: str | None,
        oom_score_adj: int | None,
        rss_kb: float | None,
        swap_kb: float | None,
        reason: str | None,
        **extra: Any,
    ) -> None:
        """Record one process killed for memory (lmkd)."""
        row = (t, process, oom_score_adj, rss_kb, swap_kb, reason, sql.dumps(extra))
        self._insert_one(key, sql.KILL_COLUMNS, row)

    def add_energy(
        self, key: IterationKey, *, joules: float | None, mah: float | None, charging_s: float | None, **extra: Any
    ) -> None:
        """Record an iteration's energy (charging time excluded from joules)."""
        self._insert_one(key, sql.ENERGY_COLUMNS, (joules, mah, charging_s, sql.dumps(extra)))

    # -- flushing and heartbeat -----------------------------------------------

    def flush(self) -> int:
        """Commit the queued samples now; returns how many rows were written."""
        with self._lock:
            self._sink.raise_failure()
            return self._sink.flush()

    def tick(self) -> None:
        """Commit a batch that is due, or refresh the heartbeat (the background thread calls this)."""
        if self.status == "running":
            self._sink.tick()

    # -- helpers --------------------------------------------------------------

    def _insert_one(self, key: IterationKey, columns: Sequence[str], row: tuple[Any, ...]) -> None:
        with self._lock:
            ref = self._iteration_ref(key.tuple)
            table = sql.TABLE_OF[tuple(columns)]
            with self._tx() as conn:
                insert_rows(conn, table, ("iteration_ref", *columns), [(ref, *row)])

    def _intern(self, metric_keys: set[tuple[str, str]], boot_ids: set[str]) -> None:
        with self._tx() as conn:
            metrics, boots = sql.intern_keys(conn, metric_keys, boot_ids)
        self._metrics.update(metrics)
        self._boots.update(boots)

    def _iteration_ref(self, key: tuple[str, str, int]) -> int:
        self._require_run()
        ref = self._iterations.get(key)
        if ref is None:
            raise ValueError(f"no iteration {key} in run {self.run_id}: call begin_iteration first")
        return ref

    def _now(self, at: float | None) -> float:
        return self._clock() if at is None else float(at)

    def _require_run(self) -> int:
        if self._run_ref is None:
            raise RuntimeError("call begin_run() first")
        return self._run_ref
