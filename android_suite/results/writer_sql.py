"""The SQL behind RunWriter: one small function per statement, each inside the caller's transaction."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table

from android_suite.results.bulk import intern
from android_suite.results.engine import WRITE_OPTION
from android_suite.results.lifecycle import RUNNING, WriterIdentity, iso_utc
from android_suite.results.rundata import DEVICE_COLUMNS, SCHEMA_VERSION
from android_suite.results.schema import (
    boots,
    devices,
    energy,
    frames,
    iterations,
    kills,
    launches,
    metrics,
    runs,
    samples,
)

__all__ = ["frames", "samples"]

LAUNCH_COLUMNS = ("package", "launch_state", "total_time_ms", "wait_time_ms", "status", "extra")
FRAME_COLUMNS = ("iteration_ref", "package", "frame_ms", "janky")
KILL_COLUMNS = ("t", "process", "oom_score_adj", "rss_kb", "swap_kb", "reason", "extra")
ENERGY_COLUMNS = ("joules", "mah", "charging_s", "extra")
TABLE_OF: dict[tuple[str, ...], Table] = {LAUNCH_COLUMNS: launches, KILL_COLUMNS: kills, ENERGY_COLUMNS: energy}
_DEVICE_FIELDS = tuple(c for c in DEVICE_COLUMNS if c != "device")
_INT_FIELDS = ("sdk", "ram_kb")


@dataclass(frozen=True)
class IterationKey:
    """Names one iteration of a run: what begin_iteration returns and record methods take."""

    device: str
    variant: str
    iteration: int

    @property
    def tuple(self) -> tuple[str, str, int]:
        """(device, variant, iteration), the key tidy samples carry."""
        return (self.device, self.variant, self.iteration)


class Tx:
    """Opens a write transaction (BEGIN IMMEDIATE on SQLite) that commits on leaving the block."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def __call__(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn


def dumps(extra: Mapping[str, Any]) -> str:
    """JSON text for a record's extra fields (non-JSON values become strings)."""
    return json.dumps(dict(extra), sort_keys=True, default=str)


def insert_run(
    conn: Connection, context: Mapping[str, Any], run_id: str | None, ident: WriterIdentity, now: float
) -> tuple[int, str]:
    """Insert a "running" run; returns (its integer key, its run id)."""
    rid = run_id or str(uuid.uuid4())
    values = {
        "run_id": rid,
        "status": RUNNING,
        "status_reason": "",
        "started_at": iso_utc(now),
        "finished_at": "",
        "context": dumps(context),
        "schema_version": SCHEMA_VERSION,
        "host": ident.host,
        "pid": ident.pid,
        "pid_start": ident.pid_start,
        "heartbeat_at": now,
    }
    key = conn.execute(runs.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0]), rid


def beat(conn: Connection, run_ref: int, now: float) -> None:
    """Refresh the run's heartbeat: its writer is alive."""
    conn.execute(runs.update().where(runs.c.id == run_ref).values(heartbeat_at=now))


def device_row(info: Any) -> dict[str, Any]:
    """A devices-table row from a DeviceInfo-like object or mapping (see RunWriter.add_device)."""
    fields = dict(info.to_dict() if hasattr(info, "to_dict") else info)
    if "serial" in fields:
        serial = fields.pop("serial")
        if "device" in fields:
            fields["product_device"] = fields.pop("device")
    else:
        serial = fields.pop("device", None)
    if not serial:
        raise ValueError(f"device record without a serial: {fields}")
    row: dict[str, Any] = {"device": str(serial)}
    for name in _DEVICE_FIELDS:
        value = fields.pop(name, None)
        if name in _INT_FIELDS and value is not None and not (isinstance(value, float) and math.isnan(value)):
            value = int(value)
        elif isinstance(value, float) and math.isnan(value):
            value = None
        row[name] = value
    row["extra"] = dumps(fields)
    return row


def insert_device(conn: Connection, run_ref: int, row: Mapping[str, Any]) -> None:
    """Insert one devices row."""
    conn.execute(devices.insert().values(run_ref=run_ref, **row))


def insert_iteration(
    conn: Connection,
    run_ref: int,
    key: IterationKey,
    warmup: bool,
    mechanism: str,
    comp_algorithm: str | None,
    extra: Mapping[str, Any],
    now: float,
) -> int:
    """Insert an open iteration; returns its integer key."""
    values = {
        "run_ref": run_ref,
        "device": key.device,
        "variant": key.variant,
        "iteration": key.iteration,
        "warmup": bool(warmup),
        "valid": None,
        "reason": "",
        "started_at": now,
        "ended_at": None,
        "mechanism": mechanism,
        "comp_algorithm": comp_algorithm,
        "extra": dumps(extra),
    }
    pk = conn.execute(iterations.insert().values(**values)).inserted_primary_key
    assert pk is not None
    return int(pk[0])


def end_iteration(
    conn: Connection, ref: int, valid: bool, reason: str, now: float, extra: Mapping[str, Any] | None = None
) -> None:
    """Close an iteration as valid or not; ``extra`` facts known only at the end join its extra columns."""
    values: dict[str, Any] = {"valid": valid, "reason": reason, "ended_at": now}
    if extra:
        old = conn.execute(iterations.select().with_only_columns(iterations.c.extra).where(iterations.c.id == ref))
        merged = json.loads(old.scalar() or "{}")
        merged.update(extra)
        values["extra"] = dumps(merged)
    conn.execute(iterations.update().where(iterations.c.id == ref).values(**values))


def intern_keys(
    conn: Connection, metric_keys: set[tuple[str, str]], boot_ids: set[str]
) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Ids for (metric, unit) pairs and boot ids, adding those the lookups lack."""
    found_metrics = intern(conn, metrics, ("name", "unit"), metric_keys)
    found_boots = intern(conn, boots, ("boot_id",), ((b,) for b in boot_ids))
    return (
        {(str(k[0]), str(k[1])): v for k, v in found_metrics.items()},
        {str(k[0]): v for k, v in found_boots.items()},
    )
