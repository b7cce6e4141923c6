"""pytest side of farm runs: the plan at configure, xdist hooks, the health gate, the summary.

Registered by :mod:`android_suite.plugin` only when a farm run is asked for
(``--inventory``, or ``-n`` under pytest-xdist); without either, nothing here
is loaded and the single-handset behaviour is unchanged.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from android_suite.errors import ConfigError
from android_suite.farm.plan import DEFAULT_LEASE_TIMEOUT_S, POOL, WORKERINPUT_KEY, FarmPlan
from android_suite.farm.runtime import FarmRuntime

FARM_KEY = pytest.StashKey[FarmRuntime]()
_SELECTION = ("vendor", "model", "tags", "kcompressd_mechanism")


def xdist_workers(config: pytest.Config) -> int:
    """How many xdist workers this (controller) run starts; 0 without xdist or in a worker."""
    if hasattr(config, "workerinput") or getattr(config.option, "dist", "no") == "no":
        return 0
    return len(getattr(config.option, "tx", None) or [])


def configure_farm(
    config: pytest.Config, serials: tuple[str, ...], port: int, profiles: tuple[str, ...]
) -> FarmPlan | None:
    """Decide the farm plan (or None: not a farm run) and register the farm hooks."""
    from android_suite.farm import planning

    worker_input: dict[str, Any] | None = getattr(config, "workerinput", None)
    get = config.getoption
    inventory = get("android_suite_inventory", None)
    workers = xdist_workers(config)
    try:
        if worker_input is not None:
            raw = worker_input.get(WORKERINPUT_KEY)
            if raw is None:
                return None
            plan = FarmPlan.from_json(raw)
        else:
            timeout = get("android_suite_lease_timeout", None)
            timeout = DEFAULT_LEASE_TIMEOUT_S if timeout is None else timeout
            store = get("android_suite_lease_store", None)
            if inventory is None and any(get(f"android_suite_{k}", None) for k in _SELECTION):
                raise ConfigError("--vendor/--model/--tags/--kcompressd-mechanism select from an --inventory")
            if inventory is not None:
                sel = planning.selection_from(lambda k: get(k, None), serials)
                plan = planning.inventory_plan(inventory, sel, workers or 1, store, timeout)
            elif workers == 0:
                return None
            elif serials:
                plan = planning.serials_plan(serials, port, workers, store, timeout)
            else:
                plan = planning.pool_plan(profiles, port, workers, timeout)
        runtime = FarmRuntime(plan)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from exc
    config.stash[FARM_KEY] = runtime
    config.pluginmanager.register(FarmHooks(runtime, controller=workers > 0), "android_suite_farm")
    if not config.pluginmanager.has_plugin(__name__):
        config.pluginmanager.register(sys.modules[__name__], __name__)  # the gate fixture
    return plan


class FarmHooks:
    """Hooks of a farm run (controller ones only act in the xdist controller)."""

    def __init__(self, runtime: FarmRuntime, controller: bool) -> None:
        self.runtime = runtime
        self.controller = controller

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKERINPUT_KEY] = self.runtime.plan.to_json()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        if config.getoption("dist") != "load":
            return None  # the user chose a distribution: leave it (leases still keep devices apart)
        from android_suite.farm.xdist_sched import FarmScheduling

        return FarmScheduling(config, log)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.runtime.release()
        plan = self.runtime.plan
        if plan.mode == POOL and plan.pool is not None and not hasattr(config, "workerinput"):
            from android_suite.farm.pool import PoolSpec, stop_pool

            stop_pool(PoolSpec.from_dict(plan.pool))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        devices: dict[str, str] = {}
        quarantined: list[str] = []
        for reports in terminalreporter.stats.values():
            for rep in reports:
                for key, value in getattr(rep, "user_properties", ()) or ():
                    worker = getattr(getattr(rep, "node", None), "gateway", None)
                    if key == "farm_device":
                        devices[getattr(worker, "id", "main")] = str(value)
                    elif key == "farm_quarantine" and f"{value}" not in quarantined:
                        quarantined.append(f"{value} (before {rep.nodeid})")
        plan = self.runtime.plan
        if not devices and not quarantined and not plan.left_out:
            return
        terminalreporter.section("android_suite farm")
        terminalreporter.line(
            f"mode {plan.mode}, {plan.slots} slot(s); leased: "
            + (", ".join(f"{w} -> {s}" for w, s in sorted(devices.items())) or "none")
        )
        for serial, why in plan.left_out.items():
            terminalreporter.line(f"not selected: {serial}: {why}")
        for line in quarantined:
            terminalreporter.line(f"QUARANTINED {line}", red=True)


@pytest.fixture(autouse=True)
def _android_suite_farm_gate(request: pytest.FixtureRequest) -> Iterator[None]:
    """The health gate: before each test on a leased device, one round trip; unhealthy -> quarantined, skipped."""
    runtime = request.config.stash.get(FARM_KEY, None)
    if runtime is None or "handset" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("handset")  # leases the device on first use
    assert runtime.lease is not None
    serial = runtime.lease.candidate.serial
    request.node.user_properties.append(("farm_device", serial))
    reasons = runtime.check(request.node.nodeid)
    if reasons:
        from android_suite.scenario_run import store_url

        url = None
        with contextlib.suppress(Exception):  # no basetemp (e.g. --basetemp unwritable): summary only
            url = store_url(
                request.config.getoption("android_suite_results", None),
                request.getfixturevalue("tmp_path_factory").getbasetemp(),
            )
        reason = runtime.quarantine(reasons, request.node.nodeid, url)
        request.node.user_properties.append(("farm_quarantine", f"{serial}: {reason}"))
        pytest.skip(f"farm device {serial} quarantined (pid {os.getpid()}): {reason}")
    yield
