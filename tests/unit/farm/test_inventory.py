from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.collect.power_records import CurrentSign, CurrentUnit
from android_suite.errors import ConfigError
from android_suite.farm.inventory import AdbServerAddr, load_inventory

ROOT = Path(__file__).resolve().parents[3]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "farm.toml"
    p.write_text(text)
    return p


def test_the_example_inventory_loads() -> None:
    inv = load_inventory(ROOT / "farm.example.toml")
    assert len(inv.devices) >= 2
    remote = [d for d in inv.devices if d.server != inv.default_server]
    assert remote, "the example shows a phone on another host's adb server"
    assert any(d.power is not None for d in inv.devices)


def test_fields_defaults_and_relative_manifest(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text("")
    inv = load_inventory(
        write(
            tmp_path,
            """
[farm]
adb_server = "127.0.0.1:5038"
[health]
min_battery_pct = 30
[[device]]
serial = "AAA"
tags = ["nightly", "mtk"]
flashable = true
manifest = "m.toml"
[device.power]
current_unit = "uA"
current_sign = "charge_positive"
voltage_unit = "uV"
[[device]]
serial = "BBB"
adb_server = "lab2:5037"
""",
        )
    )
    a, b = inv.devices
    assert a.server == AdbServerAddr("127.0.0.1", 5038)
    assert a.tags == frozenset({"nightly", "mtk"}) and a.flashable
    assert a.manifest == (tmp_path / "m.toml").resolve()
    assert a.power is not None and a.power.current_unit is CurrentUnit.MICROAMP
    assert a.power.current_sign is CurrentSign.CHARGE_POSITIVE
    assert b.server == AdbServerAddr("lab2", 5037) and not b.flashable and b.power is None
    assert inv.health == {"min_battery_pct": 30.0}
    assert inv.servers == (AdbServerAddr("127.0.0.1", 5038), AdbServerAddr("lab2", 5037))


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('[[device]]\nserial = "X"\ncolour = "red"\n', "device 'X': unknown key(s) ['colour']"),
        ('[[device]]\nserial = "X"\nflashable = "yes"\n', "device 'X': key 'flashable'"),
        ('[[device]]\nserial = "X"\nadb_server = "host"\n', "device 'X': adb_server 'host' is not HOST:PORT"),
        ('[[device]]\nserial = "X"\ntags = "a"\n', "device 'X': key 'tags'"),
        ('[[device]]\nserial = "X"\nmanifest = "nope.toml"\n', "device 'X': key 'manifest': no such file"),
        ('[[device]]\nserial = "X"\n[device.power]\ncurrent_unit = "A"\n', "key 'power.current_unit'"),
        ('[[device]]\nserial = "X"\n[[device]]\nserial = "X"\n', "device 'X' is listed twice"),
        ('[[device]]\ntags = ["a"]\n', "device #1: key 'serial' is missing"),
        ('[health]\nmin_battery_pct = "low"\n', "[health]: min_battery_pct must be a number"),
        ("[health]\nmin_battery = 5\n", "[health]: unknown key(s) ['min_battery']"),
        ("[farm]\nadb_server = 5037\n", "[farm]: key 'adb_server' must be a non-empty string"),
        ("[device]\nserial = 1\n", "[[device]] must be an array of tables"),
        ("x = [\n", "not valid TOML"),
    ],
)
def test_bad_inventories_name_file_device_and_key(tmp_path: Path, body: str, needle: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_inventory(path)
    assert str(path) in str(err.value)
    assert needle in str(err.value)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_inventory(tmp_path / "absent.toml")
