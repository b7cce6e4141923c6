"""Tidy metric frames: one builder, fixed dtypes, round trips, wide pivots."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from android_suite.analysis.frames import (
    COLUMNS,
    MetricSample,
    check_frame,
    empty_frame,
    from_frame,
    to_frame,
    to_wide,
)

RECORDS = [
    MetricSample("dev1", "kcompressd_off", 0, 0.0, "pgsteal_anon", 100.0, "pages"),
    MetricSample("dev1", "kcompressd_off", 0, 0.0, "some_avg10", 1.25, "%"),
    MetricSample("dev1", "kcompressd_off", 0, 0.1, "pgsteal_anon", None, "pages"),
    MetricSample("dev1", "kcompressd_on", 1, 0.1, "allocstall_total", 0.0, "count"),
]

EXPECTED_DTYPES = {
    "device": "category",
    "variant": "category",
    "iteration": "int64",
    "t": "float64",
    "metric": "category",
    "value": "float64",
    "unit": "category",
}


def test_columns_and_dtypes_are_fixed() -> None:
    frame = to_frame(RECORDS)
    assert tuple(frame.columns) == COLUMNS
    assert {c: str(frame[c].dtype) for c in frame.columns} == EXPECTED_DTYPES
    check_frame(frame)


def test_missing_stays_nan_and_zero_stays_zero() -> None:
    values = to_frame(RECORDS)["value"].tolist()
    assert values[0] == 100.0
    assert math.isnan(values[2])
    assert values[3] == 0.0


def test_rows_keep_the_order_given_and_names_are_kept() -> None:
    frame = to_frame(iter(RECORDS))  # any iterable
    assert frame["metric"].tolist() == ["pgsteal_anon", "some_avg10", "pgsteal_anon", "allocstall_total"]
    assert frame["t"].tolist() == [0.0, 0.0, 0.1, 0.1]


def test_empty_frame_has_the_dtypes() -> None:
    frame = empty_frame()
    assert len(frame) == 0
    assert {c: str(frame[c].dtype) for c in frame.columns} == EXPECTED_DTYPES


def test_boot_id_column_only_when_some_record_has_one() -> None:
    assert "boot_id" not in to_frame(RECORDS).columns
    with_boot = [*RECORDS[:2], MetricSample("dev1", "A", 0, 0.2, "pgsteal_anon", 5.0, "pages", "b-1")]
    frame = to_frame(with_boot)
    assert str(frame["boot_id"].dtype) == "category"
    assert frame["boot_id"].isna().tolist() == [True, True, False]


def test_non_finite_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="record 1 has t=nan"):
        to_frame([RECORDS[0], MetricSample("d", "A", 0, float("nan"), "x", 1.0, "")])


def test_round_trip() -> None:
    with_boot = [*RECORDS, MetricSample("dev2", "A", 3, 9.5, "pgsteal_anon", 7.0, "pages", "b-2")]
    assert from_frame(to_frame(with_boot)) == with_boot
    assert from_frame(to_frame(RECORDS)) == RECORDS


def test_check_frame_rejects_foreign_frames() -> None:
    with pytest.raises(ValueError, match="missing columns"):
        check_frame(pd.DataFrame({"device": ["d"]}))
    frame = to_frame(RECORDS)
    frame["metric"] = frame["metric"].astype(str)
    frame["value"] = frame["value"].astype(np.float32)
    with pytest.raises(ValueError, match=r"\['metric', 'value'\]"):
        check_frame(frame)


def test_to_wide_pivots_metrics_into_columns() -> None:
    wide = to_wide(to_frame(RECORDS))
    assert list(wide.columns) == ["allocstall_total", "pgsteal_anon", "some_avg10"]
    assert wide.index.names == ["device", "variant", "iteration", "t"]
    assert wide.loc[("dev1", "kcompressd_off", 0, 0.0), "some_avg10"] == 1.25
    assert wide["some_avg10"].isna().tolist() == [False, True, True]  # absent: NaN, not 0
    assert wide.attrs["units"] == {"allocstall_total": "count", "pgsteal_anon": "pages", "some_avg10": "%"}


def test_to_wide_drops_metrics_filtered_out() -> None:
    frame = to_frame(RECORDS)
    wide = to_wide(frame[frame["metric"] == "pgsteal_anon"])
    assert list(wide.columns) == ["pgsteal_anon"]


def test_to_wide_refuses_duplicates_and_mixed_units() -> None:
    with pytest.raises(ValueError, match="duplicate rows"):
        to_wide(to_frame([RECORDS[0], RECORDS[0]]))
    mixed = [RECORDS[0], MetricSample("dev1", "kcompressd_off", 0, 0.1, "pgsteal_anon", 1.0, "kB")]
    with pytest.raises(ValueError, match="several units"):
        to_wide(to_frame(mixed))
