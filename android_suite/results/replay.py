"""Write a whole RunData through a RunWriter: for imports, the demo, tests and benchmarks.

A run loaded back from the store equals the one written (same rows, same
order, contract dtypes), which is what the store's round-trip tests check.
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

from android_suite.results.lifecycle import COMPLETE, FINAL_STATUSES
from android_suite.results.rundata import (
    ENERGY_COLUMNS,
    ITERATION_COLUMNS,
    KILL_COLUMNS,
    LAUNCH_COLUMNS,
    RunData,
)
from android_suite.results.writer import RunWriter
from android_suite.results.writer_sql import IterationKey

_KEY = ("device", "variant", "iteration")


def write_run_data(writer: RunWriter, run: RunData, *, finish: bool = True) -> str:
    """Record ``run`` as a new run (a new run id); returns that id.

    With ``finish`` the run ends with ``run.status`` ("complete" when it was
    still "running"); without, it is left running for the caller to go on.
    """
    run_id = writer.begin_run(run.context)
    for device in _records(run.devices):
        writer.add_device(device)
    ended: list[tuple[IterationKey, dict[str, Any]]] = []
    for it in _records(run.iterations):
        fields = {k: it.pop(k) for k in ITERATION_COLUMNS if k in it}
        key = writer.begin_iteration(
            str(fields["device"]),
            str(fields["variant"]),
            int(fields["iteration"]),
            warmup=bool(fields.get("warmup", False)),
            mechanism=str(fields.get("mechanism") or "none"),
            comp_algorithm=fields.get("comp_algorithm"),
            at=_epoch(fields.get("started_at")),
            **it,
        )
        ended.append((key, fields))
    writer.add_samples(run.samples)
    _per_row(writer.add_launch, run.launches, LAUNCH_COLUMNS)
    _frames(writer, run.frames)
    _per_row(writer.add_kill, run.kills, KILL_COLUMNS)
    _per_row(writer.add_energy, run.energy, ENERGY_COLUMNS)
    for key, fields in ended:
        valid = bool(fields.get("valid", True))
        reason = str(fields.get("reason") or "") or ("invalid (no reason recorded)" if not valid else "")
        writer.end_iteration(key, valid=valid, reason=reason, at=_epoch(fields.get("ended_at")))
    if finish:
        status = run.status if run.status in FINAL_STATUSES else COMPLETE
        writer.finish(status, run.status_reason)
    return run_id


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (NaN/NaT/<NA> -> None)."""
    out = []
    for rec in frame.to_dict("records"):
        out.append({str(k): (None if _missing(v) else v) for k, v in rec.items()})
    return out


def _missing(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # lists, dicts: present
        return False


def _epoch(value: Any) -> float | None:
    return None if value is None else pd.Timestamp(value).timestamp()


def _key(rec: dict[str, Any]) -> IterationKey:
    return IterationKey(str(rec.pop("device")), str(rec.pop("variant")), int(rec.pop("iteration")))


def _per_row(add: Any, frame: pd.DataFrame, columns: dict[str, str]) -> None:
    for rec in _records(frame):
        key = _key(rec)
        for name in columns:
            if name not in _KEY:
                rec.setdefault(name, None)
        add(key, **rec)


def _frames(writer: RunWriter, frame: pd.DataFrame) -> None:
    """One add_frames call per stretch of consecutive rows with one iteration and package (keeps the order)."""
    if frame.empty:
        return
    cols = [*_KEY, "package"]
    keys = frame[cols].astype(str)
    starts = [*(keys != keys.shift()).any(axis=1).to_numpy().nonzero()[0].tolist(), len(frame)]
    ms, janky = frame["frame_ms"].to_numpy(), frame["janky"].to_numpy()
    for a, b in itertools.pairwise(starts):
        row = frame.iloc[a]
        key = IterationKey(str(row["device"]), str(row["variant"]), int(row["iteration"]))
        writer.add_frames(key, str(row["package"]), ms[a:b].tolist(), [bool(j) for j in janky[a:b]])
