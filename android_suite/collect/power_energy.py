"""Energy integrated over power readings (J and mAh), charging and gaps accounted for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from android_suite.collect.power_records import (
    PowerReading,
    _Array,
)


@dataclass(frozen=True)
class Energy:
    """Energy drawn from the battery over one interval.

    Attributes:
        joules, mah: integrated power and discharge current (negative if the
            battery gained charge over included charging stretches).
        span_s: length of the interval asked for.
        covered_s: time actually integrated.
        gap_s: time inside the sampled range not integrated: sample gaps longer
            than ``max_gap_s`` or readings with no value. Time before the first
            or after the last sample is in neither.
        charging_s: time with a charging reading at either end (left out unless
            ``include_charging``).
        unknown_state_s: integrated time whose charging state was unknown at an end.
    """

    joules: float
    mah: float
    span_s: float
    covered_s: float
    gap_s: float
    charging_s: float
    unknown_state_s: float


def _column(readings: Sequence[PowerReading], name: str) -> _Array:
    return np.asarray([getattr(r, name) for r in readings], dtype=np.float64)


def integrate_energy(
    readings: Sequence[PowerReading],
    *,
    max_gap_s: float,
    start: float | None = None,
    end: float | None = None,
    include_charging: bool = False,
) -> Energy:
    """Integrate power (J) and current (mAh) by the trapezoid rule over device time.

    Two neighbouring readings further apart than ``max_gap_s`` are not bridged:
    a dropped link or a suspended device must not be filled in with a straight
    line. The interval ``[start, end]`` may cut a pair; the values at the cut
    are interpolated linearly. Pairs whose time does not increase (a clock reset
    at reboot) are skipped. Readings must be in sampling order.

    Raises:
        ValueError: ``max_gap_s`` is not positive or ``end`` precedes ``start``.
    """
    if max_gap_s <= 0:
        raise ValueError(f"max_gap_s must be positive, got {max_gap_s}")
    t = _column(readings, "t")
    lo = start if start is not None else (float(t.min()) if t.size else 0.0)
    hi = end if end is not None else (float(t.max()) if t.size else lo)
    if hi < lo:
        raise ValueError(f"end {hi} precedes start {lo}")
    if t.size < 2:
        return Energy(0.0, 0.0, hi - lo, 0.0, 0.0, 0.0, 0.0)
    mw, ma = _column(readings, "power_mw"), _column(readings, "current_ma")
    chg = np.asarray([np.nan if r.charging is None else float(r.charging) for r in readings])
    t0, t1 = t[:-1], t[1:]
    dt = t1 - t0
    a, b = np.maximum(t0, lo), np.minimum(t1, hi)
    width = np.where(dt > 0, b - a, 0.0)
    inside = width > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        fa, fb = (a - t0) / dt, (b - t0) / dt

    def area(v: _Array) -> _Array:
        v0, v1 = v[:-1], v[1:]
        return width * (v0 + (v1 - v0) * fa + v0 + (v1 - v0) * fb) / 2

    valid = inside & (dt <= max_gap_s) & np.isfinite(mw[:-1] + mw[1:] + ma[:-1] + ma[1:])
    charging = (chg[:-1] == 1) | (chg[1:] == 1)
    unknown = ~charging & (np.isnan(chg[:-1]) | np.isnan(chg[1:]))
    used = valid & (include_charging | ~charging)
    return Energy(
        joules=float(area(mw)[used].sum()) / 1000.0,  # mW * s = mJ
        mah=float(area(ma)[used].sum()) / 3600.0,  # mA * s -> mAh
        span_s=hi - lo,
        covered_s=float(width[used].sum()),
        gap_s=float(width[inside & ~valid].sum()),
        charging_s=float(width[valid & charging].sum()),
        unknown_state_s=float(width[used & unknown].sum()),
    )
