"""Power records and conventions: units, signs, calibrations, readings.

See :mod:`android_suite.collect.power` for why the conventions must be detected.
"""

from __future__ import annotations

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
