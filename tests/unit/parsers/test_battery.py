"""dumpsys battery, power_supply uevent and single sysfs integers, raw units."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.battery import parse_dumpsys_battery, parse_power_supply_uevent, parse_sysfs_int

BATTERY = Path(__file__).parents[2] / "data" / "battery"
SUPPLY = Path(__file__).parents[2] / "data" / "power_supply"


@pytest.mark.parametrize("version", range(6, 17))
def test_dumpsys_battery_every_release(version: int) -> None:
    b = parse_dumpsys_battery((BATTERY / f"android{version}.txt").read_bytes())
    assert not b.truncated and not b.updates_stopped
    assert (b.level, b.scale, b.voltage_mv, b.temperature_tenths_c, b.technology) == (85, 100, 4215, 285, "Li-ion")
    assert b.ac_powered is False and b.present is True and b.health == 2
    assert b.status == (2 if b.usb_powered else 3)
    assert (b.max_charging_current_ua is not None) == (version >= 7)
    assert (b.charge_counter_uah is not None) == (version >= 8)
    assert (b.dock_powered is not None) == (version >= 13)
    assert ("Charging state" in b.extra) == (version >= 14)


def test_updates_stopped_and_vendor_lines() -> None:
    b = parse_dumpsys_battery((BATTERY / "android10_updates_stopped.txt").read_bytes())
    assert b.updates_stopped and b.level == 42 and b.usb_powered is False
    v = parse_dumpsys_battery((BATTERY / "android11_vendor_lines.txt").read_bytes())
    assert v.extra["current now"] == "-312" and v.extra["LED charging"] == "true"


@pytest.mark.parametrize(
    ("odd", "plain"), [("android7_crlf.txt", "android8.txt"), ("android14_utf16le_bom.txt", "android14.txt")]
)
def test_dumpsys_battery_encodings(odd: str, plain: str) -> None:
    a = parse_dumpsys_battery((BATTERY / odd).read_bytes())
    b = parse_dumpsys_battery((BATTERY / plain).read_bytes())
    assert (a.level, a.voltage_mv, a.usb_powered, a.truncated) == (b.level, b.voltage_mv, b.usb_powered, False)


def test_dumpsys_battery_truncated() -> None:
    b = parse_dumpsys_battery((BATTERY / "android13_truncated.txt").read_bytes())
    assert b.truncated and b.max_charging_current_ua == 500000
    assert b.max_charging_voltage_uv is None and b.level is None  # the cut value is not guessed


@pytest.mark.parametrize(("line", "n"), [("  level: high\n", 2), ("  USB powered: yes\n", 2)])
def test_dumpsys_battery_bad_values(line: str, n: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_dumpsys_battery("Current Battery Service state:\n" + line)
    assert err.value.line == n


def test_dumpsys_battery_not_battery() -> None:
    with pytest.raises(ParseError):
        parse_dumpsys_battery("Can't find service: battery\n")


def test_uevent_raw_units_and_signs() -> None:
    neg = parse_power_supply_uevent((SUPPLY / "battery_discharging_negative.txt").read_bytes())
    pos = parse_power_supply_uevent((SUPPLY / "battery_discharging_positive_driver.txt").read_bytes())
    assert (neg.current_now_ua, pos.current_now_ua) == (-312000, 312000)  # no sign normalisation here
    assert (neg.voltage_now_uv, neg.temp_tenths_c, neg.capacity, neg.status) == (3987000, 285, 85, "Discharging")
    assert (neg.charge_counter_uah, neg.charge_full_design_uah, neg.cycle_count) == (3712000, 4614000, 213)
    assert neg.props["VOLTAGE_OCV"] == "4010000" and neg.online is None and not neg.truncated


def test_uevent_vendor_keys_usb_crlf_truncated() -> None:
    q = parse_power_supply_uevent((SUPPLY / "battery_qcom_vendor_keys.txt").read_bytes())
    assert q.props["INPUT_SUSPEND"] == "0" and q.cycle_count is None and q.current_now_ua == -421000
    usb = parse_power_supply_uevent((SUPPLY / "usb_online.txt").read_bytes())
    assert (usb.name, usb.type, usb.online, usb.capacity) == ("usb", "USB", 1, None)
    crlf = parse_power_supply_uevent((SUPPLY / "battery_crlf.txt").read_bytes())
    assert crlf == parse_power_supply_uevent((SUPPLY / "battery_discharging_negative.txt").read_bytes())
    cut = parse_power_supply_uevent((SUPPLY / "battery_truncated.txt").read_bytes())
    assert cut.truncated and cut.temp_tenths_c is None and cut.voltage_now_uv == 3987000


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("POWER_SUPPLY_NAME=battery\ngarbage\n", 2),
        ("POWER_SUPPLY_CAPACITY=full\n", 1),
        ("POWER_SUPPLY_NAME=battery\nPOWER_SUPPLY_NAME=usb\n", 2),
    ],
)
def test_uevent_malformed(text: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_power_supply_uevent(text)
    assert err.value.line == line


def test_uevent_empty() -> None:
    with pytest.raises(ParseError):
        parse_power_supply_uevent("")


@pytest.mark.parametrize(
    ("name", "value"), [("current_now.txt", -312000), ("voltage_now.txt", 3987000), ("current_now_crlf.txt", -312000)]
)
def test_sysfs_int(name: str, value: int) -> None:
    assert parse_sysfs_int((SUPPLY / name).read_bytes()) == value


@pytest.mark.parametrize("text", ["", "\n", "12 13\n", "abc\n", "1\n2\n"])
def test_sysfs_int_rejects(text: str) -> None:
    with pytest.raises(ParseError):
        parse_sysfs_int(text)
