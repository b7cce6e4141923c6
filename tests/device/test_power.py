"""Power, kcompressd on against off: energy per round and average power (battery counters, unplugged)."""

from __future__ import annotations

from android_suite.scenario_run import AbResults
from android_suite.scenarios import Record, check_budgets
from android_suite.session import Target


def test_energy_within_budget(ab_results: AbResults, handset: Target, record_property: Record) -> None:
    record_property("rounds_per_iteration", ab_results.rounds)
    check_budgets(ab_results, handset, ["energy_per_round_j", "power_mw"], record_property)
