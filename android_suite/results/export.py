"""Parquet export of one run: a directory with one file per table, readable by pandas/pyarrow alone.

Files: ``run.parquet`` (one row: id, status, times, schema version, context as
JSON text) and ``devices``, ``iterations``, ``samples``, ``launches``,
``frames``, ``kills``, ``energy``: the RunData frames as loaded, so the
iteration keys are spelled out (device, variant, iteration), not the store's
integer keys. Categories become Parquet dictionary columns.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from android_suite.results.rundata import RunData

TABLES = ("devices", "iterations", "samples", "launches", "frames", "kills", "energy")


def export_parquet(run: RunData, directory: Path) -> dict[str, Path]:
    """Write ``run`` into ``directory`` (created if needed); returns table name -> file.

    Each file is written under a temporary name and renamed, so a reader never
    sees half a file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    head = pd.DataFrame(
        {
            "run_id": [run.run_id],
            "status": [run.status],
            "status_reason": [run.status_reason],
            "started_at": [run.started_at],
            "finished_at": [run.finished_at],
            "schema_version": [run.schema_version],
            "context": [json.dumps(run.context, sort_keys=True, default=str)],
        }
    )
    written = {"run": _write(head, directory / "run.parquet")}
    for name in TABLES:
        written[name] = _write(_arrow_safe(getattr(run, name)), directory / f"{name}.parquet")
    return written


def _write(frame: pd.DataFrame, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_parquet(tmp, engine="pyarrow", index=False)
    os.replace(tmp, path)
    return path


def _arrow_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Extra columns may mix Python types (a number here, text there); Arrow wants one type."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype != object:
            continue
        kinds = {type(v) for v in out[name] if v is not None and v == v}
        if len(kinds) > 1:
            out[name] = [None if v is None or v != v else str(v) for v in out[name]]
    return out
