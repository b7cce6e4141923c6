"""App switching with the suite's own test-app set: the same apps and footprints on every handset.

Builds the set (cached), installs it where missing or different, switches
through the variants (``am start -W``, a dwell in each), then reads the apps'
own frame log from logcat and turns it into the jank metrics the suite uses.
On a phone this is the first real run of the test app; on virtual handsets
the frames come from the framework model over the kernel model's stalls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.device.device import Device
from android_suite.errors import ConfigError
from android_suite.parsers.am_start import parse_am_start
from android_suite.parsers.testapp_log import jank_metrics, parse_testapp_log
from android_suite.scenarios import Record
from android_suite.workloads import frame_log
from android_suite.workloads.definition import load_workload
from android_suite.workloads.install import ApkToInstall, ensure_installed, uninstall_ours
from android_suite.workloads.testapps import ACTIVITY, build_apks

WORKLOAD = Path(__file__).parents[2] / "apk_workloads" / "testapp_switch.toml"
DWELL_S = 1.0


@pytest.fixture(scope="session")
def testapp_set() -> list[ApkToInstall]:
    spec = load_workload(WORKLOAD).testapps
    assert spec is not None
    try:
        return build_apks(spec)
    except ConfigError as exc:
        pytest.skip(f"cannot build the test app here: {exc}")


@pytest.fixture
def installed_set(device: Device, testapp_set: list[ApkToInstall]) -> Iterator[list[ApkToInstall]]:
    records = ensure_installed(device, testapp_set)
    try:
        yield testapp_set
    finally:
        uninstall_ours(device, records)


def test_testapp_switch_frame_log_gives_jank_metrics(
    device: Device, installed_set: list[ApkToInstall], record_property: Record
) -> None:
    device.shell(["logcat", "-c"], timeout=30)
    launches = {}
    for apk in installed_set:
        r = device.shell(["am", "start", "-W", "-n", f"{apk.package}/{ACTIVITY}"], timeout=60)
        launches[apk.package] = parse_am_start(r.stdout).launch_state
        deadline = time.monotonic() + DWELL_S
        # The dwell is the workload's own duration (frames render meanwhile), not a synchronisation.
        threading.Event().wait(max(0.0, deadline - time.monotonic()))
    device.shell(["input", "keyevent", "KEYCODE_HOME"], timeout=30)
    log = parse_testapp_log(device.shell(frame_log.LOGCAT_ARGV, timeout=60).stdout)
    record_property("testapp_launches", launches)
    record_property("testapp_log_issues", [f"{i.line}: {i.reason}" for i in log.issues])
    assert [s.pkg for s in log.starts] == [a.package for a in installed_set], "every variant logs its start"
    per_app = {}
    for apk in installed_set:
        metrics = jank_metrics(log.frames(apk.package))
        assert metrics is not None, f"{apk.package} logged no frames"
        per_app[apk.package] = metrics.as_dict()
        pause = [p for p in log.pauses if p.pkg == apk.package]
        assert pause and pause[-1].frames == metrics.frames, "the pause line counts the frames logged"
    record_property("testapp_jank", per_app)
    assert all(m["frames"] >= 10 for m in per_app.values()), per_app
    assert not [i for i in log.issues if "jump" in i.reason], log.issues  # no frame lines lost
