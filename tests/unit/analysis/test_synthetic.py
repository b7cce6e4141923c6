"""The synthetic A/B run: contract columns, determinism, and the reboot it contains."""

from __future__ import annotations

import pandas as pd

from android_suite.analysis.metrics import iteration_metrics
from android_suite.analysis.synthetic import Effects, synthetic_run
from android_suite.results.rundata import (
    DEVICE_COLUMNS,
    ENERGY_COLUMNS,
    FRAME_COLUMNS,
    ITERATION_COLUMNS,
    KILL_COLUMNS,
    LAUNCH_COLUMNS,
    SAMPLE_COLUMNS,
)


def test_every_frame_has_the_contract_columns() -> None:
    run = synthetic_run()
    for frame, columns in (
        (run.devices, DEVICE_COLUMNS),
        (run.iterations, ITERATION_COLUMNS),
        (run.samples, SAMPLE_COLUMNS),
        (run.launches, LAUNCH_COLUMNS),
        (run.frames, FRAME_COLUMNS),
        (run.kills, KILL_COLUMNS),
        (run.energy, ENERGY_COLUMNS),
    ):
        assert set(columns) <= set(frame.columns)
        assert not frame.empty
    assert run.virtual
    assert not synthetic_run(virtual=False).virtual


def test_shape_of_the_default_run() -> None:
    run = synthetic_run()
    its = run.iterations
    assert sorted(its["device"].astype(str).unique()) == ["virt-generic_arm-0", "virt-mediatek-0"]
    measured = its[~its["warmup"] & its["valid"]]
    assert measured.groupby(["device", "variant"], observed=True).size().tolist() == [10, 10, 10, 10]
    assert (~its["valid"]).sum() == 2


def test_same_seed_same_run_other_seed_other_run() -> None:
    one, two, other = synthetic_run(seed=7), synthetic_run(seed=7), synthetic_run(seed=8)
    pd.testing.assert_frame_equal(one.samples, two.samples)
    pd.testing.assert_frame_equal(one.launches, two.launches)
    assert not one.samples["value"].equals(other.samples["value"])


def test_reboot_resets_counters_and_rates_stay_sane() -> None:
    run = synthetic_run(seed=3, iterations=4, effects=Effects.none())
    s = run.samples
    steal = s[(s["metric"] == "pgsteal_anon") & (s["device"] == "virt-mediatek-0")]
    assert (steal["value"].diff() < 0).sum() >= 1  # the reboot
    assert steal["boot_id"].nunique() == 2
    values = iteration_metrics(run).values
    rates = values[values["metric"] == "pgsteal_anon_per_s"]["value"]
    assert rates.between(150_000, 450_000).all()


def test_timeouts_are_nan_not_zero() -> None:
    launches = synthetic_run(seed=0, iterations=30).launches
    timeouts = launches[launches["status"] == "timeout"]
    assert len(timeouts) > 0 and timeouts["total_time_ms"].isna().all()
