"""``android-suite nightly`` and ``report`` end to end on SQLite files: exit codes and outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.analysis.synthetic import synthetic_run
from android_suite.analysis.synthetic_history import Shift, synthetic_history
from android_suite.cli import main
from android_suite.commands.nightly import REGRESSION_EXIT
from android_suite.report.history import open_history, write_history


def seed_history(db: Path, shifts: list[Shift]) -> None:
    history = synthetic_history(90, 4, shifts=shifts, seed=21)
    history["night"] = history["night"].dt.strftime("%Y-%m-%d")
    engine = open_history(str(db))
    try:
        write_history(engine, history)
    finally:
        engine.dispose()


def test_regression_exits_3_and_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "nightly.db"
    seed_history(db, [Shift("dev03", "launch_time_ms", 60, 0.15)])
    code = main(["nightly", "--db", str(db), "--out", str(tmp_path / "out")])
    assert code == REGRESSION_EXIT
    err = capsys.readouterr().err
    assert "device=dev03 metric=launch_time_ms first_bad_night=2026-03-0" in err  # night 60 = 2 March, +-1
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "ongoing regression" in index
    assert len(list((tmp_path / "out").glob("trend-*.png"))) == 4


def test_clean_history_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "nightly.db"
    seed_history(db, [])
    assert main(["nightly", "--db", str(db), "--out", str(tmp_path / "out")]) == 0
    assert "no ongoing regression" in capsys.readouterr().out


def test_report_and_ingest_from_a_result_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_mod = pytest.importorskip("android_suite.results.store", reason="the result store is not in this checkout")
    replay = pytest.importorskip("android_suite.results.replay", reason="the result store is not in this checkout")
    results = tmp_path / "results.db"
    with store_mod.ResultStore.open(str(results)) as store, store.writer() as writer:
        replay.write_run_data(writer, synthetic_run(seed=3, iterations=4))
    assert main(["report", str(results), "--out", str(tmp_path / "report"), "--resamples", "500"]) == 0
    out = capsys.readouterr().out
    assert "## Claim check" in out and "**WARNING**" in out
    assert (tmp_path / "report" / "report.html").exists()
    code = main(["nightly", "--db", str(results), "--out", str(tmp_path / "n"), "--ingest", str(results)])
    assert code == 0
    assert "ingested run" in capsys.readouterr().out


def test_report_on_a_missing_store_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "nope.db")]) == 2
    assert "no result store" in capsys.readouterr().err
