"""A/B statistics: verdicts and directions, false-positive rate, interval coverage, power, claims."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from android_suite.analysis.ab import analyse_run
from android_suite.analysis.directions import Centre, Direction, centre_of, direction_of
from android_suite.analysis.stats import CompareOptions, Verdict, compare, judge
from android_suite.analysis.stats_bootstrap import bootstrap_change, cliffs_delta, hedges_g
from android_suite.analysis.stats_claims import judge_claim
from android_suite.analysis.stats_power import iterations_needed, iterations_needed_for, simulated_power
from android_suite.analysis.synthetic import Effects, synthetic_run
from android_suite.analysis.variants import split_arms
from android_suite.errors import ConfigError

FAST = CompareOptions(n_boot=2_000)


def verdict_of(table: pd.DataFrame, device: str, metric: str) -> tuple[str, float]:
    row = table[(table["device"] == device) & (table["metric"] == metric)].iloc[0]
    return str(row["verdict"]), float(row["rel_change"])


def test_known_effects_get_the_right_verdict_and_sign() -> None:
    run = synthetic_run(seed=1)
    result = analyse_run(run, options=FAST)
    assert (result.baseline, result.treatment) == ("off", "on")
    for device in run.devices["device"]:
        assert verdict_of(result.verdicts, device, "pgsteal_anon_per_s")[0] == "better"
        assert verdict_of(result.verdicts, device, "pgsteal_anon_per_s")[1] > 0.5
        verdict, rel = verdict_of(result.verdicts, device, "allocstall_total_per_s")
        assert verdict == "better" and rel < -0.2
        assert verdict_of(result.verdicts, device, "some_avg10")[0] == "better"  # PSI: down is better
        # pswpout has no good direction: a real change is "changed", never better or worse.
        assert verdict_of(result.verdicts, device, "pswpout_per_s")[0] == "changed"


def test_a_regression_reads_as_worse() -> None:
    run = synthetic_run(seed=2, effects=Effects(pgsteal_anon=-0.4, allocstall=0.8, launch=0.5))
    result = analyse_run(run, options=FAST)
    for device in run.devices["device"]:
        assert verdict_of(result.verdicts, device, "pgsteal_anon_per_s")[0] == "worse"
        assert verdict_of(result.verdicts, device, "allocstall_total_per_s")[0] == "worse"
        verdict, rel = verdict_of(result.verdicts, device, "launch_time_ms")
        assert verdict == "worse" and rel > 0.2


def test_warmup_and_invalid_iterations_are_excluded_and_counted() -> None:
    run = synthetic_run(seed=0, iterations=6, warmup=2, invalid=1)
    result = analyse_run(run, options=FAST)
    excluded = result.metrics.excluded
    assert len(excluded) == 2 * (2 * 2 + 1)  # per device: 2 warm-ups per arm + 1 spoilt
    assert set(excluded["reason"]) == {"warm-up", "device rebooted during the iteration (boot_id)"}
    assert set(result.verdicts["n_a"]) == {6} and set(result.verdicts["n_b"]) == {6}


def test_no_effect_false_positive_rate_is_at_most_alpha() -> None:
    n_seeds, flagged = 400, 0
    for seed in range(n_seeds):
        rng = np.random.default_rng(seed)
        a, b = rng.normal(100, 10, 10), rng.lognormal(np.log(100), 0.1, 10)  # same centre, other shapes
        flagged += compare("allocstall_total_per_s", a, b, FAST, rng).verdict != Verdict.NO_CHANGE
    # Binomial(400, 0.05): mean 20, sd 4.4; 33 is three sd above.
    assert flagged <= 33


def test_no_effect_whole_runs_rarely_flag_anything() -> None:
    flags = total = 0
    for seed in range(12):
        verdicts = analyse_run(synthetic_run(seed=100 + seed, effects=Effects.none()), options=FAST).verdicts
        flags += int((verdicts["verdict"] != "no significant change").sum())
        total += len(verdicts)
    assert total > 300
    assert flags / total <= 0.09


@pytest.mark.parametrize("how", [Centre.MEAN, Centre.MEDIAN])
def test_bootstrap_interval_covers_the_truth(how: Centre) -> None:
    covered, trials = 0, 300
    for seed in range(trials):
        rng = np.random.default_rng(seed)
        a, b = rng.normal(100, 10, 12), rng.normal(125, 12.5, 12)  # truth: +25% (mean and median)
        boot = bootstrap_change(a, b, how, n_boot=2_000, rng=rng)
        covered += boot.rel_low <= 0.25 <= boot.rel_high
    # Nominal 95%; percentile intervals run a few points narrow at n = 12.
    assert covered / trials >= 0.86


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(10, 1, 10), rng.normal(11, 1, 10)
    one = bootstrap_change(a, b, rng=np.random.default_rng(42))
    two = bootstrap_change(a, b, rng=np.random.default_rng(42))
    assert one == two
    assert one.rel_low < one.rel_change < one.rel_high


def test_required_iterations_formula_and_simulation_agree() -> None:
    n = iterations_needed(0.10, 0.10)
    assert n == 18  # 2 (1.96 + 0.84)^2 (0.1/0.1)^2 / (3/pi) + 1.96^2/4 = 17.4
    assert 0.72 <= simulated_power(0.10, 0.10, n, trials=3_000) <= 0.9
    assert iterations_needed(0.10, 0.20) < n < iterations_needed(0.20, 0.10)  # type: ignore[operator]
    assert iterations_needed(0.10, 0.0) is None
    assert iterations_needed(float("nan"), 0.1) is None
    rng = np.random.default_rng(0)
    observed = iterations_needed_for(rng.normal(100, 10, 200), rng.normal(100, 10, 200), 0.10)
    assert observed is not None and 14 <= observed <= 23


def test_effect_sizes() -> None:
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 5.0, 6.0])
    brute = np.sign(b[:, None] - a[None, :]).mean()
    assert cliffs_delta(a, b) == pytest.approx(brute)
    assert cliffs_delta(b, a) == pytest.approx(-brute)
    assert hedges_g(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0])) == pytest.approx(1.0 * (1 - 3 / 15))
    assert np.isnan(hedges_g(np.array([1.0]), np.array([2.0, 3.0])))


def test_directions_and_judgement() -> None:
    assert direction_of("pgsteal_anon_per_s") is Direction.UP
    for metric in ("allocstall_total_per_s", "launch_time_ms", "janky_frame_share", "lmk_kills", "energy_j"):
        assert direction_of(metric) is Direction.DOWN
    assert direction_of("memory_full_avg60") is Direction.DOWN
    assert direction_of("nr_free_pages") is Direction.NEUTRAL
    assert centre_of("launch_time_ms") is Centre.MEDIAN and centre_of("energy_j") is Centre.MEAN
    assert judge(Direction.UP, True, up=True) is Verdict.BETTER
    assert judge(Direction.DOWN, True, up=True) is Verdict.WORSE
    assert judge(Direction.NEUTRAL, True, up=False) is Verdict.CHANGED
    assert judge(Direction.DOWN, False, up=False) is Verdict.NO_CHANGE


def test_unknown_metric_is_changed_or_not() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(100, 5, 10), rng.normal(130, 5, 10)
    assert compare("nr_free_pages", a, b, FAST).verdict == "changed"
    assert compare("nr_free_pages", a, a + rng.normal(0, 0.01, 10), FAST).verdict == "no significant change"


def test_too_few_iterations_and_nans() -> None:
    c = compare("pgsteal_anon_per_s", np.array([1.0, np.nan, 2.0]), np.array([3.0, 4.0, 5.0]), FAST)
    assert c.verdict == "insufficient data" and c.n_a == 2 and np.isnan(c.ci_low)
    same = compare("lmk_kills", np.zeros(5), np.zeros(5), FAST)
    assert same.verdict == "no significant change" and same.p_value == 1.0


def test_claim_judgement() -> None:
    assert judge_claim(2.6, 2.4, 1.9, 3.0)[0] == "yes"
    assert judge_claim(2.6, 0.7, 0.5, 0.9) == ("no", "measured change smaller than claimed")
    assert judge_claim(-0.5, -0.7, -0.8, -0.6) == ("no", "measured change larger than claimed")
    assert judge_claim(-0.5, -0.2, -0.6, 0.1)[0] == "inconclusive"
    # Stalls up where the claim says down: not "smaller", the other way.
    assert judge_claim(-0.5, 0.52, -0.21, 1.94) == ("no", "measured change goes the other way")
    assert judge_claim(2.6, -0.1, -0.3, 0.1) == ("no", "measured change goes the other way")
    assert judge_claim(-0.5, float("nan"), float("nan"), float("nan"))[0] == "inconclusive"


def test_claims_hold_when_the_run_has_the_claimed_effects() -> None:
    run = synthetic_run(seed=4, iterations=12, effects=Effects(pgsteal_anon=2.6, allocstall=-0.5))
    claims = analyse_run(run, options=FAST).claims
    assert len(claims) == 4
    assert set(claims["consistent"]) == {"yes"}


def test_split_arms() -> None:
    assert split_arms(["on", "off", "on"]) == ("off", "on")
    assert split_arms(["kcompressd_on", "kcompressd_off"]) == ("kcompressd_off", "kcompressd_on")
    assert split_arms(["vm.kcompressd=24", "vm.kcompressd=0"]) == ("vm.kcompressd=0", "vm.kcompressd=24")
    assert split_arms(["B", "A"]) == ("A", "B")
    assert split_arms(["x", "y"], baseline="y") == ("y", "x")
    with pytest.raises(ConfigError):
        split_arms(["x", "y"])
    with pytest.raises(ConfigError):
        split_arms(["on"])
