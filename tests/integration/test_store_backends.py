"""The result store on both backends: SQLite files and a real PostgreSQL server.

Every test runs on each backend; PostgreSQL is started by the session (see
tests/helpers/postgres.py) and its tests skip when its binaries are missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from android_suite.analysis.synthetic import synthetic_run
from android_suite.errors import ConfigError
from android_suite.results.lifecycle import WriterIdentity, this_process
from android_suite.results.replay import write_run_data
from android_suite.results.rundata import SCHEMA_VERSION, RunData
from android_suite.results.store import ResultStore
from tests.helpers.postgres import postgres_server  # noqa: F401  (fixture)

FRAMES = ("devices", "iterations", "samples", "launches", "frames", "kills", "energy")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "results.db")
    return str(request.getfixturevalue("postgres_server").create_database())


@pytest.fixture(scope="module")
def run() -> RunData:
    return synthetic_run(iterations=2, duration_s=20.0)


def _assert_same_records(expected: RunData, got: RunData) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)


def test_a_run_loads_back_equal(store_url: str, run: RunData) -> None:
    with ResultStore.open(store_url) as store:
        run_id = write_run_data(store.writer(), run)
        back = store.load_run(run_id)
    assert (back.run_id, back.status, back.context, back.schema_version) == (
        run_id,
        "complete",
        run.context,
        SCHEMA_VERSION,
    )
    assert back.virtual
    _assert_same_records(run, back)


def test_runs_are_listed_oldest_first_and_filtered_by_status(store_url: str, run: RunData) -> None:
    with ResultStore.open(store_url) as store:
        assert store.list_runs() == [] and store.latest_run() is None
        first = write_run_data(store.writer(), run)
        w = store.writer()
        second = w.begin_run({"n": 2})
        assert [r.run_id for r in store.list_runs()] == [first, second]
        assert [r.run_id for r in store.list_runs("complete")] == [first]
        latest = store.latest_run()
        assert latest is not None and (latest.run_id, latest.status) == (second, "running")
        complete = store.latest_run("complete")
        assert complete is not None and complete.run_id == first
        w.finish("incomplete", "aborted by the test")
        assert [(r.status, r.status_reason) for r in store.list_runs("incomplete")] == [
            ("incomplete", "aborted by the test")
        ]


def test_parquet_export_is_readable_by_pyarrow_and_pandas(store_url: str, run: RunData, tmp_path: Path) -> None:
    with ResultStore.open(store_url) as store:
        run_id = write_run_data(store.writer(), run)
        files = store.export_parquet(run_id, tmp_path / "export")
        loaded = store.load_run(run_id)
    for name in FRAMES:
        table = pq.read_table(files[name])
        assert table.num_rows == len(getattr(loaded, name)), name
        pd.testing.assert_frame_equal(pd.read_parquet(files[name]), getattr(loaded, name), obj=name)
    assert pd.read_parquet(files["run"])["run_id"].tolist() == [run_id]


def test_a_store_from_a_newer_suite_is_refused(store_url: str) -> None:
    with ResultStore.open(store_url) as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(SCHEMA_VERSION + 3)})
    with pytest.raises(ConfigError) as err:
        ResultStore.open(store_url)
    assert f"schema version {SCHEMA_VERSION + 3}" in str(err.value)
    assert f"this suite's {SCHEMA_VERSION}" in str(err.value)


def test_open_marks_a_dead_writers_run_incomplete(store_url: str) -> None:
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = WriterIdentity(this_process().host, int(exited.stdout), None)
    with ResultStore.open(store_url) as store:
        w = store.writer(identity=dead, background=False)
        run_id = w.begin_run({})
        w.add_device({"device": "d"})
        w.begin_iteration("d", "on", 0)
    with ResultStore.open(store_url) as store:
        back = store.load_run(run_id)
    assert back.status == "incomplete" and f"writer process {dead.pid}" in back.status_reason
    assert not back.iterations["valid"].any()


def test_a_run_can_be_read_while_it_is_written(store_url: str, run: RunData) -> None:
    with ResultStore.open(store_url) as store, ResultStore.open(store_url) as reader:
        run_id = write_run_data(store.writer(background=False), run, finish=False)
        partial = reader.load_run(run_id)
        assert partial.status == "running"
        assert len(partial.samples) == len(run.samples)


def test_an_unknown_run_is_a_config_error(store_url: str) -> None:
    with ResultStore.open(store_url) as store, pytest.raises(ConfigError, match="no run 'nope'"):
        store.load_run("nope")
