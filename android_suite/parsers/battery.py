"""Parse battery state: ``dumpsys battery``, power_supply ``uevent``, single sysfs values.

No unit or sign normalisation happens here: values are returned as printed,
with the documented unit in the field name. The units are those of the
sources' documentation; real drivers differ (kernel ``current_now`` is µA and
negative when discharging since 2020, but drivers use three conventions and
some OEM builds reportedly print mA), so calibration per model lives in a
separate module.

``dumpsys battery`` (``BatteryService.dumpInternal``)::

    Current Battery Service state:
      AC powered: false
      USB powered: true
      Max charging current: 500000        <- µA, Android 7+
      Charge counter: 2680000             <- µAh, Android 8+
      status: 2                           <- BatteryManager.BATTERY_STATUS_*
      voltage: 4215                       <- mV
      temperature: 285                    <- tenths of °C
      technology: Li-ion

Kernel ``/sys/class/power_supply/*/uevent`` (Documentation/ABI/testing/
sysfs-class-power)::

    POWER_SUPPLY_STATUS=Discharging
    POWER_SUPPLY_CURRENT_NOW=-312000      <- µA
    POWER_SUPPLY_VOLTAGE_NOW=3987000      <- µV
    POWER_SUPPLY_TEMP=285                 <- tenths of °C
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_DUMPSYS = "dumpsys battery"
_UEVENT = "power_supply uevent"
_INT = re.compile(r"^[-+]?\d+$")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 _-]*?)\s*:\s*(.*?)\s*$")
# dumpsys label (lower-cased) -> (field, kind)
_DUMPSYS_FIELDS = {
    "ac powered": ("ac_powered", bool),
    "usb powered": ("usb_powered", bool),
    "wireless powered": ("wireless_powered", bool),
    "dock powered": ("dock_powered", bool),
    "max charging current": ("max_charging_current_ua", int),
    "max charging voltage": ("max_charging_voltage_uv", int),
    "charge counter": ("charge_counter_uah", int),
    "status": ("status", int),
    "health": ("health", int),
    "present": ("present", bool),
    "level": ("level", int),
    "scale": ("scale", int),
    "voltage": ("voltage_mv", int),
    "temperature": ("temperature_tenths_c", int),
    "technology": ("technology", str),
}


@dataclass(frozen=True)
class DumpsysBattery:
    """``dumpsys battery`` as printed; None when the release does not print it.

    Attributes:
        status: BATTERY_STATUS_* code (1 unknown, 2 charging, 3 discharging,
            4 not charging, 5 full).
        health: BATTERY_HEALTH_* code (2 good, 3 overheat, 4 dead, ...).
        max_charging_current_ua, max_charging_voltage_uv: of the charger.
        charge_counter_uah: remaining charge, µAh per the HAL docs.
        voltage_mv: battery voltage, mV.
        temperature_tenths_c: 285 means 28.5 °C.
        updates_stopped: "(UPDATES STOPPED ...)": values were faked with
            ``dumpsys battery set/unplug`` and do not follow the hardware.
        extra: other "Label: value" lines (newer releases, vendors).
        truncated: the capture ended before the "technology" line.
    """

    ac_powered: bool | None = None
    usb_powered: bool | None = None
    wireless_powered: bool | None = None
    dock_powered: bool | None = None
    max_charging_current_ua: int | None = None
    max_charging_voltage_uv: int | None = None
    charge_counter_uah: int | None = None
    status: int | None = None
    health: int | None = None
    present: bool | None = None
    level: int | None = None
    scale: int | None = None
    voltage_mv: int | None = None
    temperature_tenths_c: int | None = None
    technology: str | None = None
    updates_stopped: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    truncated: bool = False


def parse_dumpsys_battery(text: str | bytes) -> DumpsysBattery:
    """Parse ``dumpsys battery``.

    Raises:
        ParseError: no known battery line at all, or a known label whose
            value is not a boolean/integer as documented.
    """
    lines, unterminated = split_lines(as_text(text))
    if unterminated:
        lines = lines[:-1]  # "level: 8" may be the start of "level: 85"
    values: dict[str, object] = {}
    extra: dict[str, str] = {}
    stopped = False
    for n, line in enumerate(lines, start=1):
        if "UPDATES STOPPED" in line:
            stopped = True
            continue
        m = _KEY_VALUE.match(line)
        if m is None or not m.group(2):
            continue  # the "Current Battery Service state:" title, blank lines
        label, value = " ".join(m.group(1).lower().split()), m.group(2)
        if label not in _DUMPSYS_FIELDS:
            extra[m.group(1).strip()] = value
            continue
        name, kind = _DUMPSYS_FIELDS[label]
        values[name] = _typed(value, kind, label, n)
    if not values:
        if unterminated:
            return DumpsysBattery(truncated=True)
        raise ParseError(_DUMPSYS, "no battery fields (AC powered, level, ...): not dumpsys battery output")
    return DumpsysBattery(
        updates_stopped=stopped,
        extra=extra,
        truncated="technology" not in values,
        **values,  # type: ignore[arg-type]
    )


def _typed(value: str, kind: type, label: str, line: int) -> object:
    if kind is bool:
        if value not in ("true", "false"):
            raise ParseError(_DUMPSYS, f"{label}: expected true/false, got {value!r}", line)
        return value == "true"
    if kind is int:
        if not _INT.match(value):
            raise ParseError(_DUMPSYS, f"{label}: expected an integer, got {value!r}", line)
        return int(value)
    return value


# --- kernel power_supply ----------------------------------------------------

_UEVENT_LINE = re.compile(r"^([A-Z0-9_]+)=(.*)$")
_UEVENT_INTS = {
    "CAPACITY": "capacity",
    "ONLINE": "online",
    "PRESENT": "present",
    "CURRENT_NOW": "current_now_ua",
    "CURRENT_AVG": "current_avg_ua",
    "VOLTAGE_NOW": "voltage_now_uv",
    "VOLTAGE_AVG": "voltage_avg_uv",
    "TEMP": "temp_tenths_c",
    "CHARGE_COUNTER": "charge_counter_uah",
    "CHARGE_FULL": "charge_full_uah",
    "CHARGE_FULL_DESIGN": "charge_full_design_uah",
    "CYCLE_COUNT": "cycle_count",
}
_UEVENT_STRS = {"NAME": "name", "TYPE": "type", "STATUS": "status", "HEALTH": "health", "TECHNOLOGY": "technology"}


@dataclass(frozen=True)
class PowerSupplyUevent:
    """One power_supply ``uevent`` file, raw kernel units in the field names.

    Attributes:
        current_now_ua, current_avg_ua: µA by the ABI; the sign convention
            (negative = discharging since Linux 5.8 docs) varies by driver.
        voltage_now_uv, voltage_avg_uv: µV.
        temp_tenths_c: tenths of °C.
        charge_counter_uah, charge_full_uah, charge_full_design_uah: µAh.
        props: every key without its ``POWER_SUPPLY_`` prefix, as text.
        truncated: the last line was cut (no trailing newline).
    """

    name: str | None = None
    type: str | None = None
    status: str | None = None
    health: str | None = None
    technology: str | None = None
    capacity: int | None = None
    online: int | None = None
    present: int | None = None
    current_now_ua: int | None = None
    current_avg_ua: int | None = None
    voltage_now_uv: int | None = None
    voltage_avg_uv: int | None = None
    temp_tenths_c: int | None = None
    charge_counter_uah: int | None = None
    charge_full_uah: int | None = None
    charge_full_design_uah: int | None = None
    cycle_count: int | None = None
    props: dict[str, str] = field(default_factory=dict)
    truncated: bool = False


def parse_power_supply_uevent(text: str | bytes) -> PowerSupplyUevent:
    """Parse ``/sys/class/power_supply/NAME/uevent``.

    Raises:
        ParseError: an empty file, a line that is not KEY=value, a key given
            twice (two files concatenated), or a non-integer numeric property.
    """
    lines, unterminated = split_lines(as_text(text))
    if unterminated:
        lines = lines[:-1]  # sysfs always ends its lines; a cut value would lie
    props: dict[str, str] = {}
    values: dict[str, object] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        m = _UEVENT_LINE.match(line.strip())
        if m is None:
            raise ParseError(_UEVENT, f"not a KEY=value line: {line[:120]!r}", n)
        key = m.group(1).removeprefix("POWER_SUPPLY_")
        if key in props:
            raise ParseError(_UEVENT, f"{key} given twice (several supplies in one capture?)", n)
        props[key] = m.group(2)
        if key in _UEVENT_INTS:
            if not _INT.match(m.group(2).strip()):
                raise ParseError(_UEVENT, f"{key}: expected an integer, got {m.group(2)!r}", n)
            values[_UEVENT_INTS[key]] = int(m.group(2))
        elif key in _UEVENT_STRS:
            values[_UEVENT_STRS[key]] = m.group(2)
    if not props and not unterminated:
        raise ParseError(_UEVENT, "empty uevent")
    return PowerSupplyUevent(props=props, truncated=unterminated, **values)  # type: ignore[arg-type]


def parse_sysfs_int(text: str | bytes) -> int:
    """Parse a one-integer sysfs file (``current_now`` µA, ``voltage_now`` µV, ...).

    Raises:
        ParseError: empty, more than one token, or not an integer.
    """
    lines, _ = split_lines(as_text(text))
    body = [line.strip() for line in lines if line.strip()]
    if len(body) != 1 or not _INT.match(body[0]):
        shown = " ".join(body)[:80]
        raise ParseError("sysfs", f"expected one integer, got {shown!r}" if body else "empty file", 1)
    return int(body[0])
