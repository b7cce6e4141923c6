"""The device layer over the real adb server: exit codes, deadlines, drops, reboots."""

from __future__ import annotations

import time

import pytest

from android_suite.device.device import Device
from android_suite.errors import CommandError, DeviceDisconnectedError, DeviceTimeoutError, TransientDeviceError
from android_suite.session import Target

pytestmark = pytest.mark.virtual_only


def test_exit_codes_and_streams(device: Device) -> None:
    r = device.shell(["sh", "-c", "echo out; echo err >&2; exit 7"], check=False)
    assert r.exit_code == 7
    assert r.stdout == "out\n"
    with pytest.raises(CommandError) as err:
        device.shell(["false"])
    assert err.value.exit_code == 1
    assert err.value.argv == ["false"]
    assert err.value.serial == device.serial


def test_quoting_survives_the_round_trip(device: Device) -> None:
    tricky = "a b 'c' \"d\" $HOME ; && || > x"
    assert device.shell(["echo", tricky]).stdout == tricky + "\n"


def test_hung_command_is_cut_off_at_its_deadline(device: Device) -> None:
    start = time.monotonic()
    with pytest.raises(DeviceTimeoutError) as err:
        device.shell(["sleep", "60"], timeout=1.5)
    elapsed = time.monotonic() - start
    assert elapsed < 10, f"deadline 1.5 s but the call took {elapsed:.1f} s"
    assert err.value.serial == device.serial
    assert err.value.argv == ["sleep", "60"]
    # The device is still usable afterwards.
    assert device.shell(["echo", "ok"]).stdout == "ok\n"


def test_drop_mid_command_is_transient_and_does_not_hang(device: Device, handset: Target) -> None:
    assert handset.control is not None and handset.virtual is not None
    handset.control.drop(handset.virtual.name, delay_s=0.5)
    start = time.monotonic()
    with pytest.raises(TransientDeviceError) as err:
        device.shell(["sleep", "30"], timeout=20)
    assert time.monotonic() - start < 10
    assert isinstance(err.value, DeviceDisconnectedError | DeviceTimeoutError)
    assert err.value.transient


def test_reboot_is_detected_through_boot_id(device: Device, handset: Target) -> None:
    before = device.boot_id()
    assert device.boot_id() == before  # stable while the device stays up
    device.reboot(timeout=60)
    after = device.boot_id()
    assert after != before
    assert device.getprop("sys.boot_completed") == "1"


def test_reboot_behind_our_back_changes_boot_id(device: Device, handset: Target) -> None:
    assert handset.control is not None and handset.virtual is not None
    before = device.boot_id()
    handset.control.reboot(handset.virtual.name)
    device.wait_for_boot(timeout=60)
    assert device.boot_id() != before
