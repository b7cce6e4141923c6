"""The virtual handsets' fault controls, seen through the real adb server, adb and fastboot CLIs."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from android_suite.device.device import Device
from android_suite.errors import DeviceTimeoutError, TransientDeviceError
from android_suite.session import HandsetSession, Target
from android_suite.virtual.bootimg import build_boot_image
from android_suite.virtual.control import ControlClient

pytestmark = pytest.mark.virtual_only


def control(handset: Target) -> tuple[ControlClient, str]:
    assert handset.control is not None and handset.virtual is not None
    return handset.control, handset.virtual.name


def test_drop_after_bytes_cuts_a_pull_short(device: Device, handset: Target, tmp_path: Path) -> None:
    ctl, name = control(handset)
    src = tmp_path / "blob.bin"
    src.write_bytes(os.urandom(2 * 1024 * 1024))
    device.push(src, "/data/local/tmp/fault-blob.bin")
    ctl.set_faults(name, drop_after_bytes=256 * 1024)
    back = tmp_path / "back.bin"
    with pytest.raises(TransientDeviceError):
        device.pull("/data/local/tmp/fault-blob.bin", back, timeout=20)
    assert not back.exists(), "a cut pull must not leave a file that looks complete"


def test_hang_command_is_cut_off_by_the_deadline(device: Device, handset: Target) -> None:
    ctl, name = control(handset)
    ctl.set_faults(name, hang_command="cat /proc/version")
    with pytest.raises(DeviceTimeoutError):
        device.shell(["cat", "/proc/version"], timeout=1.0)
    assert device.shell(["echo", "still", "here"]).stdout == "still here\n"


def test_garbled_and_truncated_files(device: Device, handset: Target) -> None:
    ctl, name = control(handset)
    clean = device.shell(["cat", "/proc/meminfo"]).stdout
    ctl.set_faults(name, garble_file="/proc/meminfo", truncate_file="/proc/version", truncate_bytes=12)
    assert device.shell(["cat", "/proc/meminfo"], check=False).stdout != clean
    assert device.shell(["cat", "/proc/version"]).stdout == "Linux versio"
    ctl.clear_faults(name)
    assert device.shell(["cat", "/proc/version"]).stdout.startswith("Linux version ")


def test_reboot_at_a_time(device: Device, handset: Target) -> None:
    ctl, name = control(handset)
    before = device.boot_id()
    ctl.reboot(name, delay_s=3.0)
    assert device.boot_id() == before  # not yet: the reboot is scheduled, not done
    deadline = time.monotonic() + 30
    after = before
    while time.monotonic() < deadline and after == before:
        try:
            device.wait_for_boot(timeout=30)
            after = device.boot_id()
        except TransientDeviceError:
            continue
    assert after != before


def test_failed_flash_is_reported_and_writes_nothing(
    device: Device, handset: Target, handset_session: HandsetSession, tmp_path: Path
) -> None:
    ctl, name = control(handset)
    assert handset.virtual is not None
    image = tmp_path / "boot.img"
    image.write_bytes(build_boot_image(b"Linux version 6.1.99-test (virtual)"))
    fastboot = ["fastboot", "-s", f"tcp:127.0.0.1:{handset.virtual.fastboot_port}"]
    device.reboot(target="bootloader", wait=False)
    try:
        ctl.set_faults(name, fail_flash="boot")
        r = subprocess.run([*fastboot, "flash", "boot", str(image)], capture_output=True, text=True, timeout=60)
        assert r.returncode != 0
        assert "Flash write failure" in r.stderr
        ctl.clear_faults(name)
        r = subprocess.run([*fastboot, "getvar", "current-slot"], capture_output=True, text=True, timeout=30)
        assert r.returncode == 0
    finally:
        subprocess.run([*fastboot, "reboot"], capture_output=True, timeout=30)
    device.wait_for_boot(timeout=60)
