"""Battery current and voltage, normalised into mW whatever the device's conventions.

Why nothing about the raw numbers can be assumed:

* Kernel ``power_supply/*/current_now`` is µA. The ABI has said "negative on
  discharge" since 2020 (kernel commit 05f94eb98907), but drivers use three
  conventions: negative on discharge, positive on discharge, or a bare
  magnitude. ``BatteryManager.BATTERY_PROPERTY_CURRENT_NOW`` is µA, positive
  when charging. Some OEM builds reportedly use mA (unverified); ``voltage_now``
  is µV, on some devices mV.
* With USB attached the charger, not the battery, feeds the phone, so battery
  counters say nothing about the workload. Such samples are flagged, never
  dropped (``dumpsys battery unplug`` only fakes the plug state).

So the convention is detected from the data: units from magnitudes (a phone on
battery draws about 50 mA-5 A; a cell sits at 3.0-4.6 V, a 2S pack at 6-9.2 V),
the sign from samples whose charging state is known. A per-model
:class:`PowerCalibration` overrides detection. Every finding says how sure it
is and, when not sure, why; an ambiguous quantity is left as None, never
guessed. Normalised current and power are positive while the battery discharges.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

_Array = npt.NDArray[np.float64]


class CurrentUnit(StrEnum):
    MICROAMP = "uA"
    MILLIAMP = "mA"


class VoltageUnit(StrEnum):
    MICROVOLT = "uV"
    MILLIVOLT = "mV"


class CurrentSign(StrEnum):
    """How a driver signs the battery current."""

    CHARGE_POSITIVE = "charge_positive"  # negative on discharge: kernel ABI since 2020, BatteryManager
    DISCHARGE_POSITIVE = "discharge_positive"
    ABSOLUTE = "absolute"  # a magnitude: the direction comes from the charging state


class Confidence(StrEnum):
    OVERRIDE = "override"  # a per-model calibration said so
    HIGH = "high"
    LOW = "low"  # a best reading, with the reason it may be wrong
    AMBIGUOUS = "ambiguous"  # not decided: the quantity is left as None


_RANK = {Confidence.AMBIGUOUS: 0, Confidence.LOW: 1, Confidence.HIGH: 2, Confidence.OVERRIDE: 3}
_TO_MA = {CurrentUnit.MICROAMP: 1e-3, CurrentUnit.MILLIAMP: 1.0}
_TO_V = {VoltageUnit.MICROVOLT: 1e-6, VoltageUnit.MILLIVOLT: 1e-3}
_PLAUSIBLE_MA = (50.0, 5000.0)  # what a phone on battery draws while a benchmark runs
_POSSIBLE_MA = (1.0, 10000.0)  # beyond this a unit is ruled out (no phone battery gives 10 A)
_PLAUSIBLE_V = ((3.0, 4.6), (6.0, 9.2))  # one Li-ion cell; a 2S pack
_HIGH_SHARE, _LOW_SHARE, _MIN_SAMPLES = 0.9, 0.6, 3

E = TypeVar("E", CurrentUnit, CurrentSign, VoltageUnit)


@dataclass(frozen=True)
class PowerCalibration:
    """A model's known conventions, overriding detection."""

    current_unit: CurrentUnit
    current_sign: CurrentSign
    voltage_unit: VoltageUnit


@dataclass(frozen=True)
class Finding(Generic[E]):
    """One detected convention: the value (None if ambiguous), how sure, and why not surer."""

    value: E | None
    confidence: Confidence
    reason: str | None = None


@dataclass(frozen=True)
class Convention:
    """The conventions a series was normalised with.

    Attributes:
        model: the model whose calibration overrode detection, if any.
    """

    current_unit: Finding[CurrentUnit]
    current_sign: Finding[CurrentSign]
    voltage_unit: Finding[VoltageUnit]
    model: str | None = None

    @property
    def calibration(self) -> PowerCalibration | None:
        """The full calibration, or None when any part is ambiguous."""
        unit, sign, volt = self.current_unit.value, self.current_sign.value, self.voltage_unit.value
        if unit is None or sign is None or volt is None:
            return None
        return PowerCalibration(unit, sign, volt)

    @property
    def confidence(self) -> Confidence:
        """The weakest of the three findings."""
        parts = (self.current_unit.confidence, self.current_sign.confidence, self.voltage_unit.confidence)
        return min(parts, key=_RANK.__getitem__)

    @property
    def reason(self) -> str | None:
        """Every finding's reason, labelled, or None when there is nothing to say."""
        found = {"current unit": self.current_unit.reason, "current sign": self.current_sign.reason}
        found["voltage unit"] = self.voltage_unit.reason
        reasons = [f"{name}: {why}" for name, why in found.items() if why]
        return "; ".join(reasons) or None


@dataclass(frozen=True)
class PowerSample:
    """One raw reading as the device gave it.

    Attributes:
        t: device timestamp in seconds.
        current: current_now as read, in the device's unit and sign.
        voltage: voltage_now as read.
        charging: True while charging or on external power, False on battery,
            None when unknown (see :func:`charging_from_status`).
    """

    t: float
    current: float | None
    voltage: float | None
    charging: bool | None


@dataclass(frozen=True)
class PowerReading:
    """One normalised reading; ``charging`` is the flag that the battery counters are meaningless."""

    t: float
    current_ma: float | None  # positive while the battery discharges
    voltage_v: float | None
    power_mw: float | None
    charging: bool | None


@dataclass(frozen=True)
class PowerSeries:
    readings: tuple[PowerReading, ...]
    convention: Convention

    @property
    def charging_count(self) -> int:
        """How many readings were taken while charging (flagged, kept)."""
        return sum(1 for r in self.readings if r.charging)


def charging_from_status(status: str | int | None) -> bool | None:
    """Map a battery status (sysfs text or BatteryManager int) to the charging flag.

    "Not charging" (4) gives None: the charger may be feeding the phone (charge
    limit reached, too hot) or be suspended (``input_suspend``) so that the
    battery does; the status alone cannot tell.
    """
    if isinstance(status, int):
        return {2: True, 5: True, 3: False}.get(status)
    if status is None:
        return None
    return {"charging": True, "full": True, "discharging": False}.get(status.strip().lower())


def lookup_calibration(model: str | None, calibrations: Mapping[str, PowerCalibration]) -> PowerCalibration | None:
    """The calibration for ``ro.product.model`` ``model``, if one is configured."""
    return calibrations.get(model.strip()) if model else None


def _share(values: _Array, ranges: Sequence[tuple[float, float]]) -> float:
    hits = np.zeros(values.shape, dtype=bool)
    for low, high in ranges:
        hits |= (values >= low) & (values <= high)
    return float(hits.mean())


def _grade(share: float, n: int) -> Confidence:
    if share >= _HIGH_SHARE and n >= _MIN_SAMPLES:
        return Confidence.HIGH
    return Confidence.LOW if share >= _LOW_SHARE else Confidence.AMBIGUOUS


def detect_current_unit(raw: _Array) -> Finding[CurrentUnit]:
    """Tell µA from mA by which unit puts the most samples in 50 mA-5 A."""
    mags = np.abs(raw[np.isfinite(raw) & (raw != 0)])
    if mags.size == 0:
        return Finding(None, Confidence.AMBIGUOUS, "no non-zero current samples")
    shares = {u: _share(mags * k, [_PLAUSIBLE_MA]) for u, k in _TO_MA.items()}
    best = max(shares, key=shares.__getitem__)
    grade, med = _grade(shares[best], mags.size), float(np.median(mags))
    why = (
        f"median |current| {med:g} is {med * 1e-3:g} mA if uA, {med:g} mA if mA; "
        f"{shares[best]:.0%} of {mags.size} samples fall in 50 mA-5 A as {best}"
    )
    if grade is Confidence.HIGH:
        return Finding(best, grade)
    if grade is Confidence.LOW:
        return Finding(best, grade, why)
    # Nothing fits a running phone: an idle one may draw under 50 mA, so fall
    # back on ruling out the unit that would make the draw physically impossible.
    possible = [u for u, k in _TO_MA.items() if _share(mags * k, [_POSSIBLE_MA]) >= 0.5]
    if len(possible) == 1:
        return Finding(possible[0], Confidence.LOW, f"{why}; only {possible[0]} gives a possible 1 mA-10 A")
    return Finding(None, Confidence.AMBIGUOUS, why)


def detect_voltage_unit(raw: _Array) -> Finding[VoltageUnit]:
    """Tell µV from mV by which unit puts the samples at a 1S or 2S battery's voltage."""
    vals = raw[np.isfinite(raw) & (raw > 0)]
    if vals.size == 0:
        return Finding(None, Confidence.AMBIGUOUS, "no positive voltage samples")
    shares = {u: _share(vals * k, _PLAUSIBLE_V) for u, k in _TO_V.items()}
    best = max(shares, key=shares.__getitem__)
    grade = _grade(shares[best], vals.size)
    why = f"{shares[best]:.0%} of {vals.size} samples fall in 3.0-4.6 V or 6-9.2 V as {best}"
    if grade is Confidence.HIGH:
        return Finding(best, grade)
    return Finding(best if grade is Confidence.LOW else None, grade, why)


def detect_current_sign(raw: _Array, charging: _Array) -> Finding[CurrentSign]:
    """Tell the sign convention from samples whose charging state is known.

    Args:
        raw: raw currents. charging: 1.0 charging, 0.0 on battery, NaN unknown.
    """
    known = np.isfinite(raw) & (raw != 0)
    on_battery, plugged = raw[known & (charging == 0)], raw[known & (charging == 1)]
    if on_battery.size:
        neg = float((on_battery < 0).mean())
        few = None if on_battery.size >= _MIN_SAMPLES else f"only {on_battery.size} samples on battery"
        grade = Confidence.HIGH if few is None else Confidence.LOW
        if neg >= _HIGH_SHARE:
            return Finding(CurrentSign.CHARGE_POSITIVE, grade, few)
        if neg > 1 - _HIGH_SHARE:
            why = f"{neg:.0%} of {on_battery.size} samples on battery are negative, the rest positive"
            return Finding(None, Confidence.AMBIGUOUS, why)
        # Positive on battery: discharge-positive or a magnitude. They agree on
        # battery; only samples taken while charging tell them apart.
        if plugged.size == 0:
            why = "positive on battery; no charging samples to tell it from absolute (same readings on battery)"
            return Finding(CurrentSign.DISCHARGE_POSITIVE, grade, why)
        pos = float((plugged > 0).mean())
        if pos >= _HIGH_SHARE:
            return Finding(CurrentSign.ABSOLUTE, grade, few)
        if pos <= 1 - _HIGH_SHARE:
            return Finding(CurrentSign.DISCHARGE_POSITIVE, grade, few)
        why = f"positive on battery but {pos:.0%} positive while charging; charging readings may have the wrong sign"
        return Finding(CurrentSign.DISCHARGE_POSITIVE, Confidence.LOW, why)
    if plugged.size:
        # All readings are flagged anyway; the two candidates agree on every one of them.
        pos = float((plugged > 0).mean())
        if pos >= _HIGH_SHARE:
            why = "only charging samples; positive while charging fits charge_positive and absolute alike"
            return Finding(CurrentSign.CHARGE_POSITIVE, Confidence.LOW, why)
        if pos <= 1 - _HIGH_SHARE:
            return Finding(CurrentSign.DISCHARGE_POSITIVE, Confidence.LOW, "only charging samples, negative")
        return Finding(None, Confidence.AMBIGUOUS, f"only charging samples, {pos:.0%} positive")
    return Finding(None, Confidence.AMBIGUOUS, "charging state unknown for every non-zero sample")


def _arrays(samples: Sequence[PowerSample]) -> tuple[_Array, _Array, _Array, _Array]:
    def col(values: list[float | None]) -> _Array:
        return np.asarray(values, dtype=np.float64)  # None -> NaN

    chg = [None if s.charging is None else float(s.charging) for s in samples]
    return (col([s.t for s in samples]), col([s.current for s in samples]), col([s.voltage for s in samples]), col(chg))


def detect_convention(samples: Sequence[PowerSample]) -> Convention:
    """Detect unit and sign conventions from the samples alone."""
    _, cur, volt, chg = _arrays(samples)
    return _detect(cur, volt, chg)


def _detect(cur: _Array, volt: _Array, chg: _Array) -> Convention:
    return Convention(detect_current_unit(cur), detect_current_sign(cur, chg), detect_voltage_unit(volt))


def _override(cal: PowerCalibration, found: Convention, model: str) -> Convention:
    def pick(value: E, seen: Finding[E]) -> Finding[E]:
        clash = seen.value is not None and seen.value != value and seen.confidence is Confidence.HIGH
        return Finding(
            value, Confidence.OVERRIDE, f"data fit {seen.value}, calibration says {value}" if clash else None
        )

    return Convention(
        pick(cal.current_unit, found.current_unit),
        pick(cal.current_sign, found.current_sign),
        pick(cal.voltage_unit, found.voltage_unit),
        model=model,
    )


def _opt(x: float) -> float | None:
    return None if np.isnan(x) else x


def normalise_power(
    samples: Sequence[PowerSample],
    *,
    model: str | None = None,
    calibrations: Mapping[str, PowerCalibration] | None = None,
) -> PowerSeries:
    """Normalise raw samples into mA, V and mW (positive on discharge).

    Args:
        samples: raw samples in device-time order.
        model: ``ro.product.model``, to look up a calibration.
        calibrations: model -> calibration, overriding detection.

    Returns:
        The readings and the convention used; quantities whose convention is
        ambiguous are None in every reading (``convention.reason`` says why).
    """
    _, cur, volt, chg = _arrays(samples)
    found = _detect(cur, volt, chg)
    cal = lookup_calibration(model, calibrations or {})
    conv = _override(cal, found, model or "") if cal is not None else found
    unit, sign, vunit = conv.current_unit.value, conv.current_sign.value, conv.voltage_unit.value
    ma = cur * _TO_MA[unit] if unit is not None else np.full_like(cur, np.nan)
    if sign is CurrentSign.CHARGE_POSITIVE:
        ma = -ma
    elif sign is CurrentSign.ABSOLUTE:
        ma = np.where(chg == 1, -np.abs(ma), np.where(chg == 0, np.abs(ma), np.nan))
    elif sign is None:
        ma = np.full_like(cur, np.nan)
    v = volt * _TO_V[vunit] if vunit is not None else np.full_like(volt, np.nan)
    mw = ma * v
    readings = tuple(
        PowerReading(s.t, _opt(a), _opt(b), _opt(c), s.charging)
        for s, a, b, c in zip(samples, ma.tolist(), v.tolist(), mw.tolist(), strict=True)
    )
    return PowerSeries(readings, conv)


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
