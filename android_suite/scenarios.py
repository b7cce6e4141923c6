"""pytest side of the device scenarios (tests/device): markers, fixtures, budget checks.

Registered by :mod:`android_suite.plugin` at configure time, after the adb
port is set. Markers:

- ``soc(vendor)``: skip on handsets whose SoC vendor differs ("arm": any ARM part);
- ``needs_root``: skip unless ``Device.is_root()``;
- ``flashes``: skip unless the handset may be flashed (virtual ones always;
  phones only with ``--allow-flash``).

Fixtures: ``memory_pressure``, ``sampler``, ``app_switch`` (per test) and
``ab_results`` (the session's one A/B run; see :mod:`android_suite.scenario_run`).
Results go to JUnit XML as properties (``user_properties``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from android_suite.scenario_budgets import FAIL, INCONCLUSIVE, BudgetCheck, check, load_budgets
from android_suite.scenario_run import AbResults, AppSwitch, make_job, run_once, soc_matches, store_url

if TYPE_CHECKING:
    from android_suite.collect.sampler import Sampler
    from android_suite.device.device import Device
    from android_suite.session import HandsetSession, Target
    from android_suite.workloads.job import Job
    from android_suite.workloads.memeater import MemoryEater

log = logging.getLogger(__name__)
Record = Callable[[str, object], None]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "soc(vendor): run only on handsets of this SoC vendor ('arm': any ARM part)")
    config.addinivalue_line("markers", "needs_root: run only where the shell can become root")
    config.addinivalue_line("markers", "flashes: flashes boot images (virtual handsets, or phones with --allow-flash)")


@pytest.fixture(autouse=True)
def _android_suite_marker_skips(request: pytest.FixtureRequest) -> None:
    marks = [request.node.get_closest_marker(m) for m in ("soc", "needs_root", "flashes")]
    if not any(marks) or "handset" not in request.fixturenames:
        return
    soc, root, flashes = marks
    device: Device = request.getfixturevalue("device")
    handset: Target = request.getfixturevalue("handset")
    if soc is not None:
        info = device.info()
        if not any(soc_matches(str(v), info.soc_vendor, info.abi) for v in soc.args):
            pytest.skip(f"needs a {'/'.join(map(str, soc.args))} SoC; {handset.name} is {info.soc_vendor}")
    if root is not None and not device.is_root():
        pytest.skip(f"needs root; {handset.name} has none")
    allow = bool(request.config.getoption("android_suite_allow_flash", False))
    if flashes is not None and handset.virtual is None and not allow:
        pytest.skip(f"would flash {handset.name}: pass --allow-flash to let it")


@pytest.fixture(scope="session")
def scenario_job(pytestconfig: pytest.Config, handset_session: HandsetSession) -> Job:
    """The workload of the scenarios, with the run options (--workload, --iterations)."""
    return make_job(
        pytestconfig.getoption("android_suite_workload", None),
        pytestconfig.getoption("android_suite_iterations", None),
        handset_session.is_virtual,
    )


@pytest.fixture(scope="session")
def ab_results(
    pytestconfig: pytest.Config,
    handset_session: HandsetSession,
    scenario_job: Job,
    tmp_path_factory: pytest.TempPathFactory,
) -> AbResults:
    """The A/B job run ONCE per session on every handset (stored in --results), loaded back and analysed."""
    url = store_url(pytestconfig.getoption("android_suite_results", None), tmp_path_factory.getbasetemp())
    return run_once(handset_session, scenario_job, url)


@pytest.fixture
def memory_pressure(device: Device, scenario_job: Job) -> Iterator[MemoryEater]:
    """The workload's memory eater, started for the test and always stopped."""
    from android_suite.workloads.memeater import MemoryEater

    config = scenario_job.workload.memory_eater
    if config is None:
        pytest.skip(f"workload {scenario_job.workload.name} has no memory eater")
    eater = MemoryEater(device, config)
    eater.start()
    try:
        yield eater
    finally:
        eater.stop()


@pytest.fixture
def sampler(device: Device) -> Iterator[Sampler]:
    """A started sampler over the reclaim sources; stopped at teardown (what it read stays drainable)."""
    from android_suite.collect.sampler import Sampler
    from android_suite.collect.sampler_types import SamplerConfig
    from android_suite.workloads.runner import reclaim_sources

    s = Sampler(device, SamplerConfig(sources=reclaim_sources(device), period_s=0.2))
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def app_switch(device: Device, scenario_job: Job) -> AppSwitch:
    """``app_switch()`` runs the resolved app-switch workload once and returns its launches and frames."""
    return AppSwitch(device, scenario_job)


def budgets_path() -> Path:
    return Path(__file__).resolve().parents[1] / "tests" / "device" / "budgets.toml"


def check_budgets(
    results: AbResults,
    handset: Target,
    metrics: list[str],
    record: Record,
    budgets: Path | None = None,
    record_only: tuple[str, ...] = (),
) -> list[BudgetCheck]:
    """Check ``metrics`` of ``handset`` against their budgets, record all, warn on inconclusive, fail on any FAIL.

    On virtual handsets a FAIL is recorded and warned about, not failed: the numbers come from a model.

    ``record_only`` metrics are compared and recorded without a budget (e.g.
    kcompressd's own CPU, zero by construction when it is off).

    Skips when the handset took no part in the run (the reason recorded by the runner).
    """
    done = results.handset(handset.serial)
    if done is None or not done.outcomes:
        why = (done.skipped or done.error) if done is not None else "not in the run"
        pytest.skip(f"{handset.name} has no A/B results: {why}")
    record("run_id", results.run_id)
    record("results", results.store_url)
    record("kcompressd_arms", results.arms.get(handset.serial, {}))
    table = load_budgets(budgets or budgets_path())
    values = results.values_for(handset.serial)
    checks: list[BudgetCheck] = []
    for metric in metrics:
        if metric not in table:
            raise pytest.UsageError(f"no budget for {metric} in {budgets or budgets_path()}")
        c = check(table[metric], values)
        record(f"change.{metric}", c.as_dict())
        checks.append(c)
        if c.outcome == INCONCLUSIVE:
            warnings.warn(f"{handset.name}: {metric} inconclusive: {c.why} ({_line(c)})", stacklevel=2)
    for metric in record_only:
        rows = values[values["metric"] == metric]
        by_arm = rows.groupby(rows["variant"].astype(str))["value"]
        record(f"measured.{metric}", {"mean": by_arm.mean().to_dict(), "n": by_arm.size().to_dict()})
    failed = [c for c in checks if c.outcome == FAIL]
    if failed:
        message = f"{handset.name}: over budget: " + "; ".join(_line(c) for c in failed)
        if handset.kind.startswith("virtual"):
            # A modelled kernel is a test double: its numbers exercise the suite and
            # say nothing about kcompressd, so a budget it misses is reported
            # (recorded above, and warned) but only a phone can fail a budget.
            record("over_budget_on_model", message)
            warnings.warn(f"{message} (virtual handset: not a finding)", stacklevel=2)
        else:
            pytest.fail(message, pytrace=False)
    return checks


def _line(c: BudgetCheck) -> str:
    b = c.budget
    return (
        f"{b.metric} {c.rel_change:+.1%} [{c.ci_low:+.1%}, {c.ci_high:+.1%}] at {b.confidence:.0%}, "
        f"limit {'+' if b.worse == 'up' else '-'}{b.max_change:.0%}"
    )
