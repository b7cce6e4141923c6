"""Sample batches and the Parquet export's handling of awkward columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from android_suite.analysis.frames import MetricSample
from android_suite.results.batch import SampleBuffer, to_rows
from android_suite.results.export import export_parquet
from android_suite.results.rundata import RunData


def test_a_buffer_is_due_when_full_or_old() -> None:
    now = [0.0]
    buf = SampleBuffer(3, 0.5, lambda: now[0])
    assert not buf.due()
    buf.extend([(1,), (2,)])
    assert not buf.due()
    now[0] = 0.5
    assert buf.due()
    rows = buf.take()
    assert rows == [(1,), (2,)] and len(buf) == 0 and not buf.due()
    buf.extend([(3,), (4,), (5,)])
    assert buf.due()  # full, however young
    taken = buf.take()
    buf.put_back(taken)
    assert len(buf) == 3


def test_bad_batch_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="batch_rows"):
        SampleBuffer(0, 0.5, lambda: 0.0)


def test_rows_intern_new_keys_once_and_map_iterations() -> None:
    metrics: dict[tuple[str, str], int] = {("a", "pages"): 1}
    boots: dict[str, int] = {}
    calls = []

    def intern(new_metrics: set[tuple[str, str]], new_boots: set[str]) -> None:
        calls.append((new_metrics, new_boots))
        metrics.update({k: 10 + i for i, k in enumerate(sorted(new_metrics))})
        boots.update({b: 20 for b in new_boots})

    samples = [
        MetricSample("d", "on", 0, 0.0, "a", 1.0, "pages"),
        MetricSample("d", "on", 0, 0.0, "b", None, "kB", "boot"),
    ]
    rows = to_rows(samples, lambda key: {("d", "on", 0): 7}[key], metrics, boots, intern)
    assert calls == [({("b", "kB")}, {"boot"})]
    assert rows == [(7, 0.0, 1, 1.0, None), (7, 0.0, 10, None, 20)]


def test_export_writes_one_file_per_table_and_stringifies_mixed_extras(tmp_path: Path) -> None:
    launches = pd.DataFrame(
        {
            "device": ["d", "d"],
            "variant": ["on", "on"],
            "iteration": [0, 0],
            "note": pd.Series([3, "three"], dtype=object),
        }
    )
    run = RunData(run_id="r1", status="complete", context={"seed": 1}, launches=launches)
    files = export_parquet(run, tmp_path / "out")
    assert set(files) == {"run", "devices", "iterations", "samples", "launches", "frames", "kills", "energy"}
    assert pd.read_parquet(files["launches"])["note"].tolist() == ["3", "three"]
    head = pd.read_parquet(files["run"])
    assert head[["run_id", "status", "context"]].values.tolist() == [["r1", "complete", '{"seed": 1}']]
    assert not list((tmp_path / "out").glob(".*.tmp"))
