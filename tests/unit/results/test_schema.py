"""Schema creation, the version check and the migration hook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, inspect, text

from android_suite.errors import ConfigError
from android_suite.results import migrate
from android_suite.results.engine import make_engine, parse_url
from android_suite.results.rundata import SCHEMA_VERSION
from android_suite.results.schema import metadata
from android_suite.results.store import ResultStore

TABLES = {
    "meta",
    "runs",
    "devices",
    "iterations",
    "samples",
    "launches",
    "frames",
    "kills",
    "energy",
    "metrics",
    "boots",
    "leases",  # schema 2: farm leases and quarantine (android_suite/farm)
    "quarantine",
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    e = make_engine(parse_url(tmp_path / "r.db"))
    yield e
    e.dispose()


def _set_version(engine: Engine, version: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(version)})


def test_a_new_store_gets_every_table_and_the_current_version(engine: Engine) -> None:
    assert migrate.ensure_schema(engine) == SCHEMA_VERSION
    assert set(inspect(engine).get_table_names()) == TABLES
    with engine.connect() as conn:
        assert migrate.read_version(conn) == SCHEMA_VERSION


def test_opening_twice_keeps_the_store(tmp_path: Path) -> None:
    with ResultStore.open(tmp_path / "r.db") as store:
        store.writer(background=False).begin_run({"n": 1})
    with ResultStore.open(tmp_path / "r.db") as store:
        assert store.found_version == SCHEMA_VERSION
        assert [r.context for r in store.list_runs()] == [{"n": 1}]


def test_a_newer_store_is_refused_naming_both_versions(engine: Engine) -> None:
    migrate.ensure_schema(engine)
    _set_version(engine, SCHEMA_VERSION + 1)
    with pytest.raises(ConfigError, match=rf"version {SCHEMA_VERSION + 1} is newer than this suite's {SCHEMA_VERSION}"):
        migrate.ensure_schema(engine)


def test_an_older_store_is_upgraded_through_the_hook(engine: Engine) -> None:
    migrate.ensure_schema(engine)
    _set_version(engine, SCHEMA_VERSION - 1)
    seen: list[int] = []

    def step(conn: Connection) -> None:
        seen.append(SCHEMA_VERSION - 1)
        conn.execute(text("CREATE TABLE upgraded_marker (x INTEGER)"))

    assert migrate.ensure_schema(engine, {SCHEMA_VERSION - 1: step}) == SCHEMA_VERSION - 1
    assert seen == [SCHEMA_VERSION - 1]
    assert inspect(engine).has_table("upgraded_marker")
    with engine.connect() as conn:
        assert migrate.read_version(conn) == SCHEMA_VERSION


def test_a_failed_upgrade_changes_nothing(engine: Engine) -> None:
    migrate.ensure_schema(engine)
    _set_version(engine, SCHEMA_VERSION - 1)

    def step(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError, match="migration bug"):
        migrate.ensure_schema(engine, {SCHEMA_VERSION - 1: step})
    assert not inspect(engine).has_table("half_done")  # DDL rolled back with the transaction
    with engine.connect() as conn:
        assert migrate.read_version(conn) == SCHEMA_VERSION - 1


def test_a_missing_upgrade_step_is_a_config_error(engine: Engine) -> None:
    migrate.ensure_schema(engine)
    _set_version(engine, SCHEMA_VERSION - 1)
    with pytest.raises(ConfigError, match=f"no upgrade from schema version {SCHEMA_VERSION - 1}"):
        migrate.ensure_schema(engine, {})


def test_foreign_tables_named_runs_without_a_version_are_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE runs (x INTEGER)"))
    with pytest.raises(ConfigError, match="no schema version"):
        migrate.ensure_schema(engine)


def test_the_schema_names_every_record_table() -> None:
    assert set(metadata.tables) == TABLES
