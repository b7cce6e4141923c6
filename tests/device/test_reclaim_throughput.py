"""Reclaim throughput, kcompressd on against off: the patch's own claims (one shared A/B run per session)."""

from __future__ import annotations

from android_suite.scenario_run import AbResults
from android_suite.scenarios import Record, check_budgets
from android_suite.session import Target


def test_reclaim_throughput_within_budget(ab_results: AbResults, handset: Target, record_property: Record) -> None:
    checks = check_budgets(
        ab_results,
        handset,
        ["pgsteal_anon_per_s", "allocstall_total_per_s", "kswapd_cpu_pct"],
        record_property,
        record_only=("kcompressd_cpu_pct",),
    )
    assert {c.budget.metric for c in checks} == {"pgsteal_anon_per_s", "allocstall_total_per_s", "kswapd_cpu_pct"}
