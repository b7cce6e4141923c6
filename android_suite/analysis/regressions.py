"""Regressions in a nightly history: change points judged by each metric's good direction.

The history frame has one row per night, device and metric (columns
HISTORY_COLUMNS); ``night`` is anything that sorts (a date, or an int). Every
(device, metric) series is searched with :mod:`android_suite.analysis.changepoint`
under ONE Bonferroni budget, so adding devices or metrics does not add false
alarms. A change in the metric's bad direction is a regression; its night is
the first bad night. A regression is *ongoing* when the latest level is
still worse than the level before it by at least ``min_effect``: that, not a
regression that has since been fixed, is what fails a nightly build.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from android_suite.analysis.changepoint import ChangePointOptions, candidate_count, find_changes
from android_suite.analysis.directions import Direction, direction_of

HISTORY_COLUMNS = ["night", "device", "metric", "value", "ci_low", "ci_high"]
CHANGE_COLUMNS = ["device", "metric", "night", "index", "before", "after", "rel_change", "p_value", "kind", "ongoing"]


def _series(history: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    clean = history.dropna(subset=["value"])
    return [
        (str(device), str(metric), group.sort_values("night"))
        for (device, metric), group in clean.groupby(["device", "metric"], sort=True, observed=True)
    ]


def _kind(direction: Direction, rel: float) -> str:
    if direction is Direction.NEUTRAL:
        return "change"
    worse = rel > 0 if direction is Direction.DOWN else rel < 0
    return "regression" if worse else "improvement"


def detect_changes(history: pd.DataFrame, options: ChangePointOptions | None = None) -> pd.DataFrame:
    """Every change point of every series, classified (CHANGE_COLUMNS), in device, metric, night order."""
    opts = options or ChangePointOptions()
    series = _series(history)
    tests = sum(candidate_count(len(g), opts.min_segment) for _, _, g in series)
    rows: list[tuple[object, ...]] = []
    for device, metric, group in series:
        x = group["value"].to_numpy(dtype=np.float64)
        nights = group["night"].tolist()
        direction = direction_of(metric)
        latest = None
        changes = find_changes(x, opts, tests=tests)
        if changes:
            latest = float(x[changes[-1].index :].mean())
        for cp in changes:
            rel = cp.rel_change
            kind = _kind(direction, rel)
            ongoing = False
            if kind == "regression" and latest is not None and cp.before != 0:
                now = latest / cp.before - 1.0
                ongoing = bool(now >= opts.min_effect if direction is Direction.DOWN else now <= -opts.min_effect)
            rows.append(
                (device, metric, nights[cp.index], cp.index, cp.before, cp.after, rel, cp.p_value, kind, ongoing)
            )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def detect_regressions(history: pd.DataFrame, options: ChangePointOptions | None = None) -> pd.DataFrame:
    """Only the regressions (ongoing or not) among :func:`detect_changes`."""
    changes = detect_changes(history, options)
    return changes[changes["kind"] == "regression"].reset_index(drop=True)
