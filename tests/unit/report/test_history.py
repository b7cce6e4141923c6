"""The nightly_history table: ingest a run, replace a night, read back with NaN kept as missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from android_suite.analysis.ab import analyse_run
from android_suite.analysis.stats import CompareOptions
from android_suite.analysis.synthetic import synthetic_run
from android_suite.report.history import history_rows, open_history, read_history, write_history


def test_ingest_replace_and_read_back(tmp_path: Path) -> None:
    run = synthetic_run(seed=1, iterations=5)
    analysis = analyse_run(run, options=CompareOptions(n_boot=500))
    rows = history_rows(run, analysis, night="2026-02-03")
    assert len(rows) == analysis.verdicts.shape[0]
    assert (rows["variant"] == "on").all()
    assert ((rows["ci_low"] <= rows["value"]) & (rows["value"] <= rows["ci_high"])).all()
    rows.loc[0, "value"] = np.nan
    engine = open_history(str(tmp_path / "nightly.db"))
    try:
        assert write_history(engine, rows) == len(rows)
        assert write_history(engine, rows) == len(rows)  # same night again: replaced, not doubled
        back = read_history(engine)
    finally:
        engine.dispose()
    assert len(back) == len(rows)
    assert str(back["night"].iloc[0].date()) == "2026-02-03"
    assert back["value"].isna().sum() == 1  # NULL, not 0
    assert set(back["verdict"]) <= {"better", "worse", "changed", "no significant change", "insufficient data"}
