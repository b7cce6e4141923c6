"""Where the store lives: a URL or a path -> a configured SQLAlchemy engine.

Two backends, chosen by the URL:

* SQLite (``sqlite:///path.db`` or a plain path; the default): one file in WAL
  mode with ``synchronous=NORMAL`` and foreign keys on. WAL lets a report read
  while a run is being written, and with NORMAL a committed transaction
  survives the writer being SIGKILLed (only an OS crash or power loss can
  drop the last few commits, never corrupt the file).
* PostgreSQL (``postgresql+psycopg://user@host:port/db``; ``postgresql://``
  and ``postgres://`` mean the same, since psycopg 3 is the driver we ship).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError

from android_suite.errors import ConfigError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# Execution option that makes a SQLite transaction take the write lock at BEGIN.
# A deferred transaction that reads and then writes gets SQLITE_BUSY at once,
# without waiting, when another writer committed in between.
WRITE_OPTION = "android_suite_write"
_BUSY_TIMEOUT_S = 30.0
_PG_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg"}


def parse_url(target: str | os.PathLike[str]) -> URL:
    """Turn a store location into a SQLAlchemy URL.

    Args:
        target: ``sqlite:///path.db``, ``postgresql+psycopg://...`` or a plain
            file path (which means SQLite).

    Raises:
        ConfigError: an empty location, an in-memory SQLite database (a run
            must outlive its process), or a scheme or driver we do not support.
    """
    text = os.fspath(target).strip()
    if not text:
        raise ConfigError("result store: empty location; give a file path or a sqlite:/// or postgresql:// URL")
    if "://" not in text:
        return URL.create(SQLITE, database=str(Path(text).expanduser().absolute()))
    try:
        url = make_url(text)
    except ArgumentError as e:
        raise ConfigError(f"result store: cannot parse URL {text!r}: {e}") from e
    if url.drivername in _PG_DRIVERS:
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in (SQLITE, "sqlite+pysqlite"):
        db = url.database or ""
        if db in ("", ":memory:") or "mode=memory" in text:
            raise ConfigError(
                f"result store: {text!r} is an in-memory SQLite database, lost when the process ends;"
                " give a file (sqlite:///path/results.db)"
            )
        return url.set(drivername=SQLITE, database=str(Path(db).expanduser().absolute()))
    raise ConfigError(
        f"result store: unsupported URL scheme {url.drivername!r} in {url.render_as_string()!r};"
        " use sqlite:///path.db, a plain path, or postgresql+psycopg://user@host:port/db"
    )


def backend_of(url: URL) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return url.get_backend_name()


def make_engine(url: URL) -> Engine:
    """An engine for ``url`` (from :func:`parse_url`), configured for its backend."""
    if backend_of(url) != SQLITE:
        return create_engine(url, pool_pre_ping=True)
    Path(url.database or "").parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread off: the writer's flush thread and its caller share
    # connections from the pool (one at a time, under the writer's lock).
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": _BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite would BEGIN only before INSERT/UPDATE/DELETE (so DDL runs
    # outside any transaction); take transactions over ourselves, as
    # SQLAlchemy's SQLite documentation recommends.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")
