"""The record schema: one SQLAlchemy Core ``MetaData``, the same on SQLite and PostgreSQL.

A run -> devices -> iterations (variant, index, warm-up, valid + reason) ->
samples / launches / frames / kills / energy. Child rows point at their
iteration through an integer key (``iterations.id``), not by repeating the
serial and variant, because a 10-minute run at 100 ms with 200 metrics is
1.2 M sample rows and every byte per row counts. For the same reason metric
names and boot ids are interned in small lookup tables shared by all runs.

Times: ``runs.started_at``/``finished_at`` are ISO 8601 UTC text (as
:class:`~android_suite.results.rundata.RunData` carries them); iteration
wall-clock times and heartbeats are float seconds since the epoch (UTC), so
they compare and sort the same way on both backends.

Fields a record has beyond its table's columns go to the ``extra`` JSON text
column and come back as extra frame columns (the RunData contract allows them).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# SQLite makes only an ``INTEGER PRIMARY KEY`` the rowid alias (free, and
# filled in on insert); ``BIGINT PRIMARY KEY`` would be a separate column.
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()


def _ref(name: str, target: str) -> Column[int]:
    return Column(name, BigId, ForeignKey(target, ondelete="CASCADE"), nullable=False)


meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("run_id", String(36), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # running | complete | incomplete
    Column("status_reason", Text, nullable=False, default=""),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40), nullable=False, default=""),
    Column("context", Text, nullable=False),  # JSON object
    Column("schema_version", Integer, nullable=False),
    # Who writes the run, so that a later open can tell a live writer from a dead one.
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("pid_start", BigInteger, nullable=True),  # /proc/<pid>/stat starttime: guards against pid reuse
    Column("heartbeat_at", Float, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _ref("run_ref", "runs.id"),
    Column("device", String(255), nullable=False),
    Column("model", Text),
    Column("soc_vendor", Text),
    Column("soc_model", Text),
    Column("kind", String(32)),
    Column("android_release", Text),
    Column("sdk", Integer),
    Column("kernel_version", Text),
    Column("ram_kb", BigInteger),
    Column("build_fingerprint", Text),
    Column("extra", Text, nullable=False, default="{}"),
    UniqueConstraint("run_ref", "device"),
)

iterations = Table(
    "iterations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _ref("run_ref", "runs.id"),
    Column("device", String(255), nullable=False),
    Column("variant", String(64), nullable=False),
    Column("iteration", Integer, nullable=False),
    Column("warmup", Boolean, nullable=False),
    Column("valid", Boolean, nullable=True),  # NULL while the iteration is open
    Column("reason", Text, nullable=False, default=""),
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float, nullable=True),
    Column("mechanism", String(16), nullable=False),
    Column("comp_algorithm", Text),
    Column("extra", Text, nullable=False, default="{}"),
    UniqueConstraint("run_ref", "device", "variant", "iteration"),
)

metrics = Table(
    "metrics",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("unit", String(64), nullable=False),
    UniqueConstraint("name", "unit"),
)

boots = Table(
    "boots",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("boot_id", String(64), nullable=False, unique=True),
)

samples = Table(
    "samples",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),  # insertion order
    _ref("iteration_ref", "iterations.id"),
    Column("t", Float, nullable=False),
    # No foreign keys to the lookups: on PostgreSQL each costs a trigger per row
    # (1.2 M per run, measured to halve COPY speed each), and the lookups are
    # append-only, so a key that was interned can never dangle.
    Column("metric_ref", BigId, nullable=False),  # metrics.id
    Column("value", Float, nullable=True),  # NULL: not measured (NaN in frames)
    Column("boot_ref", BigId, nullable=True),  # boots.id
    Index("ix_samples_iteration", "iteration_ref"),
)

launches = Table(
    "launches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _ref("iteration_ref", "iterations.id"),
    Column("package", Text, nullable=False),
    Column("launch_state", String(32)),  # None before Android 10, which does not print it
    Column("total_time_ms", Float),
    Column("wait_time_ms", Float),
    Column("status", String(16)),
    Column("extra", Text, nullable=False, default="{}"),
    Index("ix_launches_iteration", "iteration_ref"),
)

frames = Table(
    "frames",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _ref("iteration_ref", "iterations.id"),
    Column("package", Text, nullable=False),
    Column("frame_ms", Float, nullable=False),
    Column("janky", Boolean, nullable=False),
    Index("ix_frames_iteration", "iteration_ref"),
)

kills = Table(
    "kills",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _ref("iteration_ref", "iterations.id"),
    Column("t", Float),
    Column("process", Text),
    Column("oom_score_adj", Integer),
    Column("rss_kb", Float),
    Column("swap_kb", Float),
    Column("reason", Text),
    Column("extra", Text, nullable=False, default="{}"),
    Index("ix_kills_iteration", "iteration_ref"),
)

energy = Table(
    "energy",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _ref("iteration_ref", "iterations.id"),
    Column("joules", Float),
    Column("mah", Float),
    Column("charging_s", Float),
    Column("extra", Text, nullable=False, default="{}"),
    Index("ix_energy_iteration", "iteration_ref"),
)

# Farm tables (schema version 2; android_suite/farm). A lease row exists while
# a session holds a device; ``serial`` as the primary key is what makes taking
# one atomic on both backends (a second INSERT fails, a take-over is a
# conditional UPDATE). Times are float seconds since the epoch, as heartbeats.
leases = Table(
    "leases",
    metadata,
    Column("serial", String(255), primary_key=True),
    Column("holder", String(255), nullable=False),  # host:pid:token of the session holding it
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("acquired_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),  # renewed by the holder's heartbeat
)

# Devices the health gate took out of service, with why; kept as history.
quarantine = Table(
    "quarantine",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("serial", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", Float, nullable=False),
    Column("host", String(255), nullable=False),
    Column("test", Text, nullable=False, default=""),  # the test that was about to run
    Index("ix_quarantine_serial", "serial"),
)

FARM_TABLES = (leases, quarantine)

# The per-iteration record tables, in the order RunData lists them.
RECORD_TABLES = (samples, launches, frames, kills, energy)
