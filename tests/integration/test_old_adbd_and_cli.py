"""An old adbd without shell_v2, and the `android-suite virtual` commands, over the real adb server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.device.adb import AdbTransport
from android_suite.device.device import Device
from android_suite.errors import CommandError
from android_suite.session import HandsetSession
from android_suite.virtual.manager import Fleet, start_fleet, stop_fleet

pytestmark = pytest.mark.virtual_only


@pytest.fixture(scope="module")
def old_fleet(handset_session: HandsetSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    assert handset_session.server is not None
    fleet = start_fleet(["mediatek"], tmp_path_factory.mktemp("old-adbd"), no_shell_v2=True)
    try:
        for ref in fleet.handsets:
            handset_session.server.connect(ref.serial)
            handset_session.server.wait_for_state(ref.serial, "device", timeout=20)
        yield fleet
    finally:
        for ref in fleet.handsets:
            handset_session.server.disconnect(ref.serial)
        stop_fleet(fleet)


def test_marker_fallback_gives_exit_codes_without_shell_v2(old_fleet: Fleet, handset_session: HandsetSession) -> None:
    dev = Device(AdbTransport(old_fleet.handsets[0].serial, port=handset_session.adb_port))
    r = dev.shell(["sh", "-c", "echo out; echo err >&2; exit 4"], check=False)
    assert r.exit_code == 4
    assert not r.v2  # stdout and stderr arrive merged: say so rather than guess
    assert "out" in r.stdout and "err" in r.stdout
    with pytest.raises(CommandError):
        dev.shell(["false"])
    assert dev.info().model == old_fleet.handsets[0].model


def test_virtual_up_status_down(handset_session: HandsetSession, tmp_path: Path) -> None:
    env = {**os.environ, "ANDROID_SUITE_STATE_DIR": str(tmp_path)}
    cli = [sys.executable, "-m", "android_suite.cli"]
    port = str(handset_session.adb_port)
    up = subprocess.run(
        [*cli, "virtual", "up", "--profile", "generic_arm", "--adb-port", port],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )
    try:
        assert up.returncode == 0, up.stderr
        serial = up.stdout.splitlines()[0].split("\t")[0]
        assert serial.startswith("127.0.0.1:")
        assert handset_session.server is not None
        assert (serial, "device") in handset_session.server.devices()
        status = subprocess.run([*cli, "virtual", "status"], capture_output=True, text=True, timeout=30, env=env)
        assert serial in status.stdout
    finally:
        down = subprocess.run(
            [*cli, "virtual", "down", "--adb-port", port], capture_output=True, text=True, timeout=60, env=env
        )
    assert down.returncode == 0, down.stderr
    assert "stopped" in down.stdout
    after = subprocess.run([*cli, "virtual", "status"], capture_output=True, text=True, timeout=30, env=env)
    assert "no virtual handsets running" in after.stdout
