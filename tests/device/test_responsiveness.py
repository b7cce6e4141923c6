"""Responsiveness, kcompressd on against off: launches, frames, pressure stalls and kills.

The budgets are checked on the session's one A/B run (``ab_results``); the
last test drives the app-switch workload once under memory pressure in each
kcompressd state, through the per-test fixtures.
"""

from __future__ import annotations

from android_suite.collect.sampler import Sampler
from android_suite.kernel.state import StateRecord
from android_suite.scenario_run import AbResults, AppSwitch
from android_suite.scenarios import Record, check_budgets
from android_suite.session import Target
from android_suite.workloads.memeater import MemoryEater

LAUNCHES = ["launch_time_ms", "launch_time_p90_ms", "cold_start_share"]
FRAMES = ["janky_frame_share", "frame_time_p90_ms", "frame_time_p99_ms"]
PRESSURE = ["some_avg10", "full_avg10", "lmk_kills"]


def test_launch_latency_within_budget(ab_results: AbResults, handset: Target, record_property: Record) -> None:
    check_budgets(ab_results, handset, LAUNCHES, record_property)


def test_frames_within_budget(ab_results: AbResults, handset: Target, record_property: Record) -> None:
    check_budgets(ab_results, handset, FRAMES, record_property)


def test_pressure_and_kills_within_budget(ab_results: AbResults, handset: Target, record_property: Record) -> None:
    check_budgets(ab_results, handset, PRESSURE, record_property)


def test_app_switch_under_pressure(
    kcompressd: StateRecord,
    memory_pressure: MemoryEater,
    sampler: Sampler,
    app_switch: AppSwitch,
    record_property: Record,
) -> None:
    result = app_switch()
    record_property("app_switch", {"launches": result.launches, "frames": result.frames})
    assert memory_pressure.running
    # Apps without an activity start through monkey, which reports no launch time: None there.
    assert len(result.launches) == len(app_switch.plan.apps)
    assert any(total is not None for _, _, total in result.launches), result.launches
    assert sampler.drain(), "the sampler read nothing while the apps switched"
