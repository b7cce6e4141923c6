"""Power normalisation: each driver convention, charging flags, ambiguity, overrides, energy."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from android_suite.collect.power import (
    Confidence,
    CurrentSign,
    CurrentUnit,
    PowerCalibration,
    PowerReading,
    PowerSample,
    VoltageUnit,
    charging_from_status,
    detect_convention,
    integrate_energy,
    normalise_power,
)


def samples(
    currents: Sequence[float | None], voltage: float | None, charging: Sequence[bool | None]
) -> list[PowerSample]:
    return [PowerSample(0.1 * i, c, voltage, s) for i, (c, s) in enumerate(zip(currents, charging, strict=True))]


ON_BATTERY = [False] * 5
CHARGING = [True] * 3


@pytest.mark.parametrize(
    ("currents", "charging", "sign", "expected_ma"),
    [
        # Kernel ABI since 2020, and BatteryManager: negative on discharge, positive on charge.
        ([-500_000] * 5 + [1_000_000] * 3, ON_BATTERY + CHARGING, CurrentSign.CHARGE_POSITIVE, [500] * 5 + [-1000] * 3),
        # Older drivers: positive on discharge, negative on charge.
        (
            [500_000] * 5 + [-1_000_000] * 3,
            ON_BATTERY + CHARGING,
            CurrentSign.DISCHARGE_POSITIVE,
            [500] * 5 + [-1000] * 3,
        ),
        # A bare magnitude: the direction comes from the charging state.
        ([500_000] * 5 + [1_000_000] * 3, ON_BATTERY + CHARGING, CurrentSign.ABSOLUTE, [500] * 5 + [-1000] * 3),
    ],
)
def test_sign_conventions_normalise_to_discharge_positive(
    currents: list[float | None], charging: list[bool | None], sign: CurrentSign, expected_ma: list[float]
) -> None:
    series = normalise_power(samples(currents, 3_900_000, charging))
    conv = series.convention
    assert conv.current_sign.value is sign
    assert conv.confidence is Confidence.HIGH
    assert conv.calibration == PowerCalibration(CurrentUnit.MICROAMP, sign, VoltageUnit.MICROVOLT)
    assert [r.current_ma for r in series.readings] == pytest.approx(expected_ma)
    assert series.readings[0].voltage_v == pytest.approx(3.9)
    assert series.readings[0].power_mw == pytest.approx(500 * 3.9)


def test_oem_milliamp_and_millivolt() -> None:
    series = normalise_power(samples([-800, -1200, -950, -700], 3850, [False] * 4))
    conv = series.convention
    assert (conv.current_unit.value, conv.voltage_unit.value) == (CurrentUnit.MILLIAMP, VoltageUnit.MILLIVOLT)
    assert conv.confidence is Confidence.HIGH and conv.reason is None
    assert series.readings[1].power_mw == pytest.approx(1200 * 3.85)


def test_two_cell_pack_voltage_is_plausible() -> None:
    conv = detect_convention(samples([-400_000] * 4, 7_600_000, [False] * 4))
    assert conv.voltage_unit.value is VoltageUnit.MICROVOLT
    assert conv.voltage_unit.confidence is Confidence.HIGH


def test_positive_on_battery_without_charging_samples_says_what_it_cannot_tell() -> None:
    conv = detect_convention(samples([300_000] * 4, 4_000_000, [False] * 4))
    assert conv.current_sign.value is CurrentSign.DISCHARGE_POSITIVE
    assert conv.current_sign.reason is not None and "absolute" in conv.current_sign.reason


def test_charging_samples_are_flagged_not_dropped() -> None:
    series = normalise_power(samples([-500_000, -500_000, -500_000, 900_000], 4_100_000, [False] * 3 + [True]))
    assert len(series.readings) == 4
    assert [r.charging for r in series.readings] == [False, False, False, True]
    assert series.charging_count == 1
    assert series.readings[3].current_ma == pytest.approx(-900)  # charging: energy flows into the battery


def test_unknown_charging_state_leaves_sign_ambiguous_with_a_reason() -> None:
    series = normalise_power(samples([-500_000] * 5, 3_900_000, [None] * 5))
    conv = series.convention
    assert conv.current_sign.value is None
    assert conv.confidence is Confidence.AMBIGUOUS
    assert conv.calibration is None
    assert conv.reason is not None and "current sign: charging state unknown" in conv.reason
    assert all(r.current_ma is None and r.power_mw is None for r in series.readings)
    assert series.readings[0].voltage_v == pytest.approx(3.9)  # what is known is still reported


def test_mixed_magnitudes_make_the_unit_ambiguous() -> None:
    conv = detect_convention(samples([-500, -500_000, -600, -600_000], 3_900_000, [False] * 4))
    assert conv.current_unit.value is None
    assert conv.current_unit.confidence is Confidence.AMBIGUOUS
    assert conv.current_unit.reason is not None and "median" in conv.current_unit.reason


def test_implausible_voltage_is_ambiguous() -> None:
    series = normalise_power(samples([-500_000] * 4, 5_000_000, [False] * 4))  # 5 V: USB, not a battery
    assert series.convention.voltage_unit.value is None
    assert series.convention.reason is not None and "voltage unit" in series.convention.reason
    assert all(r.voltage_v is None and r.power_mw is None for r in series.readings)
    assert series.readings[0].current_ma == pytest.approx(500)


def test_idle_draw_falls_back_to_the_only_possible_unit_at_low_confidence() -> None:
    conv = detect_convention(samples([-20_000] * 5, 3_900_000, [False] * 5))  # 20 mA, or an impossible 20 A
    assert conv.current_unit.value is CurrentUnit.MICROAMP
    assert conv.current_unit.confidence is Confidence.LOW
    assert conv.current_unit.reason is not None and "only uA" in conv.current_unit.reason


def test_mixed_signs_on_battery_are_ambiguous() -> None:
    conv = detect_convention(samples([-500_000, 500_000] * 3, 3_900_000, [False] * 6))
    assert conv.current_sign.value is None
    assert conv.current_sign.reason is not None and "50%" in conv.current_sign.reason


def test_few_samples_lower_confidence() -> None:
    conv = detect_convention(samples([-500_000, -510_000], 3_900_000, [False, False]))
    assert conv.current_sign.confidence is Confidence.LOW
    assert conv.current_unit.confidence is Confidence.LOW
    assert conv.calibration is not None


def test_no_current_at_all_is_ambiguous() -> None:
    conv = detect_convention(samples([None, 0, None], 3_900_000, [False] * 3))
    assert conv.current_unit.reason == "no non-zero current samples"


def test_per_model_override_wins_and_reports_disagreement() -> None:
    cal = PowerCalibration(CurrentUnit.MILLIAMP, CurrentSign.DISCHARGE_POSITIVE, VoltageUnit.MILLIVOLT)
    raw = samples([450, 500, 550, 480], 3900, [None] * 4)  # sign undetectable without the override
    series = normalise_power(raw, model="SM-S911B", calibrations={"SM-S911B": cal, "Pixel 6": cal})
    conv = series.convention
    assert conv.model == "SM-S911B"
    assert conv.confidence is Confidence.OVERRIDE
    assert conv.calibration == cal
    assert [r.power_mw for r in series.readings] == pytest.approx([450 * 3.9, 500 * 3.9, 550 * 3.9, 480 * 3.9])

    wrong = PowerCalibration(CurrentUnit.MILLIAMP, CurrentSign.CHARGE_POSITIVE, VoltageUnit.MICROVOLT)
    clash = normalise_power(samples([-500_000] * 4, 3_900_000, [False] * 4), model="X", calibrations={"X": wrong})
    assert clash.convention.reason is not None
    assert "data fit uA, calibration says mA" in clash.convention.reason


def test_override_is_looked_up_by_model_only() -> None:
    cal = PowerCalibration(CurrentUnit.MILLIAMP, CurrentSign.DISCHARGE_POSITIVE, VoltageUnit.MILLIVOLT)
    series = normalise_power(samples([-500_000] * 4, 3_900_000, [False] * 4), model="other", calibrations={"X": cal})
    assert series.convention.model is None
    assert series.convention.confidence is Confidence.HIGH


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        *[("Charging", True), ("Full\n", True), ("Discharging", False), ("Not charging", None), ("Unknown", None)],
        *[(2, True), (5, True), (3, False), (4, None), (None, None)],
    ],
)
def test_charging_from_status(status: str | int | None, expected: bool | None) -> None:
    assert charging_from_status(status) is expected


def reading(t: float, mw: float | None, ma: float | None, charging: bool | None = False) -> PowerReading:
    return PowerReading(t, ma, None if mw is None or ma is None else mw / ma, mw, charging)


TRIANGLE = [reading(0, 1000, 250), reading(1, 2000, 500), reading(2, 1000, 250)]


def test_energy_trapezoid_against_hand_computed_values() -> None:
    energy = integrate_energy(TRIANGLE, max_gap_s=1.5)
    # (1000+2000)/2 * 1 s + (2000+1000)/2 * 1 s = 3000 mJ; (250+500)/2 * 2 s = 750 mA s.
    assert energy.joules == pytest.approx(3.0)
    assert energy.mah == pytest.approx(750 / 3600)
    assert (energy.span_s, energy.covered_s, energy.gap_s) == (2.0, 2.0, 0.0)


def test_energy_window_cuts_pairs_with_interpolation() -> None:
    energy = integrate_energy(TRIANGLE, max_gap_s=1.5, start=0.5, end=1.5)
    # 0.5..1: (1500+2000)/2 * 0.5 = 875; 1..1.5: (2000+1500)/2 * 0.5 = 875 mJ.
    assert energy.joules == pytest.approx(1.75)
    assert energy.covered_s == pytest.approx(1.0)


def test_energy_does_not_bridge_gaps() -> None:
    rs = [reading(0, 1000, 250), reading(1, 1000, 250), reading(5, 1000, 250), reading(6, 1000, 250)]
    energy = integrate_energy(rs, max_gap_s=2.0)
    assert energy.joules == pytest.approx(2.0)
    assert (energy.covered_s, energy.gap_s) == (2.0, 4.0)


def test_energy_skips_missing_values_and_reversed_time() -> None:
    rs = [reading(0, 1000, 250), reading(1, None, None), reading(2, 1000, 250), reading(3, 1000, 250)]
    assert integrate_energy(rs, max_gap_s=5).covered_s == 1.0
    reboot = [reading(0, 1000, 250), reading(1, 1000, 250), reading(0.2, 1000, 250), reading(1.2, 1000, 250)]
    assert integrate_energy(reboot, max_gap_s=5).joules == pytest.approx(2.0)


def test_energy_leaves_out_charging_unless_asked() -> None:
    rs = [reading(0, 1000, 250), reading(1, 1000, 250), reading(2, -4000, -1000, True), reading(3, 1000, 250, None)]
    energy = integrate_energy(rs, max_gap_s=2)
    assert energy.joules == pytest.approx(1.0)
    assert energy.charging_s == 2.0
    assert energy.unknown_state_s == 0.0
    included = integrate_energy(rs, max_gap_s=2, include_charging=True)
    assert included.joules == pytest.approx(1.0 - 1.5 - 1.5)
    assert included.unknown_state_s == 0.0  # the unknown pair touches a charging reading
    tail = integrate_energy([reading(0, 1000, 250), reading(1, 1000, 250, None)], max_gap_s=2)
    assert tail.joules == pytest.approx(1.0)
    assert tail.unknown_state_s == 1.0


def test_energy_edge_cases() -> None:
    assert integrate_energy([], max_gap_s=1).joules == 0.0
    assert integrate_energy([reading(3, 1000, 250)], max_gap_s=1).covered_s == 0.0
    with pytest.raises(ValueError, match="max_gap_s"):
        integrate_energy(TRIANGLE, max_gap_s=0)
    with pytest.raises(ValueError, match="precedes"):
        integrate_energy(TRIANGLE, max_gap_s=1, start=2, end=1)


def test_normalised_series_integrates_end_to_end() -> None:
    raw = [PowerSample(0.5 * i, -400_000, 4_000_000, False) for i in range(5)]
    energy = integrate_energy(normalise_power(raw).readings, max_gap_s=1.0)
    assert energy.joules == pytest.approx(1.6 * 2.0)  # 1600 mW for 2 s
    assert energy.mah == pytest.approx(400 * 2.0 / 3600)
