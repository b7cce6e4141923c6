"""Installing the test app on virtual handsets with the real adb client and adbutils, then running it.

``adb install`` streams the APK (``exec:cmd package install -S``, the handsets
advertise the ``cmd`` feature); adbutils pushes it and runs ``pm install``.
The launched app's ASuiteApp lines come back through ``adb logcat -d`` and
parse into frames and jank metrics.
"""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

import adbutils
import pytest

from android_suite.parsers.testapp_log import jank_metrics, parse_testapp_log
from android_suite.session import HandsetSession, Target
from tests.helpers.testapk import FixtureApk, build_apk

pytestmark = pytest.mark.virtual_only

PKG = "org.androidsuite.testapp.a07"
PKG2 = "org.androidsuite.testapp.a08"
TIMEOUT = 30.0


@pytest.fixture(scope="module")
def apks(tmp_path_factory: pytest.TempPathFactory) -> list[FixtureApk]:
    out = tmp_path_factory.mktemp("apks")
    conf = {"anon_mb": "32", "ratio": "0.5", "touch_pct": "50", "frame_work_us": "3000"}
    return [build_apk(out, PKG, label="ASuite A07", settings=conf), build_apk(out, PKG2, label="ASuite A08")]


def adb(session: HandsetSession, serial: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert session.server is not None
    argv = [session.server.adb_path, "-P", str(session.adb_port), "-s", serial, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def device(handset: Target, handset_session: HandsetSession) -> adbutils.AdbDevice:
    client = adbutils.AdbClient(host="127.0.0.1", port=handset_session.adb_port, socket_timeout=TIMEOUT)
    return client.device(serial=handset.serial)


def test_real_adb_install_then_logcat_frames(
    handset: Target, handset_session: HandsetSession, device: adbutils.AdbDevice, apks: list[FixtureApk]
) -> None:
    r = adb(handset_session, handset.serial, "install", "-r", "-t", str(apks[0].path))
    assert r.returncode == 0 and "Success" in r.stdout, r.stdout + r.stderr
    assert "Performing Streamed Install" in r.stdout  # exec:cmd package install -S, not push + pm
    try:
        assert PKG in device.list_packages()
        path = device.shell(["pm", "path", PKG], timeout=TIMEOUT).strip().removeprefix("package:")
        assert device.shell(["sha256sum", path], timeout=TIMEOUT).split()[0] == apks[0].sha256
        device.shell(["logcat", "-c"], timeout=TIMEOUT)
        out = device.shell2(["am", "start", "-W", "-n", f"{PKG}/android.app.NativeActivity"], timeout=TIMEOUT)
        assert out.returncode == 0 and "LaunchState: COLD" in out.output, out.output
        # The dwell is the workload's own time, not a synchronisation: frames render meanwhile.
        threading.Event().wait(1.5)
        device.keyevent("KEYCODE_HOME")
        log = adb(handset_session, handset.serial, "logcat", "-d", "-v", "threadtime").stdout
        parsed = parse_testapp_log(log)
        assert not parsed.issues, parsed.issues
        assert [s.pkg for s in parsed.starts] == [PKG] and parsed.starts[0].anon_kb == 32 * 1024
        metrics = jank_metrics(parsed.frames(PKG))
        assert metrics is not None and metrics.frames >= 30, parsed.frame_batches
        assert parsed.pauses and parsed.pauses[-1].frames == metrics.frames
        # meminfo shows the app with the memory it declared.
        meminfo = device.shell(["dumpsys", "meminfo", PKG], timeout=TIMEOUT)
        assert re.search(r"TOTAL", meminfo), meminfo[:500]
    finally:
        r = adb(handset_session, handset.serial, "uninstall", PKG)
    assert r.returncode == 0 and "Success" in r.stdout, r.stdout + r.stderr
    assert PKG not in device.list_packages()


def test_adbutils_install_and_a_refused_apk(
    handset: Target, handset_session: HandsetSession, device: adbutils.AdbDevice, apks: list[FixtureApk], tmp_path: Path
) -> None:
    device.install(str(apks[1].path), nolaunch=True, silent=True)
    try:
        assert PKG2 in device.list_packages()
        assert device.sync.exists("/data/local/tmp/unknown.apk") is False  # adbutils cleans up after itself
    finally:
        device.uninstall(PKG2)
    assert PKG2 not in device.list_packages()
    unsigned = build_apk(tmp_path, "org.androidsuite.testapp.a09", sign=False)
    r = adb(handset_session, handset.serial, "install", str(unsigned.path))
    assert r.returncode == 1
    assert "INSTALL_PARSE_FAILED_NO_CERTIFICATES" in r.stdout + r.stderr


def test_installed_apps_survive_a_reboot(
    handset: Target, handset_session: HandsetSession, device: adbutils.AdbDevice, apks: list[FixtureApk]
) -> None:
    assert adb(handset_session, handset.serial, "install", str(apks[1].path)).returncode == 0
    try:
        assert adb(handset_session, handset.serial, "reboot").returncode == 0
        r = adb(handset_session, handset.serial, "wait-for-device", "shell", "pm path " + PKG2, timeout=120)
        assert r.returncode == 0 and r.stdout.startswith("package:/data/app/"), r.stdout + r.stderr
    finally:
        adb(handset_session, handset.serial, "wait-for-device", "uninstall", PKG2, timeout=120)
