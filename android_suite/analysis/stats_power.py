"""How many iterations an A/B run needs: power analysis at the observed noise.

Normal approximation for two independent arms of equal size n, a two-sided
test at level alpha and power 1 - beta, to detect a relative change ``delta``
of the baseline centre ``m`` when the per-iteration standard deviation is
``s`` (:func:`pooled_cv` gives s / m from a run):

    n = 2 * (z[1 - alpha/2] + z[1 - beta])^2 * (s / (delta * m))^2 / ARE + z[1 - alpha/2]^2 / 4

* ARE = 3 / pi: the asymptotic relative efficiency of Mann-Whitney against
  the t-test for normal data (the verdict uses Mann-Whitney, which needs
  ~5% more iterations there; for heavy-tailed data it needs fewer, so this
  errs on the safe side).
* The last term (Guenther 1981) corrects the normal quantiles for having
  to estimate s, which matters at the 5-20 iterations handsets allow.

:func:`simulated_power` checks the formula by simulation (normal data,
Mann-Whitney), which the unit tests use.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import mannwhitneyu, norm

from android_suite.analysis.stats_bootstrap import Floats

MW_EFFICIENCY = 3.0 / math.pi
MAX_ITERATIONS = 100_000  # beyond this the answer is "not practical", reported as is


def iterations_needed(
    cv: float, rel_change: float, *, alpha: float = 0.05, power: float = 0.8, efficiency: float = MW_EFFICIENCY
) -> int | None:
    """Iterations per arm to detect ``rel_change`` at coefficient of variation ``cv`` (see module doc).

    Returns None when the inputs make no sense (NaN, or a zero change) and
    at least 2 otherwise (capped at MAX_ITERATIONS).
    """
    if not (math.isfinite(cv) and math.isfinite(rel_change)) or rel_change == 0 or cv < 0:
        return None
    za, zb = float(norm.ppf(1 - alpha / 2)), float(norm.ppf(power))
    n = 2.0 * (za + zb) ** 2 * (cv / abs(rel_change)) ** 2 / efficiency + za * za / 4.0
    return int(min(MAX_ITERATIONS, max(2, math.ceil(n))))


def pooled_cv(a: Floats, b: Floats) -> float:
    """Coefficient of variation pooled over both arms, each relative to its own mean.

    Rates on a handset have multiplicative noise (a busier iteration is
    busier in proportion), so each arm's SD is scaled by its own mean before
    pooling; pooling raw SDs would let a large true effect inflate the noise.
    """
    na, nb = a.size, b.size
    ma, mb = (float(np.mean(a)) if na else 0.0), (float(np.mean(b)) if nb else 0.0)
    if na < 2 or nb < 2 or ma == 0 or mb == 0:
        return float("nan")
    va, vb = np.var(a, ddof=1) / ma**2, np.var(b, ddof=1) / mb**2
    return float(np.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)))


def iterations_needed_for(
    a: Floats, b: Floats, rel_change: float, *, alpha: float = 0.05, power: float = 0.8
) -> int | None:
    """:func:`iterations_needed` at the noise observed in a run (:func:`pooled_cv`)."""
    cv = pooled_cv(a, b)
    if not math.isfinite(cv):
        return None
    return iterations_needed(cv, rel_change, alpha=alpha, power=power)


def simulated_power(
    cv: float, rel_change: float, n: int, *, alpha: float = 0.05, trials: int = 2_000, seed: int = 0
) -> float:
    """Share of simulated A/B runs (normal data, n per arm) in which Mann-Whitney rejects at ``alpha``."""
    rng = np.random.default_rng(seed)
    a = rng.normal(1.0, cv, size=(trials, n))
    b = rng.normal(1.0 + rel_change, cv, size=(trials, n))
    p = mannwhitneyu(b, a, alternative="two-sided", axis=1, method="asymptotic").pvalue
    return float(np.mean(np.asarray(p) < alpha))
