"""The nightly history table (``nightly_history``), beside the result store's tables.

One row per night, device and metric: the treatment arm's centre (mean, or
median for latency) over that night's compared iterations, with its
bootstrap interval, plus the night's A/B change and verdict for reference.
The treatment arm is what ships, so its level is what a nightly watches;
the A/B change is kept to explain a regression, not to detect it.

SQLAlchemy Core on the store's own URL handling and engine set-up
(``android_suite.results.engine``: SQLite in WAL mode with a busy timeout,
or PostgreSQL), so a nightly can ingest while a run is being written.
Re-ingesting a night replaces its rows (same primary key).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Column, Engine, Float, MetaData, PrimaryKeyConstraint, String, Table, and_, or_, select

from android_suite.analysis.ab import RunAnalysis
from android_suite.analysis.directions import centre_of
from android_suite.analysis.regressions import HISTORY_COLUMNS
from android_suite.analysis.stats_bootstrap import bootstrap_centre
from android_suite.errors import ConfigError
from android_suite.results.rundata import RunData

TABLE_NAME = "nightly_history"
EXTRA_COLUMNS = ["unit", "variant", "rel_change", "verdict", "run_id"]

metadata = MetaData()
nightly_history = Table(
    TABLE_NAME,
    metadata,
    Column("night", String(10), nullable=False),  # ISO date, UTC
    Column("device", String(200), nullable=False),
    Column("metric", String(200), nullable=False),
    Column("value", Float),
    Column("ci_low", Float),
    Column("ci_high", Float),
    Column("unit", String(50), nullable=False, default=""),
    Column("variant", String(100), nullable=False, default=""),
    Column("rel_change", Float),
    Column("verdict", String(50), nullable=False, default=""),
    Column("run_id", String(100), nullable=False, default=""),
    PrimaryKeyConstraint("night", "device", "metric"),
)


def open_history(target: str) -> Engine:
    """An engine on ``target`` (path or URL) with the history table created if missing.

    Raises:
        ConfigError: a bad location, or the result store's engine module is missing.
    """
    try:
        from android_suite.results.engine import make_engine, parse_url
    except ImportError as exc:
        raise ConfigError(f"the result store (android_suite.results.engine) is not available: {exc}") from exc
    engine = make_engine(parse_url(target))
    metadata.create_all(engine, checkfirst=True)
    return engine


def _sql(value: Any) -> Any:
    """NaN is 'not measured': NULL in SQL, never 0."""
    if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def write_history(engine: Engine, rows: pd.DataFrame) -> int:
    """Insert ``rows`` (HISTORY_COLUMNS + EXTRA_COLUMNS), replacing any with the same night, device, metric."""
    if rows.empty:
        return 0
    names = [c.name for c in nightly_history.columns]
    records = [{c: _sql(r.get(c)) for c in names if c in r} for r in rows.to_dict("records")]
    from android_suite.results.engine import WRITE_OPTION  # present: open_history imported it

    t = nightly_history.c
    keys = [and_(t.night == r["night"], t.device == r["device"], t.metric == r["metric"]) for r in records]
    # Take SQLite's write lock at BEGIN (the store's convention): a run may be writing the same file.
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        for start in range(0, len(keys), 200):  # bounded OR lists: SQLite's expression depth limit
            conn.execute(nightly_history.delete().where(or_(*keys[start : start + 200])))
        conn.execute(nightly_history.insert(), records)
    return len(records)


def read_history(engine: Engine) -> pd.DataFrame:
    """Every row, nights as ``datetime64``, sorted by device, metric, night."""
    with engine.connect() as conn:
        result = conn.execute(select(nightly_history))
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if frame.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS + EXTRA_COLUMNS)
    frame["night"] = pd.to_datetime(frame["night"])
    for c in ("value", "ci_low", "ci_high", "rel_change"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(np.float64)
    return frame.sort_values(["device", "metric", "night"], ignore_index=True)


def night_of(run: RunData) -> str:
    """The run's night: the UTC date it started (today when unknown)."""
    if run.started_at:
        stamp = pd.Timestamp(run.started_at)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return str(stamp.date())
    return datetime.now(UTC).date().isoformat()


def history_rows(run: RunData, analysis: RunAnalysis, night: str | None = None) -> pd.DataFrame:
    """One run's rows for the history table: the treatment arm's centre and interval per device and metric."""
    values = analysis.metrics.values
    treated = values[values["variant"] == analysis.treatment]
    verdicts = {(str(v["device"]), str(v["metric"])): v for v in analysis.verdicts.to_dict("records")}
    rng = np.random.default_rng(analysis.options.seed)
    rows: list[dict[str, object]] = []
    for (device, metric), group in treated.groupby(["device", "metric"], sort=True):
        x = group["value"].to_numpy(dtype=np.float64)
        x = x[np.isfinite(x)]
        centre, low, high = bootstrap_centre(
            x, centre_of(str(metric)), n_boot=analysis.options.n_boot, confidence=analysis.options.confidence, rng=rng
        )
        ref = verdicts.get((str(device), str(metric)))
        rows.append(
            {
                "night": night or night_of(run),
                "device": str(device),
                "metric": str(metric),
                "value": centre,
                "ci_low": low,
                "ci_high": high,
                "unit": str(group["unit"].iloc[0]),
                "variant": analysis.treatment,
                "rel_change": float(ref["rel_change"]) if ref is not None else float("nan"),
                "verdict": str(ref["verdict"]) if ref is not None else "",
                "run_id": run.run_id,
            }
        )
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS + EXTRA_COLUMNS)
