"""Error messages are enough to reproduce a failure from a CI log."""

from __future__ import annotations

import adbutils
import pytest

from android_suite.device.adb_errors import Partial, map_adb_errors
from android_suite.device.device import Device
from android_suite.device.fake import FakeTransport
from android_suite.errors import (
    CommandError,
    DeviceDisconnectedError,
    DeviceError,
    DeviceNotFoundError,
    DeviceTimeoutError,
    PermanentDeviceError,
    SuiteError,
)


def test_command_error_message_has_everything() -> None:
    fake = FakeTransport("emulator-5554")
    fake.expect(["sh", "-c", "echo $HOME; exit 3"], "/\n", exit_code=3, stderr="boom\n")
    with pytest.raises(CommandError) as err:
        Device(fake).shell(["sh", "-c", "echo $HOME; exit 3"])
    msg = str(err.value)
    assert msg.startswith("[emulator-5554] command exited with status 3")
    assert "command: sh -c 'echo $HOME; exit 3'" in msg  # quoted, copy-pasteable
    assert "exit code: 3" in msg
    assert "stdout: /" in msg and "stderr: boom" in msg
    assert "what to do: reproduce with: adb -s emulator-5554 shell" in msg
    assert isinstance(err.value, SuiteError) and not err.value.transient


def run_mapped(exc: BaseException, partial: Partial | None = None) -> DeviceError:
    def listing() -> list[tuple[str, str]]:
        return [("ABC", "device"), ("10.0.0.2:5555", "offline")]

    with (
        pytest.raises(DeviceError) as err,
        map_adb_errors("SER", ["cat", "/a b"], 3.0, "127.0.0.1:5037", partial, listing),
    ):
        raise exc
    return err.value


def test_timeout_carries_partial_output_and_hint() -> None:
    partial = Partial()
    partial.add(1, b"half a line")
    partial.add(2, b"a warning")
    e = run_mapped(TimeoutError(), partial)
    assert isinstance(e, DeviceTimeoutError) and e.transient
    msg = str(e)
    assert "[SER] no result within 3 s" in msg
    assert "command: cat '/a b'" in msg
    assert "stdout: half a line" in msg and "stderr: a warning" in msg
    assert "raise the timeout" in e.hint


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (adbutils.AdbTimeout("adb read timeout"), DeviceTimeoutError),
        (adbutils.AdbError("device offline"), DeviceDisconnectedError),
        (adbutils.AdbError("closed"), DeviceDisconnectedError),
        (adbutils.AdbError("device still authorizing"), DeviceDisconnectedError),
        (EOFError("short read"), DeviceDisconnectedError),
        (ConnectionResetError(104, "reset"), DeviceDisconnectedError),
        (BrokenPipeError(32, "pipe"), DeviceDisconnectedError),
        (ConnectionRefusedError(111, "refused"), PermanentDeviceError),
        (
            adbutils.AdbError("device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set"),
            PermanentDeviceError,
        ),
        (adbutils.AdbError("device 'SER' not found"), DeviceNotFoundError),
        (adbutils.AdbError("something new"), DeviceError),
    ],
)
def test_mapping(exc: BaseException, cls: type[DeviceError]) -> None:
    e = run_mapped(exc)
    assert type(e) is cls
    assert e.serial == "SER" and e.argv == ["cat", "/a b"]
    assert isinstance(e.__cause__, type(exc))


def test_not_found_lists_serials_and_how_to_choose() -> None:
    e = run_mapped(adbutils.AdbError("device 'SER' not found"))
    msg = str(e)
    assert "ABC (device), 10.0.0.2:5555 (offline)" in msg
    assert "adb -P 5037 devices" in e.hint and "ANDROID_SERIAL" in e.hint and "--serial" in e.hint


def test_local_file_errors_are_not_device_errors() -> None:
    with pytest.raises(FileNotFoundError), map_adb_errors("S", ["adb", "push"], 1.0, "h:1", None, list):
        raise FileNotFoundError("/host/missing")


def test_device_errors_pass_through_unchanged() -> None:
    original = CommandError("x", serial="S")
    with pytest.raises(CommandError) as err, map_adb_errors("S", ["a"], 1.0, "h:1", None, list):
        raise original
    assert err.value is original
