"""pytest plugin (entry point ``pytest11``): options, markers and handset fixtures.

Thin on purpose: the decisions live in :mod:`android_suite.session`. Heavy
modules (the device layer and adbutils) are imported lazily, after
``pytest_configure`` has pointed ``ANDROID_ADB_SERVER_PORT`` at the session's
private adb server: adbutils builds its default client at import time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from android_suite.options import (
    DEFAULT_PROFILES,
    KCOMPRESSD_STATES,
    add_device_options,
    add_farm_options,
    add_kcompressd_options,
    add_scenario_options,
    resolve_adb_port,
    resolve_serials,
)
from android_suite.session import HandsetSession, Target, free_port

if TYPE_CHECKING:
    from android_suite.device.device import Device
    from android_suite.farm.runtime import FarmRuntime

SESSION_KEY = pytest.StashKey[HandsetSession]()
STARTED_KEY = pytest.StashKey[list[Target]]()
OLD_PORT_KEY = pytest.StashKey[str | None]()
LOCKS_KEY = pytest.StashKey[list[Any]]()  # farm.locks.FileLease of --serial phones


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("android_suite", "android_suite handsets")
    add_device_options(group.addoption, dest_prefix="android_suite_", multi_serial=True)
    add_kcompressd_options(group.addoption, dest_prefix="android_suite_")
    add_scenario_options(group.addoption, dest_prefix="android_suite_")
    add_farm_options(group.addoption, dest_prefix="android_suite_")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "virtual_only: needs a virtual handset's fault controls")
    serials = resolve_serials(config.getoption("android_suite_serial"))
    serial = serials[0] if serials else None
    profiles = tuple(config.getoption("android_suite_virtual_profiles") or DEFAULT_PROFILES)
    if serial is None:
        # Private adb server for this session; set before anything imports adbutils.
        port = config.getoption("android_suite_adb_port") or free_port()
        config.stash[OLD_PORT_KEY] = os.environ.get("ANDROID_ADB_SERVER_PORT")
        os.environ["ANDROID_ADB_SERVER_PORT"] = str(port)
    else:
        port = resolve_adb_port(config.getoption("android_suite_adb_port"))
    config.stash[SESSION_KEY] = HandsetSession(serial=serial, adb_port=port, profiles=profiles, serials=serials)
    # Farm runs (--inventory, or -n under xdist): each process leases one device; see android_suite/farm.
    from android_suite.farm.pytest_farm import configure_farm

    plan = configure_farm(config, serials, port, profiles)
    if plan is not None and plan.candidates:
        # Until the lease is taken, a stand-in for "is this run on phones" (virtual_only skips).
        config.stash[SESSION_KEY] = HandsetSession(serial=plan.candidates[0].serial, adb_port=plan.candidates[0].port)
    # The kernel fixtures (kcompressd, zram_config), loaded after the adb port is set.
    if not config.pluginmanager.has_plugin("android_suite.kernel.fixtures"):
        config.pluginmanager.import_plugin("android_suite.kernel.fixtures")
    # The scenarios' markers and fixtures (memory_pressure, sampler, app_switch, ab_results).
    if not config.pluginmanager.has_plugin("android_suite.scenarios"):
        config.pluginmanager.import_plugin("android_suite.scenarios")


def _farm(config: pytest.Config) -> FarmRuntime | None:
    from android_suite.farm.pytest_farm import FARM_KEY

    return config.stash.get(FARM_KEY, None)


def _lease_timeout(config: pytest.Config) -> float:
    from android_suite.farm.plan import DEFAULT_LEASE_TIMEOUT_S

    value = config.getoption("android_suite_lease_timeout", None)
    return DEFAULT_LEASE_TIMEOUT_S if value is None else float(value)


def pytest_unconfigure(config: pytest.Config) -> None:
    for lock in config.stash.get(LOCKS_KEY, []):
        lock.release()
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        session.stop()
    if OLD_PORT_KEY in config.stash:
        old = config.stash[OLD_PORT_KEY]
        if old is None:
            os.environ.pop("ANDROID_ADB_SERVER_PORT", None)
        else:
            os.environ["ANDROID_ADB_SERVER_PORT"] = old


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test instance per handset: the profiles (virtual) or the phone's serial."""
    if "kcompressd" in metafunc.fixturenames:
        states = metafunc.config.getoption("android_suite_kcompressd") or list(KCOMPRESSD_STATES)
        metafunc.parametrize("kcompressd", states, indirect=True, ids=[f"kcompressd-{s}" for s in states])
    if "handset" not in metafunc.fixturenames:
        return
    session = metafunc.config.stash[SESSION_KEY]
    ids = list(session.serials) if session.serial else [f"{p}-{i}" for i, p in enumerate(session.profiles)]
    farm = _farm(metafunc.config)
    if farm is not None:
        ids = farm.plan.slot_ids()  # one slot per worker; the device behind it is whatever that worker leased
    metafunc.parametrize("handset", ids, indirect=True, ids=ids, scope="session")


def pytest_runtest_setup(item: pytest.Item) -> None:
    session = item.config.stash[SESSION_KEY]
    if item.get_closest_marker("virtual_only") and not session.is_virtual:
        pytest.skip("needs virtual-handset fault controls; this run uses a phone")


@pytest.fixture(scope="session")
def handset_session(pytestconfig: pytest.Config) -> Iterator[HandsetSession]:
    """The adb server and handsets of this run, started on first use."""
    farm = _farm(pytestconfig)
    if farm is not None:
        from android_suite.farm.runtime import NoFreeDevice

        try:
            pytestconfig.stash[SESSION_KEY] = farm.start_session()
        except NoFreeDevice as exc:
            pytest.fail(str(exc), pytrace=False)
    session = pytestconfig.stash[SESSION_KEY]
    if farm is None and not session.is_virtual and LOCKS_KEY not in pytestconfig.stash:
        # Phones named by --serial: the same per-serial file locks as farm leases, so a
        # second session on this host waits for (or fails on) a phone in use, never shares it.
        from android_suite.farm.locks import lock_serials

        try:
            pytestconfig.stash[LOCKS_KEY] = lock_serials(session.serials, _lease_timeout(pytestconfig))
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
    if STARTED_KEY not in pytestconfig.stash:
        pytestconfig.stash[STARTED_KEY] = session.start()
    yield session


@pytest.fixture(scope="session")
def handset(request: pytest.FixtureRequest, handset_session: HandsetSession) -> Target:
    """One handset under test (parametrised over every selected handset)."""
    wanted: Any = request.param
    if _farm(request.config) is not None:
        return handset_session.targets[0]  # the one device this process leased, whatever the slot
    for target in handset_session.targets:
        if wanted in (target.name, target.serial):
            return target
    raise pytest.UsageError(f"no handset {wanted!r}; have {[t.name for t in handset_session.targets]}")


@pytest.fixture
def device(handset: Target, handset_session: HandsetSession, request: pytest.FixtureRequest) -> Iterator[Device]:
    """A :class:`~android_suite.device.device.Device` for ``handset``.

    On virtual handsets, faults a test injected are cleared afterwards and the
    handset is waited back to the ``device`` state, so one test's drop or
    reboot cannot fail the next one.
    """
    from android_suite.device.adb import AdbTransport
    from android_suite.device.device import Device

    farm = _farm(request.config)
    host = farm.server.host if farm is not None and farm.server is not None else "127.0.0.1"
    yield Device(AdbTransport(handset.serial, host=host, port=handset_session.adb_port))
    if handset.control is not None and handset.virtual is not None and handset_session.server is not None:
        handset.control.clear_faults(handset.virtual.name)
        handset_session.server.connect(handset.serial)
        handset_session.server.wait_for_state(handset.serial, "device", timeout=30.0)
