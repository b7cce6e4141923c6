"""ResultStore: the one object callers hold (open a URL, write runs, read them back).

    store = ResultStore.open("out/results.db")          # or postgresql+psycopg://...
    with store.writer() as w: ...                        # see writer.py
    run = store.load_run(store.latest_run().run_id)     # a RunData
    store.export_parquet(run.run_id, "out/run-parquet")
    store.close()

Opening creates the schema on a new database, refuses one written by a newer
suite (ConfigError naming both versions), upgrades an older one, and marks
runs whose writer process is gone as "incomplete".
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import URL, Engine

from android_suite.results import lifecycle, reader
from android_suite.results.engine import backend_of, make_engine, parse_url
from android_suite.results.export import export_parquet
from android_suite.results.migrate import ensure_schema
from android_suite.results.reader import RunSummary
from android_suite.results.rundata import RunData
from android_suite.results.writer import RunWriter


class ResultStore:
    """A result database (SQLite file or PostgreSQL), with its schema checked.

    Use :meth:`open`; the constructor takes an engine that is already set up.

    Attributes:
        url: where the store lives (password hidden when printed).
        engine: the SQLAlchemy engine (for tests and tools; callers should not need it).
        found_version: the schema version found at open (before any upgrade).
    """

    def __init__(self, url: URL, engine: Engine, found_version: int) -> None:
        self.url = url
        self.engine = engine
        self.found_version = found_version

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str],
        *,
        mark_stale: bool = True,
        stale_after_s: float = lifecycle.DEFAULT_STALE_AFTER_S,
    ) -> ResultStore:
        """Open (creating or upgrading) the store at ``target``.

        Args:
            target: a path (SQLite), ``sqlite:///path.db`` or ``postgresql+psycopg://...``.
            mark_stale: mark runs whose writer is gone as "incomplete" (see lifecycle.py).
            stale_after_s: how long a writer on another host may be silent before that.

        Raises:
            ConfigError: a bad location, or a schema newer than this suite's.
        """
        url = parse_url(target)
        engine = make_engine(url)
        try:
            found = ensure_schema(engine)
            store = cls(url, engine, found)
            if mark_stale:
                store.mark_stale_runs(stale_after_s=stale_after_s)
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return backend_of(self.url)

    def writer(self, **options: Any) -> RunWriter:
        """A RunWriter for a new run (options: see RunWriter); call ``begin_run`` next."""
        return RunWriter(self.engine, **options)

    def load_run(self, run_id: str) -> RunData:
        """One run as a RunData (ConfigError when there is no such run)."""
        return reader.load_run(self.engine, run_id)

    def list_runs(self, status: str | None = None) -> list[RunSummary]:
        """Every run, oldest first (only those with ``status`` if given)."""
        return reader.list_runs(self.engine, status)

    def latest_run(self, status: str | None = None) -> RunSummary | None:
        """The most recently started run (with ``status`` if given), or None."""
        return reader.latest_run(self.engine, status)

    def mark_stale_runs(self, **options: Any) -> list[str]:
        """Mark running runs whose writer is gone "incomplete"; returns their ids."""
        return lifecycle.mark_stale_runs(self.engine, **options)

    def export_parquet(self, run_id: str, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Write one Parquet file per table of a run into ``directory``; returns name -> path."""
        return export_parquet(self.load_run(run_id), Path(directory))

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResultStore({self.url.render_as_string(hide_password=True)!r})"
