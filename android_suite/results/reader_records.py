"""Loading one run's per-iteration records (samples, launches, frames, kills, energy) as frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Select, Table, select

from android_suite.analysis.frames import BOOT_ID
from android_suite.results import columns as col
from android_suite.results.schema import boots, iterations, metrics
from android_suite.results.schema import energy as energy_table
from android_suite.results.schema import frames as frames_table
from android_suite.results.schema import kills as kills_table
from android_suite.results.schema import launches as launches_table
from android_suite.results.schema import samples as samples_table


@dataclass(frozen=True)
class IterationKeys:
    """A run's iterations by integer key, to label child rows with device/variant/iteration."""

    ids: col.IntArray
    device: list[str]
    variant: list[str]
    iteration: col.IntArray

    def key_frame(self, refs: col.IntArray) -> pd.DataFrame:
        """device (category), variant (category), iteration (int64) for each iteration key in ``refs``."""
        pos = np.asarray(pd.Index(self.ids).get_indexer(pd.Index(refs)), dtype=np.int64)
        return pd.DataFrame(
            {
                "device": col.categorical(pos, dict(enumerate(self.device))),
                "variant": col.categorical(pos, dict(enumerate(self.variant))),
                "iteration": self.iteration[pos] if pos.size else np.empty(0, dtype=np.int64),
            }
        )


def _rows(conn: Connection, table: Table, run_ref: int, names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    query = (
        select(table.c.iteration_ref, *(table.c[n] for n in names))
        .select_from(table.join(iterations, table.c.iteration_ref == iterations.c.id))
        .where(iterations.c.run_ref == run_ref)
        .order_by(table.c.id)
    )
    return [tuple(r) for r in conn.execute(query)]


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def samples(conn: Connection, run_ref: int, keys: IterationKeys) -> pd.DataFrame:
    """The tidy sample frame (android_suite.analysis.frames dtypes), in insertion order."""
    s = samples_table
    query = (
        select(s.c.id, s.c.iteration_ref, s.c.t, s.c.metric_ref, s.c.value, s.c.boot_ref)
        .select_from(s.join(iterations, s.c.iteration_ref == iterations.c.id))
        .where(iterations.c.run_ref == run_ref)
    )
    table = _fetch_floats(conn, query, 6)
    # Sorting here is cheaper than ORDER BY: the index scan comes back nearly in order anyway.
    table = table[np.argsort(table[:, 0], kind="stable")]
    its, t, mref, value, bref = (table[:, k] for k in range(1, 6))
    mref_a = mref.astype(np.int64)
    boot_a = np.nan_to_num(bref, nan=-1.0).astype(np.int64)
    frame = keys.key_frame(its.astype(np.int64))
    names, units = _metric_labels(conn, mref_a)
    frame["t"] = np.ascontiguousarray(t)
    frame["metric"] = col.categorical(mref_a, names)
    frame["value"] = np.ascontiguousarray(value)  # NULL -> NaN
    frame["unit"] = col.categorical(mref_a, units)
    if (boot_a >= 0).any():
        frame[BOOT_ID] = col.categorical(boot_a, _boot_labels(conn, boot_a))
    return frame


def _fetch_floats(conn: Connection, query: Select[Any], width: int) -> npt.NDArray[np.float64]:
    """All rows of a numeric query as one float64 array (NULL -> NaN), straight from the driver.

    SQLAlchemy's Row objects cost more than the database itself at a million
    rows; the driver's tuples go to numpy in chunks instead. Keys stay exact
    as floats up to 2**53.
    """
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql)
        chunks = [np.empty((0, width), dtype=np.float64)]
        while rows := cursor.fetchmany(200_000):
            chunks.append(np.asarray(rows, dtype=np.float64))
    finally:
        cursor.close()
    return np.concatenate(chunks)


def _metric_labels(conn: Connection, refs: col.IntArray) -> tuple[dict[int, str | None], dict[int, str | None]]:
    wanted = [int(x) for x in np.unique(refs)]
    if not wanted:
        return {}, {}
    rows = conn.execute(select(metrics.c.id, metrics.c.name, metrics.c.unit).where(metrics.c.id.in_(wanted))).all()
    return {int(r[0]): r[1] for r in rows}, {int(r[0]): r[2] for r in rows}


def _boot_labels(conn: Connection, refs: col.IntArray) -> dict[int, str | None]:
    wanted = [int(x) for x in np.unique(refs) if x >= 0]
    rows = conn.execute(select(boots.c.id, boots.c.boot_id).where(boots.c.id.in_(wanted))).all()
    return {int(r[0]): r[1] for r in rows}


def launches(conn: Connection, run_ref: int, keys: IterationKeys) -> pd.DataFrame:
    """One row per app launch."""
    names = ("package", "launch_state", "total_time_ms", "wait_time_ms", "status", "extra")
    its, pkg, state, total, wait, status, extra = _columns(_rows(conn, launches_table, run_ref, names), 7)
    frame = keys.key_frame(np.asarray(its, dtype=np.int64))
    frame["package"] = col.strings_as_category(pkg)
    frame["launch_state"] = col.strings_as_category(state)
    frame["total_time_ms"] = col.floats(total)
    frame["wait_time_ms"] = col.floats(wait)
    frame["status"] = col.strings_as_category(status)
    return col.add_extras(frame, extra)


def frames(conn: Connection, run_ref: int, keys: IterationKeys) -> pd.DataFrame:
    """One row per rendered frame."""
    its, pkg, ms, janky = _columns(_rows(conn, frames_table, run_ref, ("package", "frame_ms", "janky")), 4)
    frame = keys.key_frame(np.asarray(its, dtype=np.int64))
    frame["package"] = col.strings_as_category(pkg)
    frame["frame_ms"] = col.floats(ms)
    frame["janky"] = np.asarray([bool(j) for j in janky], dtype=bool)
    return frame


def kills(conn: Connection, run_ref: int, keys: IterationKeys) -> pd.DataFrame:
    """One row per process killed for memory."""
    names = ("t", "process", "oom_score_adj", "rss_kb", "swap_kb", "reason", "extra")
    its, t, proc, adj, rss, swap, reason, extra = _columns(_rows(conn, kills_table, run_ref, names), 8)
    frame = keys.key_frame(np.asarray(its, dtype=np.int64))
    frame["t"] = col.floats(t)
    frame["process"] = col.strings_as_category(proc)
    frame["oom_score_adj"] = col.ints(adj)
    frame["rss_kb"] = col.floats(rss)
    frame["swap_kb"] = col.floats(swap)
    frame["reason"] = col.strings_as_category(reason)
    return col.add_extras(frame, extra)


def energy(conn: Connection, run_ref: int, keys: IterationKeys) -> pd.DataFrame:
    """One row per iteration whose energy was measured."""
    its, joules, mah, charging, extra = _columns(
        _rows(conn, energy_table, run_ref, ("joules", "mah", "charging_s", "extra")), 5
    )
    frame = keys.key_frame(np.asarray(its, dtype=np.int64))
    frame["joules"] = col.floats(joules)
    frame["mah"] = col.floats(mah)
    frame["charging_s"] = col.floats(charging)
    return col.add_extras(frame, extra)
