"""Change points in nightly histories: the injected regression is found at its night, nothing else is."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from android_suite.analysis.changepoint import ChangePointOptions, candidate_count, find_changes, t_scan
from android_suite.analysis.regressions import detect_changes, detect_regressions
from android_suite.analysis.synthetic_history import Shift, synthetic_history

NIGHTS, REGRESSION_NIGHT = 90, 60
INJECTED = Shift("dev02", "allocstall_total_per_s", REGRESSION_NIGHT, 0.15)  # stalls up 15%: worse


def others(changes: pd.DataFrame, shift: Shift) -> pd.DataFrame:
    return changes[~((changes["device"] == shift.device) & (changes["metric"] == shift.metric))]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_injected_regression_flagged_at_its_night_and_nothing_else(seed: int) -> None:
    history = synthetic_history(NIGHTS, 4, shifts=[INJECTED], seed=seed)
    changes = detect_changes(history)
    found = changes[(changes["device"] == "dev02") & (changes["metric"] == INJECTED.metric)]
    assert len(found) == 1
    row = found.iloc[0]
    assert row["kind"] == "regression" and bool(row["ongoing"])
    assert abs(int(row["index"]) - REGRESSION_NIGHT) <= 1
    first_bad = pd.Timestamp("2026-01-01") + pd.Timedelta(days=REGRESSION_NIGHT)
    assert abs((pd.Timestamp(row["night"]) - first_bad).days) <= 1
    assert row["rel_change"] == pytest.approx(0.15, abs=0.05)
    assert others(changes, INJECTED).empty  # no false alarm on the 15 other series


def test_clean_history_has_no_alarm() -> None:
    for seed in (0, 1, 2):
        assert detect_changes(synthetic_history(NIGHTS, 4, seed=seed)).empty


def test_seed_sweep_no_false_alarms_and_the_regression_is_found() -> None:
    near = 0
    for seed in range(100, 120):
        clean = detect_changes(synthetic_history(NIGHTS, 4, seed=seed))
        assert clean.empty, f"seed {seed}: false alarm {clean.to_dict('records')}"
        changes = detect_changes(synthetic_history(NIGHTS, 4, shifts=[INJECTED], seed=seed))
        assert others(changes, INJECTED).empty, f"seed {seed}: false alarm"
        regs = detect_regressions(synthetic_history(NIGHTS, 4, shifts=[INJECTED], seed=seed))
        assert len(regs) == 1, f"seed {seed}: {regs.to_dict('records')}"
        near += abs(int(regs.iloc[0]["index"]) - REGRESSION_NIGHT) <= 1
    assert near >= 18  # the location is exact to a night in ~95% of histories at 3 sigma


def test_improvements_and_neutral_metrics_are_not_regressions() -> None:
    shifts = [
        Shift("dev00", "launch_time_ms", 50, -0.15),  # faster launches: an improvement
        Shift("dev01", "pgsteal_anon_per_s", 50, 0.2),  # more reclaim: an improvement
    ]
    metrics = {"launch_time_ms": (650.0, 0.03), "pgsteal_anon_per_s": (4e5, 0.04), "nr_free_pages": (5e4, 0.03)}
    changes = detect_changes(synthetic_history(NIGHTS, 3, metrics, shifts, seed=5))
    assert set(changes["kind"]) == {"improvement"}
    neutral = detect_changes(synthetic_history(NIGHTS, 2, metrics, [Shift("dev00", "nr_free_pages", 40, 0.3)], seed=6))
    assert list(neutral["kind"]) == ["change"]


def test_a_fixed_regression_is_reported_but_not_ongoing() -> None:
    shifts = [Shift("dev00", "launch_time_ms", 30, 0.2), Shift("dev00", "launch_time_ms", 60, 1 / 1.2 - 1)]
    changes = detect_changes(synthetic_history(NIGHTS, 1, {"launch_time_ms": (650.0, 0.03)}, shifts, seed=7))
    assert list(changes["kind"]) == ["regression", "improvement"]
    assert not changes["ongoing"].any()
    assert [abs(int(i) - n) <= 1 for i, n in zip(changes["index"], (30, 60), strict=True)] == [True, True]


def test_t_scan_matches_a_direct_computation() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(10, 1, 30) + 1e9  # a big offset must not cost precision
    splits, t = t_scan(x, 5)
    k = 12
    a, b = x[:k], x[k:]
    pooled = (((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()) / (x.size - 2)
    direct = (b.mean() - a.mean()) / np.sqrt(pooled * (1 / a.size + 1 / b.size))
    assert t[list(splits).index(k)] == pytest.approx(direct, rel=1e-6)
    assert candidate_count(30, 5) == splits.size == 21


def test_short_or_flat_series() -> None:
    assert find_changes(np.ones(40)) == []
    assert find_changes(np.array([1.0, 2.0, 3.0])) == []
    step = np.r_[np.ones(20), np.full(20, 2.0)]  # noiseless: infinite t, found exactly
    (cp,) = find_changes(step)
    assert cp.index == 20 and cp.rel_change == pytest.approx(1.0)


def test_min_effect_suppresses_tiny_but_clear_shifts() -> None:
    rng = np.random.default_rng(1)
    x = np.r_[rng.normal(100, 0.1, 45), rng.normal(101, 0.1, 45)]  # +1%: clear, but small
    assert find_changes(x, ChangePointOptions(min_effect=0.05)) == []
    assert [c.index for c in find_changes(x, ChangePointOptions(min_effect=0.005))] == [45]
