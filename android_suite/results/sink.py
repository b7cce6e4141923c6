"""SampleSink: commits a run's sample batches and heartbeats, from the caller or a background thread.

The thread wakes every quarter of the shorter of the batch interval and the
heartbeat period: it commits a batch that has waited long enough although no
new sample came (so a runner blocked elsewhere, then killed, has lost only
half a second), and otherwise refreshes the heartbeat that tells other
processes this writer lives. Its errors are kept and raised to the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from android_suite.results import writer_sql as sql
from android_suite.results.batch import SAMPLE_DB_COLUMNS, SampleBuffer
from android_suite.results.bulk import Row, insert_rows
from android_suite.results.writer_sql import Tx


class SampleSink:
    """Batches of one run's sample rows on their way into the store.

    All methods expect the caller to hold ``lock`` except :meth:`tick`,
    :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        tx: Tx,
        lock: threading.RLock,
        buffer: SampleBuffer,
        heartbeat_s: float,
        clock: Callable[[], float],
        monotonic: Callable[[], float],
    ) -> None:
        self._tx = tx
        self._lock = lock
        self._buffer = buffer
        self._heartbeat_s = heartbeat_s
        self._clock = clock
        self._monotonic = monotonic
        self._run_ref: int | None = None
        self._last_beat = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self.rows_written = 0

    def start(self, run_ref: int, name: str, background: bool) -> None:
        """Begin accepting rows for ``run_ref``; with ``background``, start the thread."""
        self._run_ref, self._last_beat = run_ref, self._monotonic()
        if background:
            self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
            self._thread.start()

    def add(self, rows: list[Row]) -> None:
        """Queue rows; commit the batch at once when it is due."""
        self.raise_failure()
        self._buffer.extend(rows)
        if self._buffer.due():
            self.flush()

    def flush(self) -> int:
        """Commit every queued row (and a heartbeat) in one transaction; returns the count."""
        if self._run_ref is None or not len(self._buffer):
            return 0
        rows = self._buffer.take()
        try:
            with self._tx() as conn:
                insert_rows(conn, sql.samples, SAMPLE_DB_COLUMNS, rows)
                sql.beat(conn, self._run_ref, self._clock())
        except BaseException:
            self._buffer.put_back(rows)  # a failed commit drops nothing
            raise
        self._last_beat = self._monotonic()
        self.rows_written += len(rows)
        return len(rows)

    def tick(self) -> None:
        """Commit a batch that is due, else refresh the heartbeat when it is due."""
        with self._lock:
            if self._run_ref is None or self._stop.is_set():
                return
            if self._buffer.due():
                self.flush()
            elif self._monotonic() - self._last_beat >= self._heartbeat_s:
                with self._tx() as conn:
                    sql.beat(conn, self._run_ref, self._clock())
                self._last_beat = self._monotonic()

    def stop(self) -> None:
        """Stop the thread (queued rows stay queued: flush first)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None

    def raise_failure(self) -> None:
        """Raise what the background thread failed with, once."""
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise RuntimeError("the writer's background flush failed") from failure

    def _loop(self) -> None:
        period = min(self._buffer.batch_interval_s, self._heartbeat_s) / 4
        while not self._stop.wait(period):
            try:
                self.tick()
            except Exception as e:  # kept for the caller's next write; the thread ends
                self._failure = e
                return
