from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ConfigError
from android_suite.farm.health import HEALTH_ARGV, Thresholds, parse_health, problems, unknown

DATA = Path(__file__).resolve().parents[2] / "data" / "farm"


def read(name: str) -> str:
    return (DATA / name).read_text()


def test_a_healthy_phone() -> None:
    r = parse_health(read("health_pixel.txt"))
    assert r.boot_completed and r.battery_pct == 87 and r.temp_c == pytest.approx(31.2)
    assert r.free_data_mb == pytest.approx(76557648 / 1024)
    assert problems(r, Thresholds()) == [] and unknown(r) == []


def test_low_battery_hot_and_full_with_a_wrapped_df_row() -> None:
    r = parse_health(read("health_hot_low.txt"))
    assert r.free_data_mb == pytest.approx(306128 / 1024)
    found = problems(r, Thresholds())
    assert found == [
        "battery 12% < 20%",
        "battery temperature 47.8 °C > 45 °C",
        "free /data 299 MB < 500 MB",
    ]


def test_booting_device_with_nothing_known() -> None:
    r = parse_health(read("health_booting.txt"))
    assert not r.boot_completed
    assert problems(r, Thresholds()) == ["boot not completed (sys.boot_completed != 1)"]
    assert unknown(r) == ["battery level", "battery temperature", "free /data"]


def test_cut_off_output_is_not_healthy() -> None:
    assert not parse_health(read("health_cut.txt")).boot_completed


def test_thresholds_from_the_inventory() -> None:
    t = Thresholds.from_mapping({"min_battery_pct": 50, "max_temp_c": 40})
    assert (t.min_battery_pct, t.max_temp_c, t.min_free_data_mb) == (50.0, 40.0, 500.0)
    with pytest.raises(ConfigError, match="unknown key"):
        Thresholds.from_mapping({"min_batery": 1})


def test_one_round_trip() -> None:
    assert HEALTH_ARGV[:2] == ("sh", "-c") and len(HEALTH_ARGV) == 3
