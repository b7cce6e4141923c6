"""Detect a device's current/voltage conventions and normalise samples into mW."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from android_suite.collect.power_records import (
    _HIGH_SHARE,
    _LOW_SHARE,
    _MIN_SAMPLES,
    _PLAUSIBLE_MA,
    _PLAUSIBLE_V,
    _POSSIBLE_MA,
    _TO_MA,
    _TO_V,
    Confidence,
    Convention,
    CurrentSign,
    CurrentUnit,
    E,
    Finding,
    PowerCalibration,
    PowerReading,
    PowerSample,
    PowerSeries,
    VoltageUnit,
    _Array,
)


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
