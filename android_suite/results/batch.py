"""Sample rows: tidy records -> compact database tuples, buffered until a batch is due.

A batch is due when it holds ``batch_rows`` rows or its oldest row has waited
``batch_interval_s``, whichever comes first: few enough commits to keep a
million rows per run cheap, and little enough unwritten data that a SIGKILL
loses at most the last half second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pandas as pd

from android_suite.analysis.frames import BOOT_ID, COLUMNS, MetricSample
from android_suite.results.bulk import Row

SAMPLE_DB_COLUMNS = ("iteration_ref", "t", "metric_ref", "value", "boot_ref")
IterationLookup = Callable[[tuple[str, str, int]], int]
Interner = Callable[[set[tuple[str, str]], set[str]], None]


def _fields(samples: Iterable[MetricSample] | pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """(device, variant, iteration, t, metric, value, unit, boot_id) per sample."""
    if isinstance(samples, pd.DataFrame):
        missing = [c for c in COLUMNS if c not in samples.columns]
        if missing:
            raise ValueError(f"not a tidy sample frame: missing columns {missing}")
        n = len(samples)
        boots = samples[BOOT_ID].tolist() if BOOT_ID in samples.columns else [None] * n
        cols = [samples[c].tolist() for c in COLUMNS]
        yield from zip(*cols, boots, strict=True)
        return
    for s in samples:
        yield s.device, s.variant, s.iteration, s.t, s.metric, s.value, s.unit, s.boot_id


def to_rows(
    samples: Iterable[MetricSample] | pd.DataFrame,
    iteration_ref: IterationLookup,
    metric_ids: dict[tuple[str, str], int],
    boot_ids: dict[str, int],
    intern: Interner,
) -> list[Row]:
    """Database tuples (SAMPLE_DB_COLUMNS order) for ``samples``.

    ``intern`` is called once with the metric and boot keys not yet in
    ``metric_ids``/``boot_ids`` and must add them there.

    Raises:
        ValueError: a sample with a non-finite ``t`` (its time is its identity),
            or one for an iteration that was never begun.
    """
    fields = list(_fields(samples))
    new_metrics = {(str(f[4]), str(f[6])) for f in fields} - metric_ids.keys()
    new_boots = {str(f[7]) for f in fields if _present(f[7])} - boot_ids.keys()
    if new_metrics or new_boots:
        intern(new_metrics, new_boots)
    refs: dict[tuple[str, str, int], int] = {}
    rows: list[Row] = []
    append = rows.append
    for device, variant, iteration, t, metric, value, unit, boot in fields:
        key = (str(device), str(variant), int(iteration))
        ref = refs.get(key)
        if ref is None:
            ref = refs[key] = iteration_ref(key)
        t = float(t)
        if t - t != 0.0:  # NaN and +-inf both give NaN here, finite numbers 0
            raise ValueError(f"sample {metric} of {key} has t={t}; every sample needs a finite time")
        v = None if value is None or value != value else float(value)  # NaN -> NULL
        b = boot_ids[str(boot)] if _present(boot) else None
        append((ref, t, metric_ids[(str(metric), str(unit))], v, b))
    return rows


def _present(boot: object) -> bool:
    return boot is not None and boot == boot and boot != ""  # None, NaN (from a frame) and "" mean absent


class SampleBuffer:
    """Rows waiting for their batch; the owner flushes when :meth:`due`."""

    def __init__(self, batch_rows: int, batch_interval_s: float, monotonic: Callable[[], float]) -> None:
        if batch_rows < 1 or batch_interval_s <= 0:
            raise ValueError("batch_rows must be >= 1 and batch_interval_s > 0")
        self.batch_rows = batch_rows
        self.batch_interval_s = batch_interval_s
        self._monotonic = monotonic
        self._rows: list[Row] = []
        self._since: float | None = None

    def __len__(self) -> int:
        return len(self._rows)

    def extend(self, rows: list[Row]) -> None:
        """Queue ``rows``; the batch's clock starts with its first row."""
        if rows and self._since is None:
            self._since = self._monotonic()
        self._rows.extend(rows)

    def due(self) -> bool:
        """True when the batch is full or its oldest row has waited long enough."""
        if not self._rows or self._since is None:
            return False
        return len(self._rows) >= self.batch_rows or self._monotonic() - self._since >= self.batch_interval_s

    def take(self) -> list[Row]:
        """All queued rows, leaving the buffer empty."""
        rows, self._rows, self._since = self._rows, [], None
        return rows

    def put_back(self, rows: list[Row]) -> None:
        """Return rows whose write failed to the front of the queue (nothing is dropped)."""
        self._rows[:0] = rows
        if self._since is None and self._rows:
            self._since = self._monotonic()
