"""Counter rates: resets, reboots (boot_id), missing values, dtypes, groups."""

from __future__ import annotations

import math

import numpy as np
import pytest

from android_suite.analysis.frames import MetricSample, check_frame, to_frame
from android_suite.analysis.rates import counter_rates, counter_segments, mean_rates


def counter(
    values: list[float | None],
    *,
    times: list[float] | None = None,
    boots: list[str | None] | None = None,
    metric: str = "pgsteal_anon",
    device: str = "dev1",
) -> list[MetricSample]:
    ts = times if times is not None else [float(i) for i in range(len(values))]
    bs = boots if boots is not None else [None] * len(values)
    return [MetricSample(device, "A", 0, t, metric, v, "pages", b) for t, v, b in zip(ts, values, bs, strict=True)]


def rates_of(records: list[MetricSample], max_gap_s: float | None = None) -> list[float]:
    return [float(v) for v in counter_rates(to_frame(records), max_gap_s=max_gap_s)["value"]]


def same(actual: list[float], expected: list[float]) -> bool:
    return bool(np.allclose(actual, expected, equal_nan=True))


def test_rate_is_delta_over_time() -> None:
    got = rates_of(counter([100, 150, 250, 250], times=[0.0, 0.5, 1.0, 3.0]))
    assert same(got, [math.nan, 100.0, 200.0, 0.0])


def test_a_decrease_starts_a_new_segment() -> None:
    # Reboot without boot ids: the counter restarts from a small value.
    got = rates_of(counter([1000, 1100, 20, 70]))
    assert same(got, [math.nan, 100.0, math.nan, 50.0])
    # A 32-bit wrap: never a huge "corrected" rate.
    wrapped = rates_of(counter([2**32 - 10, 5, 15]))
    assert same(wrapped, [math.nan, math.nan, 10.0])


def test_boot_id_change_splits_even_when_the_counter_grew() -> None:
    records = counter([10, 20, 500, 510], boots=["a", "a", "b", "b"])
    assert same(rates_of(records), [math.nan, 10.0, math.nan, 10.0])
    without = counter([10, 20, 500, 510])
    assert same(rates_of(without), [math.nan, 10.0, 480.0, 10.0])  # what boot ids protect against


def test_missing_values_stay_nan() -> None:
    got = rates_of(counter([0, 10, None, 30, 40]))
    assert same(got, [math.nan, 10.0, math.nan, math.nan, 10.0])
    assert not any(v == 0.0 for v in got[2:4])


def test_time_that_does_not_advance_and_long_gaps_give_no_rate() -> None:
    got = rates_of(counter([0, 10, 20, 30], times=[0.0, 1.0, 1.0, 2.0]))
    assert same(got, [math.nan, 10.0, math.nan, 10.0])
    gapped = rates_of(counter([0, 10, 20, 30], times=[0.0, 1.0, 10.0, 11.0]), max_gap_s=5.0)
    assert same(gapped, [math.nan, 10.0, math.nan, 10.0])


def test_output_is_a_tidy_frame_with_renamed_metric_and_unit() -> None:
    records = counter([0, 10], boots=["a", "a"]) + counter([1.0, 2.0], metric="some_avg10")
    out = counter_rates(to_frame(records), ["pgsteal_anon"])
    check_frame(out)
    assert out["metric"].tolist() == ["pgsteal_anon_per_s"] * 2
    assert list(out["metric"].cat.categories) == ["pgsteal_anon_per_s"]
    assert out["unit"].tolist() == ["pages/s"] * 2
    assert str(out["value"].dtype) == "float64"
    assert str(out["t"].dtype) == "float64"
    assert str(out["boot_id"].dtype) == "category"


def test_groups_are_independent_and_keep_frame_order() -> None:
    a = counter([0, 10, 20], device="dev1")
    b = counter([100, 130, 160], device="dev2")
    interleaved = [r for pair in zip(a, b, strict=True) for r in pair]
    out = counter_rates(to_frame(interleaved))
    assert out["device"].tolist() == ["dev1"] * 3 + ["dev2"] * 3
    assert same(out["value"].tolist(), [math.nan, 10.0, 10.0, math.nan, 30.0, 30.0])


def test_device_clock_restart_with_boot_id_is_not_interleaved() -> None:
    # Device uptime restarts at the reboot; rows stay in collection order, not sorted by t.
    records = counter([50, 60, 5, 25], times=[100.0, 101.0, 0.5, 1.5], boots=["a", "a", "b", "b"])
    assert same(rates_of(records), [math.nan, 10.0, math.nan, 20.0])


def test_rates_of_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="already rates"):
        counter_rates(to_frame(counter([1, 2], metric="pgsteal_anon_per_s")))


def test_empty_selection() -> None:
    out = counter_rates(to_frame(counter([1, 2])), ["no_such_metric"])
    assert len(out) == 0
    check_frame(out)


def test_mean_rates_count_only_usable_steps() -> None:
    records = counter([100, 150, 10, 30, None, 40])  # +50, reset, +20, missing, missing
    out = mean_rates(to_frame(records))
    assert len(out) == 1
    row = out.iloc[0]
    assert row["metric"] == "pgsteal_anon_per_s" and row["unit"] == "pages/s"
    assert row["value"] == pytest.approx(70 / 2)
    assert row["seconds"] == 2.0
    none = mean_rates(to_frame(counter([5, None])))
    assert math.isnan(none.iloc[0]["value"])


def test_segments() -> None:
    records = counter([10, 20, None, 5, 8], boots=["a"] * 5) + counter([1, 2], device="dev2", boots=["b", "c"])
    frame = to_frame(records)
    frame.index = frame.index * 10  # segments align on the frame's own index
    seg = counter_segments(frame)
    # The drop from 20 to 5 hides behind a missing value and still ends the segment.
    assert seg.tolist() == [0, 0, 0, 1, 1, 2, 3]
    assert list(seg.index) == list(frame.index)
