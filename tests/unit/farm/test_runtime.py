"""A process's lease: file locks on this host, database leases across hosts, and the health gate's verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.farm import leases
from android_suite.farm.plan import Candidate, FarmPlan
from android_suite.farm.runtime import FarmRuntime, NoFreeDevice
from android_suite.results.store import ResultStore

CANDIDATES = (Candidate("S1", "127.0.0.1", 5037), Candidate("S2", "lab2", 5037))


@pytest.fixture(autouse=True)
def lease_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANDROID_SUITE_LEASE_DIR", str(tmp_path / "leases"))
    return tmp_path / "leases"


def runtime(timeout: float = 0.0, store: str | None = None, health: dict[str, float] | None = None) -> FarmRuntime:
    return FarmRuntime(FarmPlan("inventory", 2, CANDIDATES, lease_store=store, lease_timeout=timeout,
                                health=health or {}))  # fmt: skip


def test_each_runtime_leases_a_different_device_then_none_is_left() -> None:
    a, b = runtime(), runtime()
    la, lb = a._take(list(CANDIDATES)), b._take(list(CANDIDATES))
    assert {la.candidate.serial, lb.candidate.serial} == {"S1", "S2"}
    with pytest.raises(NoFreeDevice, match=r"no free farm device within 0.2 s; all leased: S1 \(pid="):
        runtime(timeout=0.2)._take(list(CANDIDATES))
    la.release()
    assert runtime()._take(list(CANDIDATES)).candidate.serial == la.candidate.serial


def test_a_device_leased_on_another_host_is_passed_over(tmp_path: Path) -> None:
    url = str(tmp_path / "leases.db")
    with ResultStore.open(url) as store:
        assert leases.take(store.engine, "S1", holder="other-host:1:x") is not None
    lease = runtime(store=url)._take(list(CANDIDATES))
    try:
        assert lease.candidate.serial == "S2" and lease.db_lease is not None
        with ResultStore.open(url) as store:
            assert set(leases.holders(store.engine)) == {"S1", "S2"}
    finally:
        lease.release()
    with pytest.raises(NoFreeDevice):
        runtime(store=url, timeout=0.0)._take(list(CANDIDATES[:1]))


def test_thresholds_come_from_the_plan_and_bad_keys_are_refused() -> None:
    from android_suite.errors import ConfigError

    assert runtime(health={"max_temp_c": 38}).thresholds.max_temp_c == 38
    with pytest.raises(ConfigError, match="inventory \\[health\\]: unknown key"):
        runtime(health={"max_temp": 38})
