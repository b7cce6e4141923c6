"""The framework surface through the real adb server, read by adbutils as it reads a phone.

Launches take their modelled time here (the served handsets run at time_scale 1),
so a cold Chrome start costs about a second of wall time.
"""

from __future__ import annotations

import re

import adbutils
import pytest

from android_suite.plugin import HandsetSession
from android_suite.session import Target

pytestmark = pytest.mark.virtual_only

CHROME = "com.android.chrome"
CHROME_MAIN = "com.google.android.apps.chrome.Main"
TIMEOUT = 30.0


@pytest.fixture
def adb(handset: Target, handset_session: HandsetSession) -> adbutils.AdbDevice:
    client = adbutils.AdbClient(host="127.0.0.1", port=handset_session.adb_port, socket_timeout=TIMEOUT)
    return client.device(serial=handset.serial)


def start_w(adb: adbutils.AdbDevice, *extra: str) -> dict[str, str]:
    result = adb.shell2(f"am start -W {' '.join(extra)} -n {CHROME}/{CHROME_MAIN}", timeout=TIMEOUT)
    assert result.returncode == 0, result.output
    fields = dict(re.findall(r"^(\w+): (.*?)\r?$", result.output, re.M))
    assert result.output.rstrip().endswith("Complete"), result.output
    return fields


def test_packages_and_window_size(adb: adbutils.AdbDevice) -> None:
    packages = adb.list_packages()
    assert {CHROME, "com.android.settings", "com.google.android.youtube"} <= set(packages)
    assert len(packages) >= 10
    assert adb.window_size() == (1080, 2400)


def test_app_start_stop_and_current(adb: adbutils.AdbDevice) -> None:
    adb.app_stop(CHROME)
    adb.app_start(CHROME)  # monkey -p ... -c android.intent.category.LAUNCHER 1
    current = adb.app_current()
    assert (current.package, current.activity) == (CHROME, CHROME_MAIN)
    adb.keyevent("KEYCODE_HOME")
    assert adb.app_current().package != CHROME
    adb.app_start(CHROME, CHROME_MAIN)  # am start -n
    assert adb.app_current().package == CHROME
    adb.app_stop(CHROME)
    assert adb.app_current().package != CHROME


def test_am_start_w_reports_cold_then_hot(adb: adbutils.AdbDevice) -> None:
    cold = start_w(adb, "-S")
    assert cold["Status"] == "ok" and cold["LaunchState"] == "COLD"
    assert cold["Activity"] == f"{CHROME}/{CHROME_MAIN}"
    assert int(cold["WaitTime"]) >= int(cold["TotalTime"]) > 0
    adb.shell(["input", "keyevent", "3"], timeout=TIMEOUT)
    hot = start_w(adb)
    assert hot["LaunchState"] == "HOT"
    assert int(hot["TotalTime"]) < int(cold["TotalTime"])
    adb.app_stop(CHROME)
