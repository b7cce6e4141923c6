"""Store locations: URL and path parsing, and the SQLite settings every connection gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from android_suite.errors import ConfigError
from android_suite.results.engine import make_engine, parse_url
from android_suite.results.store import ResultStore


def test_a_plain_path_means_a_sqlite_file(tmp_path: Path) -> None:
    url = parse_url(tmp_path / "results.db")
    assert url.drivername == "sqlite"
    assert url.database == str(tmp_path / "results.db")


def test_a_relative_sqlite_url_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse_url("sqlite:///out/r.db").database == str(tmp_path / "out" / "r.db")


@pytest.mark.parametrize(
    "text",
    ["postgresql://u@127.0.0.1:5432/db", "postgres://u@127.0.0.1/db", "postgresql+psycopg://u:pw@127.0.0.1/db"],
)
def test_postgresql_urls_use_psycopg3(text: str) -> None:
    url = parse_url(text)
    assert url.drivername == "postgresql+psycopg"
    assert url.database == "db"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty location"),
        ("   ", "empty location"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("mysql://u@127.0.0.1/db", "unsupported URL scheme 'mysql'"),
        ("postgresql+psycopg2://u@127.0.0.1/db", "unsupported URL scheme"),
        ("://nothing", "cannot parse"),
    ],
)
def test_bad_locations_raise_config_error(text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        parse_url(text)


def test_the_password_is_hidden_in_repr(tmp_path: Path) -> None:
    store = ResultStore(parse_url("postgresql://u:secret@127.0.0.1/db"), make_engine(parse_url(tmp_path / "x.db")), 1)
    assert "secret" not in repr(store)


def test_sqlite_connections_use_wal_normal_sync_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(parse_url(tmp_path / "deep" / "dir" / "r.db"))  # missing parents are made
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
    assert (tmp_path / "deep" / "dir" / "r.db").exists()
