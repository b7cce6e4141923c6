"""Schema versions: create a new store, refuse a newer one, upgrade an older one.

The version lives in the ``meta`` table (key ``schema_version``) and equals
:data:`~android_suite.results.rundata.SCHEMA_VERSION` after a successful open.
A future version N+1 adds ``MIGRATIONS[N]``: a function that takes a
connection inside the open's write transaction and changes version N's tables
into N+1's (``ALTER TABLE``, back-fills). :func:`upgrade` chains them, so a
store several versions old is brought forward in one open, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, Engine, inspect, select, text

from android_suite.errors import ConfigError
from android_suite.results.engine import POSTGRESQL, WRITE_OPTION
from android_suite.results.rundata import SCHEMA_VERSION
from android_suite.results.schema import meta, metadata

VERSION_KEY = "schema_version"
# Any constant: serialises schema creation between processes opening one
# fresh PostgreSQL database at once (SQLite gets the same from BEGIN IMMEDIATE).
_PG_LOCK_KEY = 0x616E6473  # "ands"

Migration = Callable[[Connection], None]


def _add_farm_tables(conn: Connection) -> None:
    """1 -> 2: the farm's ``leases`` and ``quarantine`` tables (nothing else changes)."""
    from android_suite.results.schema import FARM_TABLES

    metadata.create_all(conn, tables=list(FARM_TABLES))


# from_version -> the step that turns that version's schema into from_version + 1.
MIGRATIONS: dict[int, Migration] = {1: _add_farm_tables}


def read_version(conn: Connection) -> int | None:
    """The store's schema version, or None when the database has no store yet.

    Raises:
        ConfigError: the database holds our tables but no version (not made by
            this suite, or damaged), or a version that is not an integer.
    """
    insp = inspect(conn)
    if not insp.has_table(meta.name):
        if insp.has_table("runs"):
            raise ConfigError("result store: the database has a 'runs' table but no schema version; not ours?")
        return None
    raw = conn.execute(select(meta.c.value).where(meta.c.key == VERSION_KEY)).scalar_one_or_none()
    if raw is None:
        raise ConfigError("result store: the meta table has no schema_version row")
    try:
        return int(raw)
    except ValueError as e:
        raise ConfigError(f"result store: schema_version {raw!r} is not an integer") from e


def upgrade(conn: Connection, from_version: int, migrations: Mapping[int, Migration] = MIGRATIONS) -> int:
    """Apply the migrations from ``from_version`` up to :data:`SCHEMA_VERSION`.

    Returns:
        The version reached (always SCHEMA_VERSION).

    Raises:
        ConfigError: a step is missing (the store is older than any upgrade path).
    """
    version = from_version
    while version < SCHEMA_VERSION:
        step = migrations.get(version)
        if step is None:
            raise ConfigError(
                f"result store: no upgrade from schema version {version} to {version + 1}"
                f" (this suite writes version {SCHEMA_VERSION}); export the old runs with an older suite"
            )
        step(conn)
        version += 1
    conn.execute(meta.update().where(meta.c.key == VERSION_KEY).values(value=str(version)))
    return version


def ensure_schema(engine: Engine, migrations: Mapping[int, Migration] = MIGRATIONS) -> int:
    """Create the store's tables, or check and upgrade an existing store.

    Returns:
        The schema version found before any upgrade (SCHEMA_VERSION for a new store).

    Raises:
        ConfigError: the store was written by a newer suite (names both versions).
    """
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == POSTGRESQL:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            found = read_version(conn)
            if found is None:
                metadata.create_all(conn)
                conn.execute(meta.insert().values(key=VERSION_KEY, value=str(SCHEMA_VERSION)))
                return SCHEMA_VERSION
            if found > SCHEMA_VERSION:
                raise ConfigError(
                    f"result store: schema version {found} is newer than this suite's {SCHEMA_VERSION};"
                    " upgrade android_suite to read it"
                )
            if found < SCHEMA_VERSION:
                upgrade(conn, found, migrations)
            return found
