"""A/B comparison of per-iteration values: change, interval, tests, effect size, verdict.

For each metric (and device) the treatment arm B is compared with the
baseline A on per-iteration values (analysis.metrics):

* relative change of the mean (median for latency: directions.centre_of)
  with a percentile bootstrap interval (stats_bootstrap);
* Mann-Whitney U, two-sided (no normality assumed; handset iterations have
  outliers), and Welch's t-test for comparison with mmtests' reports;
* Cliff's delta and Hedges' g;
* iterations per arm needed to detect a ``detect`` relative change at the
  observed noise (stats_power).

A change is *significant* when Mann-Whitney's p < alpha AND the bootstrap
interval of the difference excludes 0. Requiring both keeps the false
positive rate at or below alpha, and stops a tiny p on a tiny shift of a
skewed metric from being reported without an interval that agrees.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from enum import StrEnum

import numpy as np
from scipy.stats import mannwhitneyu, ttest_ind

from android_suite.analysis.directions import Direction, centre_of, direction_of
from android_suite.analysis.stats_bootstrap import (
    DEFAULT_RESAMPLES,
    Floats,
    bootstrap_change,
    centre,
    cliffs_delta,
    hedges_g,
)
from android_suite.analysis.stats_power import iterations_needed_for

MIN_ITERATIONS = 3  # per arm: below this no test can reject at 0.05


class Verdict(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    CHANGED = "changed"  # significant, but the metric has no good direction
    NO_CHANGE = "no significant change"
    INSUFFICIENT = "insufficient data"


@dataclass(frozen=True)
class CompareOptions:
    """How comparisons are made (one object, passed down unchanged).

    Attributes:
        alpha: significance level of each comparison (no correction across
            metrics: each verdict is read on its own, as in mmtests).
        n_boot: bootstrap resamples per arm.
        confidence: level of the reported intervals.
        detect: the relative change the power analysis is asked about.
        power: the power it is asked for.
        seed: seeds the bootstrap Generator, so a report repeats exactly.
    """

    alpha: float = 0.05
    n_boot: int = DEFAULT_RESAMPLES
    confidence: float = 0.95
    detect: float = 0.10
    power: float = 0.8
    seed: int = 0


@dataclass(frozen=True)
class Comparison:
    """One metric's A/B comparison (B = treatment against A = baseline)."""

    metric: str
    direction: str
    centre: str
    n_a: int
    n_b: int
    a: float
    b: float
    rel_change: float
    ci_low: float
    ci_high: float
    p_value: float  # Mann-Whitney U, two-sided
    p_welch: float
    cliffs_delta: float
    hedges_g: float
    n_needed: int | None  # iterations per arm to detect options.detect
    verdict: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _clean(values: Floats) -> Floats:
    x = np.asarray(values, dtype=np.float64)
    return x[np.isfinite(x)]


def _tests(a: Floats, b: Floats) -> tuple[float, float]:
    if np.ptp(np.concatenate([a, b])) == 0:  # every value equal: nothing to test, and scipy would warn
        return 1.0, 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Welch on a constant arm: NaN is the answer
        p_mw = float(mannwhitneyu(b, a, alternative="two-sided").pvalue)
        p_t = float(ttest_ind(b, a, equal_var=False).pvalue)
    return p_mw, p_t


def judge(direction: Direction, significant: bool, up: bool) -> Verdict:
    """Turn a significant change and its sign into a verdict, knowing the metric's good direction."""
    if not significant:
        return Verdict.NO_CHANGE
    if direction is Direction.NEUTRAL:
        return Verdict.CHANGED
    return Verdict.BETTER if up == (direction is Direction.UP) else Verdict.WORSE


def compare(
    metric: str, a: Floats, b: Floats, options: CompareOptions | None = None, rng: np.random.Generator | None = None
) -> Comparison:
    """Compare per-iteration values ``b`` (treatment) with ``a`` (baseline); NaNs are dropped first."""
    opts = options or CompareOptions()
    xa, xb = _clean(a), _clean(b)
    direction, how = direction_of(metric), centre_of(metric)
    nan = float("nan")
    if xa.size < MIN_ITERATIONS or xb.size < MIN_ITERATIONS:
        ca = float(centre(xa, how)) if xa.size else nan
        cb = float(centre(xb, how)) if xb.size else nan
        rel = cb / ca - 1.0 if ca != 0 and math.isfinite(ca) and math.isfinite(cb) else nan
        return Comparison(
            metric, direction.value, how.value, xa.size, xb.size, ca, cb, rel, nan, nan, nan, nan, nan, nan, None,
            Verdict.INSUFFICIENT.value,
        )  # fmt: skip
    gen = rng if rng is not None else np.random.default_rng(opts.seed)
    boot = bootstrap_change(xa, xb, how, n_boot=opts.n_boot, confidence=opts.confidence, rng=gen)
    p_mw, p_t = _tests(xa, xb)
    excludes_zero = boot.diff_low > 0 or boot.diff_high < 0
    verdict = judge(direction, p_mw < opts.alpha and excludes_zero, boot.centre_b > boot.centre_a)
    return Comparison(
        metric=metric,
        direction=direction.value,
        centre=how.value,
        n_a=int(xa.size),
        n_b=int(xb.size),
        a=boot.centre_a,
        b=boot.centre_b,
        rel_change=boot.rel_change,
        ci_low=boot.rel_low,
        ci_high=boot.rel_high,
        p_value=p_mw,
        p_welch=p_t,
        cliffs_delta=cliffs_delta(xa, xb),
        hedges_g=hedges_g(xa, xb),
        n_needed=iterations_needed_for(xa, xb, opts.detect, alpha=opts.alpha, power=opts.power),
        verdict=verdict.value,
    )
