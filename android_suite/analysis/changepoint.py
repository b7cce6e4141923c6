"""Change points in nightly histories: binary segmentation with a Bonferroni-controlled t scan.

For one series x[0..n) (one device, one metric, nights in order) every split
k with at least ``min_segment`` nights on each side is a candidate. Each is
scored with the two-sample t statistic of the nights before against the
nights after (pooled variance, n - 2 degrees of freedom; computed for all
splits at once from cumulative sums). The best split is accepted when

* its two-sided p value is below ``alpha / m``, where m counts every
  candidate split of every series examined (Bonferroni: the chance of any
  false alarm anywhere in the nightly is at most ``alpha`` for independent
  Gaussian nightly noise, whatever the number of devices and metrics), and
* the relative shift of the segment means is at least ``min_effect`` (a
  statistically clear 0.5% drift is not worth a red build).

An accepted split divides the series and each side is searched again
(binary segmentation), up to ``max_changes``. Why not PELT with a BIC
penalty: BIC's false-alarm rate per series is uncontrolled (several percent
for 90 Gaussian nights), which over 50 devices x several metrics would page
someone every night; the explicit Bonferroni threshold states its error
rate. The price is power for changes in the last few nights: a shift has to
persist ``min_segment`` nights to be seen.

Assumptions: nights are independent with a constant variance within a
segment. Autocorrelated drift, or heavy-tailed nights, raise the
false-alarm rate; the per-night confidence intervals are drawn in the
charts but not used here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import t as student_t

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ChangePointOptions:
    """Knobs of the detector (see the module doc).

    Attributes:
        alpha: family-wise false-alarm rate over everything examined together.
        min_segment: nights a level must hold, on each side of a change.
        min_effect: smallest relative shift of the mean worth flagging.
        max_changes: per series.
    """

    alpha: float = 0.05
    min_segment: int = 5
    min_effect: float = 0.05
    max_changes: int = 5


@dataclass(frozen=True)
class ChangePoint:
    """A change of mean at ``index`` (the first night of the new level)."""

    index: int
    before: float  # mean of the segment before
    after: float  # mean of the segment after
    t_stat: float
    p_value: float

    @property
    def rel_change(self) -> float:
        return self.after / self.before - 1.0 if self.before != 0 else math.copysign(math.inf, self.after)


def candidate_count(n: int, min_segment: int) -> int:
    """Splits of a series of ``n`` nights with ``min_segment`` on each side."""
    return max(0, n - 2 * min_segment + 1)


def t_scan(x: Floats, min_segment: int) -> tuple[npt.NDArray[np.int64], Floats]:
    """Pooled two-sample t statistic (after minus before) for every allowed split.

    Returns:
        (splits, t): split k puts x[:k] before and x[k:] after.
    """
    n = x.size
    k = np.arange(min_segment, n - min_segment + 1, dtype=np.int64)
    if k.size == 0:
        return k, np.empty(0)
    # Centre first: sums of squares from cumulative sums lose precision on big offsets (counters ~1e9).
    y = x - x.mean()
    c1, c2 = np.concatenate(([0.0], np.cumsum(y))), np.concatenate(([0.0], np.cumsum(y * y)))
    n_b, n_a = k.astype(np.float64), (n - k).astype(np.float64)
    s_b, s_a = c1[k], c1[n] - c1[k]
    ss = (c2[k] - s_b**2 / n_b) + ((c2[n] - c2[k]) - s_a**2 / n_a)
    var = np.maximum(ss, 0.0) / (n - 2)
    diff = s_a / n_a - s_b / n_b
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / np.sqrt(var * (1.0 / n_b + 1.0 / n_a))
    # A perfectly flat pair of segments: no evidence either way unless the means differ.
    t = np.where(var > 0, t, np.where(diff == 0, 0.0, np.copysign(np.inf, diff)))
    return k, t


def _best_split(x: Floats, opts: ChangePointOptions, threshold: float) -> ChangePoint | None:
    splits, t = t_scan(x, opts.min_segment)
    if splits.size == 0:
        return None
    best = int(np.argmax(np.abs(t)))
    k = int(splits[best])
    p = float(2.0 * student_t.sf(abs(float(t[best])), x.size - 2))
    before, after = float(x[:k].mean()), float(x[k:].mean())
    shift = abs(after - before) / abs(before) if before != 0 else math.inf
    if p >= threshold or shift < opts.min_effect:
        return None
    return ChangePoint(k, before, after, float(t[best]), p)


def find_changes(x: Floats, opts: ChangePointOptions | None = None, *, tests: int | None = None) -> list[ChangePoint]:
    """Change points of one series, in time order.

    Args:
        x: the nightly values, in order, without NaNs.
        opts: detector settings.
        tests: the Bonferroni denominator; by default this series' candidate
            splits. Pass the total over every series examined together.
    """
    o = opts or ChangePointOptions()
    m = tests if tests is not None else candidate_count(x.size, o.min_segment)
    threshold = o.alpha / max(1, m)
    found: list[ChangePoint] = []
    pending = [(0, x.size)]
    while pending and len(found) < o.max_changes:
        lo, hi = pending.pop()
        cp = _best_split(x[lo:hi], o, threshold)
        if cp is None:
            continue
        found.append(ChangePoint(lo + cp.index, cp.before, cp.after, cp.t_stat, cp.p_value))
        pending += [(lo, lo + cp.index), (lo + cp.index, hi)]
    found.sort(key=lambda c: c.index)
    return _remeasure(x, found)


def _remeasure(x: Floats, changes: list[ChangePoint]) -> list[ChangePoint]:
    """Each change's before/after means over its neighbouring segments in the final segmentation."""
    bounds = [0, *(c.index for c in changes), x.size]
    return [
        ChangePoint(
            c.index, float(x[bounds[i] : c.index].mean()), float(x[c.index : bounds[i + 2]].mean()), c.t_stat, c.p_value
        )
        for i, c in enumerate(changes)
    ]
