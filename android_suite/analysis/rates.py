"""Rates of monotonic kernel counters (``/proc/vmstat``, PSI ``total``) from a tidy frame.

A counter only grows while the kernel runs. One that goes down was reset: the
device rebooted, or a 32-bit counter wrapped. A difference across that point
gives a negative rate, and a wrap "correction" that guessed wrong a huge one,
so a decrease starts a new segment and the interval across it has no rate
(NaN). A reboot does not always show as a decrease (the counter may have
climbed past its old value by the next sample), so when the frame has a
``boot_id`` column a change of boot id starts a new segment too.

Rows are taken in the frame's order within each (device, variant, iteration,
metric) group; :func:`~android_suite.analysis.frames.to_frame` keeps the order
of collection. They are not re-sorted by ``t``: a device clock restarts at a
reboot, and sorting would interleave two boots. A time that does not advance
starts a segment instead.

Everything is vectorised over the whole frame: no Python loop per row.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import numpy.typing as npt
import pandas as pd

from android_suite.analysis.frames import BOOT_ID, check_frame

RATE_SUFFIX = "_per_s"
GROUP = ("device", "variant", "iteration", "metric")

_Bools = npt.NDArray[np.bool_]
_Floats = npt.NDArray[np.float64]


def _codes(frame: pd.DataFrame, column: str) -> npt.NDArray[np.int64]:
    col = frame[column]
    return np.asarray(col.cat.codes if isinstance(col.dtype, pd.CategoricalDtype) else col, dtype=np.int64)


def _select(frame: pd.DataFrame, metrics: Collection[str] | None) -> pd.DataFrame:
    check_frame(frame)
    sub = frame if metrics is None else frame[frame["metric"].isin(list(metrics))]
    derived = sorted({str(m) for m in sub["metric"].unique() if str(m).endswith(RATE_SUFFIX)})
    if derived:
        raise ValueError(f"already rates, not counters: {derived}")
    return sub


def _prepare(frame: pd.DataFrame, metrics: Collection[str] | None) -> pd.DataFrame:
    """Select the counters and order rows by group, keeping frame order within a group."""
    sub = _select(frame, metrics)
    return sub.take(_group_order(sub))


def _group_order(frame: pd.DataFrame) -> npt.NDArray[np.intp]:
    # np.lexsort is stable (rows of one group keep their order); its last key sorts first.
    return np.lexsort([_codes(frame, c) for c in reversed(GROUP)])


def _continues(ordered: pd.DataFrame) -> _Bools:
    """True where a row belongs to the same group and boot as the row before it."""
    same = np.ones(len(ordered), dtype=bool)
    same[:1] = False
    for column in (*GROUP, BOOT_ID) if BOOT_ID in ordered.columns else GROUP:
        # A missing boot id (code -1) next to a known one counts as a change.
        codes = _codes(ordered, column)
        same[1:] &= codes[1:] == codes[:-1]
    return same


def _steps(ordered: pd.DataFrame, max_gap_s: float | None) -> tuple[_Floats, _Floats, _Bools]:
    """Per row: the counter's increase and the time since the previous row, and whether that step is usable."""
    n = len(ordered)
    v, t = ordered["value"].to_numpy(dtype=np.float64), ordered["t"].to_numpy(dtype=np.float64)
    dv, dt = np.full(n, np.nan), np.full(n, np.nan)
    dv[1:], dt[1:] = v[1:] - v[:-1], t[1:] - t[:-1]
    with np.errstate(invalid="ignore"):
        ok = _continues(ordered) & (dt > 0) & (dv >= 0)  # NaN compares False: missing values give no step
        if max_gap_s is not None:
            ok &= dt <= max_gap_s
    return dv, dt, ok


def _rename(frame: pd.DataFrame) -> pd.DataFrame:
    frame["metric"] = frame["metric"].cat.remove_unused_categories().cat.rename_categories(lambda m: m + RATE_SUFFIX)
    frame["unit"] = frame["unit"].cat.remove_unused_categories().cat.rename_categories(lambda u: f"{u or '1'}/s")
    return frame


def counter_rates(
    frame: pd.DataFrame, metrics: Collection[str] | None = None, *, max_gap_s: float | None = None
) -> pd.DataFrame:
    """Per-second rates of counters, as a tidy frame with one row per input row.

    A row's rate covers the interval since the previous row of its group. The
    first row of each segment, and every interval touching a missing value,
    is NaN (never 0). Metrics become ``<metric>_per_s``, units ``<unit>/s``.

    Args:
        frame: a tidy frame (see frames.py).
        metrics: the counters to differentiate; None means every metric.
        max_gap_s: intervals longer than this get no rate (e.g. a suspended device).

    Raises:
        ValueError: a selected metric is already a rate, or the frame is malformed.
    """
    ordered = _prepare(frame, metrics)
    dv, dt, ok = _steps(ordered, max_gap_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(ok, dv / dt, np.nan)
    return _rename(ordered.assign(value=rate).reset_index(drop=True))


def mean_rates(
    frame: pd.DataFrame, metrics: Collection[str] | None = None, *, max_gap_s: float | None = None
) -> pd.DataFrame:
    """One mean rate per (device, variant, iteration, metric): total increase over total time.

    Only usable steps count, so resets, reboots and missing samples neither
    subtract nor inflate. A group with no usable step gets NaN. Columns:
    device, variant, iteration, metric (``_per_s``), value, unit, seconds (the
    time the mean covers).
    """
    ordered = _prepare(frame, metrics)
    dv, dt, ok = _steps(ordered, max_gap_s)
    steps = ordered[list(GROUP)].assign(increase=np.where(ok, dv, 0.0), seconds=np.where(ok, dt, 0.0))
    steps["unit"] = ordered["unit"]
    sums = steps.groupby(list(GROUP), observed=True, sort=True).agg(
        increase=("increase", "sum"), seconds=("seconds", "sum"), unit=("unit", "first")
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(sums["seconds"] > 0, sums["increase"] / sums["seconds"], np.nan)
    out = sums.reset_index().assign(value=value)
    out["unit"] = out["unit"].astype(ordered["unit"].dtype)
    return _rename(out[[*GROUP, "value", "unit", "seconds"]])


def counter_segments(frame: pd.DataFrame, *, max_gap_s: float | None = None) -> pd.Series:
    """A segment number per row, aligned on ``frame``'s index (numbered from 0 in group order).

    A segment is a run of one group's rows over which the counter never went
    down, the boot id stayed the same and time advanced. A missing value does
    not end a segment: the next present value is compared with the last one.
    """
    order = _group_order(_select(frame, None))
    ordered = frame.take(order)
    n = len(ordered)
    idx = np.arange(n)
    cont = _continues(ordered)
    v, t = ordered["value"].to_numpy(dtype=np.float64), ordered["t"].to_numpy(dtype=np.float64)
    group_start = np.maximum.accumulate(np.where(cont, 0, idx))
    last_valid = np.maximum.accumulate(np.where(np.isnan(v), -1, idx))  # last present value at or before a row
    prev_valid = np.concatenate(([-1], last_valid[:-1]))
    has_prev = prev_valid >= group_start
    dt = np.concatenate(([np.nan], np.diff(t)))
    with np.errstate(invalid="ignore"):
        went_down = has_prev & (v < v[np.maximum(prev_valid, 0)])
        new = ~cont | ~(dt > 0) | went_down
        if max_gap_s is not None:
            new |= dt > max_gap_s
    segment = np.empty(n, dtype=np.int64)
    segment[order] = np.cumsum(new) - 1
    return pd.Series(segment, index=frame.index, name="segment")
