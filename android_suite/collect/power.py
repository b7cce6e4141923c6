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

from android_suite.collect.power_detect import (
    charging_from_status,
    detect_convention,
    detect_current_sign,
    detect_current_unit,
    detect_voltage_unit,
    lookup_calibration,
    normalise_power,
)
from android_suite.collect.power_energy import Energy, integrate_energy
from android_suite.collect.power_records import (
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
)

__all__ = [
    "Confidence",
    "Convention",
    "CurrentSign",
    "CurrentUnit",
    "E",
    "Energy",
    "Finding",
    "PowerCalibration",
    "PowerReading",
    "PowerSample",
    "PowerSeries",
    "VoltageUnit",
    "charging_from_status",
    "detect_convention",
    "detect_current_sign",
    "detect_current_unit",
    "detect_voltage_unit",
    "integrate_energy",
    "lookup_calibration",
    "normalise_power",
]
