"""Reading runs back: summaries, and one run as a RunData (the only thing analysis sees)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select

from android_suite.errors import ConfigError
from android_suite.results import columns as col
from android_suite.results import reader_records as records
from android_suite.results.rundata import DEVICE_COLUMNS, RunData
from android_suite.results.schema import devices, iterations, runs


@dataclass(frozen=True)
class RunSummary:
    """One row of :func:`list_runs`: a run without its records."""

    run_id: str
    status: str
    status_reason: str
    started_at: str
    finished_at: str
    schema_version: int
    host: str
    pid: int
    heartbeat_at: float
    context: dict[str, Any]


def list_runs(engine: Engine, status: str | None = None) -> list[RunSummary]:
    """Every run (or those with ``status``), oldest first."""
    query = select(runs).order_by(runs.c.started_at, runs.c.id)
    if status is not None:
        query = query.where(runs.c.status == status)
    with engine.connect() as conn:
        return [_summary(row._mapping) for row in conn.execute(query)]


def latest_run(engine: Engine, status: str | None = None) -> RunSummary | None:
    """The most recently started run (with ``status``, if given), or None."""
    query = select(runs).order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(1)
    if status is not None:
        query = query.where(runs.c.status == status)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _summary(row._mapping)


def _summary(m: Any) -> RunSummary:
    return RunSummary(
        run_id=m["run_id"],
        status=m["status"],
        status_reason=m["status_reason"],
        started_at=m["started_at"],
        finished_at=m["finished_at"],
        schema_version=int(m["schema_version"]),
        host=m["host"],
        pid=int(m["pid"]),
        heartbeat_at=float(m["heartbeat_at"]),
        context=json.loads(m["context"]),
    )


def load_run(engine: Engine, run_id: str) -> RunData:
    """Load one run, whatever its status (a running one as far as it got).

    Raises:
        ConfigError: no run with that id in the store.
    """
    with engine.connect() as conn, conn.begin():  # one snapshot for every table
        row = conn.execute(select(runs).where(runs.c.run_id == run_id)).first()
        if row is None:
            raise ConfigError(f"result store: no run {run_id!r}")
        m = row._mapping
        run_ref = int(m["id"])
        its, keys = _iterations(conn, run_ref)
        return RunData(
            run_id=m["run_id"],
            status=m["status"],
            started_at=m["started_at"],
            finished_at=m["finished_at"],
            context=json.loads(m["context"]),
            schema_version=int(m["schema_version"]),
            devices=_devices(conn, run_ref),
            iterations=its,
            samples=records.samples(conn, run_ref, keys),
            launches=records.launches(conn, run_ref, keys),
            frames=records.frames(conn, run_ref, keys),
            kills=records.kills(conn, run_ref, keys),
            energy=records.energy(conn, run_ref, keys),
            status_reason=m["status_reason"],
        )


def _devices(conn: Connection, run_ref: int) -> pd.DataFrame:
    rows = conn.execute(select(devices).where(devices.c.run_ref == run_ref).order_by(devices.c.id)).all()
    data: dict[str, Any] = {}
    for name in DEVICE_COLUMNS:
        values = [r._mapping[name] for r in rows]
        if name == "sdk":
            data[name] = col.ints(values)
        elif name == "ram_kb":
            data[name] = col.floats(values)
        else:
            data[name] = pd.Series(values, dtype="str")
    return col.add_extras(pd.DataFrame(data), [r._mapping["extra"] for r in rows])


def _iterations(conn: Connection, run_ref: int) -> tuple[pd.DataFrame, records.IterationKeys]:
    query = select(iterations).where(iterations.c.run_ref == run_ref).order_by(iterations.c.id)
    rows = [r._mapping for r in conn.execute(query)]
    keys = records.IterationKeys(
        ids=np.asarray([r["id"] for r in rows], dtype=np.int64),
        device=[r["device"] for r in rows],
        variant=[r["variant"] for r in rows],
        iteration=np.asarray([r["iteration"] for r in rows], dtype=np.int64),
    )
    frame = keys.key_frame(keys.ids)
    frame["warmup"] = np.asarray([bool(r["warmup"]) for r in rows], dtype=bool)
    # An iteration still open (or cut short) is not valid: it cannot be compared.
    frame["valid"] = np.asarray([bool(r["valid"]) for r in rows], dtype=bool)
    reasons = [r["reason"] or ("not ended" if r["valid"] is None else "") for r in rows]
    frame["reason"] = pd.Series(reasons, dtype="str")
    frame["started_at"] = col.utc_times([r["started_at"] for r in rows])
    frame["ended_at"] = col.utc_times([r["ended_at"] for r in rows])
    frame["mechanism"] = col.strings_as_category([r["mechanism"] for r in rows])
    frame["comp_algorithm"] = col.strings_as_category([r["comp_algorithm"] for r in rows])
    return col.add_extras(frame, [r["extra"] for r in rows]), keys
