"""FastbootClient: argv, output parsing and error mapping, with a scripted runner and a fake CLI on PATH.

The CLI texts below were captured from the Debian 29.0.6 ``fastboot`` against
a virtual handset's bootloader (everything the CLI says goes to stderr).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import deque
from collections.abc import Sequence
from pathlib import Path

import pytest

from android_suite.device.fake import FakeClock
from android_suite.device.fastboot import (
    FastbootClient,
    FastbootCommandError,
    FastbootMissingError,
    FastbootResult,
    parse_getvar,
    remote_failure,
)
from android_suite.device.waits import Poller
from android_suite.errors import DeviceTimeoutError, PermanentDeviceError

TARGET = "tcp:127.0.0.1:5600"
PRODUCT = "product: vphone\nFinished. Total time: 0.000s\n"
SLOT_UNBOOTABLE = "slot-unbootable:a: no\nFinished. Total time: 0.000s\n"
UNKNOWN = "getvar:nosuch                                      FAILED (remote: 'Unknown variable')\nFinished. Total time: 0.000s\n"  # noqa: E501
FLASH_FAILED = (
    "Sending 'boot_a' (8 KB)                            OKAY [  0.000s]\n"
    "Writing 'boot_a'                                   FAILED (remote: 'Flash write failure')\n"
    "fastboot: error: Command failed\n"
)
WAITING = b"error: Failed to connect to 127.0.0.1:5600\n< waiting for tcp:127.0.0.1:5600 >\n"


class ScriptedRunner:
    """Replies in order; each reply is (exit code, stderr) or an exception to raise. Records argv."""

    def __init__(self, *replies: tuple[int, str] | BaseException) -> None:
        self.replies: deque[tuple[int, str] | BaseException] = deque(replies)
        self.calls: list[tuple[list[str], float]] = []

    def __call__(self, argv: Sequence[str], timeout: float) -> FastbootResult:
        self.calls.append((list(argv), timeout))
        if not self.replies:
            raise AssertionError(f"unexpected fastboot call {argv}")
        reply = self.replies.popleft()
        if isinstance(reply, BaseException):
            raise reply
        return FastbootResult(tuple(argv), reply[0], "", reply[1], 0.01)


def client(runner: ScriptedRunner) -> FastbootClient:
    clock = FakeClock()
    return FastbootClient(TARGET, runner=runner, poller=Poller(clock=clock, sleep=clock.sleep, interval=0.5))


# -- pure parsing ------------------------------------------------------------------------


def test_parse_getvar_reads_the_stderr_line() -> None:
    assert parse_getvar("product", PRODUCT) == "vphone"
    assert parse_getvar("slot-unbootable:a", SLOT_UNBOOTABLE) == "no"  # the name itself has a colon
    assert parse_getvar("current-slot", "(bootloader) current-slot: b\n") == "b"


def test_parse_getvar_failure_is_none_not_empty() -> None:
    assert parse_getvar("nosuch", UNKNOWN) is None
    assert parse_getvar("product", "") is None


def test_remote_failure() -> None:
    assert remote_failure(FLASH_FAILED) == "Flash write failure"
    assert remote_failure("FAILED (remote: Unknown variable)\n") == "Unknown variable"  # older CLIs: no quotes
    assert remote_failure(PRODUCT) is None


# -- operations ---------------------------------------------------------------------------


def test_getvar_argv_and_unknown_variable_exits_zero() -> None:
    runner = ScriptedRunner((0, PRODUCT), (0, UNKNOWN))
    fb = client(runner)
    assert fb.getvar("product") == "vphone"
    assert fb.getvar("nosuch") is None  # the CLI exits 0 on a FAIL reply: parsed, not trusted
    assert runner.calls[0] == (["fastboot", "-s", TARGET, "getvar", "product"], 30.0)


def test_flash_with_slot_and_failure_carries_everything(tmp_path: Path) -> None:
    image = tmp_path / "boot.img"
    image.write_bytes(b"ANDROID!")
    runner = ScriptedRunner((1, FLASH_FAILED))
    with pytest.raises(FastbootCommandError) as caught:
        client(runner).flash("boot", image, slot="_b", timeout=42)
    err = caught.value
    assert runner.calls == [(["fastboot", "-s", TARGET, "--slot", "b", "flash", "boot", str(image)], 42)]
    assert isinstance(err, PermanentDeviceError) and not err.transient
    assert (err.serial, err.exit_code, err.remote) == (TARGET, 1, "Flash write failure")
    assert err.argv == runner.calls[0][0]
    assert "Flash write failure" in err.stderr
    assert "reproduce with: fastboot -s" in err.hint


def test_flash_refuses_a_missing_file_before_running(tmp_path: Path) -> None:
    runner = ScriptedRunner()
    with pytest.raises(FileNotFoundError):
        client(runner).flash("boot", tmp_path / "nope.img")
    assert runner.calls == []


def test_set_active_reboots() -> None:
    runner = ScriptedRunner((0, ""), (0, ""), (0, ""))
    fb = client(runner)
    fb.set_active("_a")
    fb.reboot()
    fb.reboot_bootloader()
    assert [c[0][3:] for c in runner.calls] == [["set_active", "a"], ["reboot"], ["reboot-bootloader"]]


def test_timeout_is_transient_and_keeps_partial_output() -> None:
    runner = ScriptedRunner(subprocess.TimeoutExpired(["fastboot"], 5.0, stderr=WAITING))
    with pytest.raises(DeviceTimeoutError) as caught:
        client(runner).getvar("product", timeout=5.0)
    assert caught.value.transient
    assert "< waiting for tcp:127.0.0.1:5600 >" in caught.value.stderr
    assert "fastboot mode" in caught.value.hint


def test_missing_binary() -> None:
    with pytest.raises(FastbootMissingError, match="not found"):
        client(ScriptedRunner(FileNotFoundError("fastboot"))).getvar("product")


def test_wait_for_fastboot_polls_until_the_target_answers() -> None:
    clock = FakeClock()
    timeout = subprocess.TimeoutExpired(["fastboot"], 5.0, stderr=WAITING)
    runner = ScriptedRunner(timeout, timeout, (0, PRODUCT))
    fb = FastbootClient(TARGET, runner=runner, poller=Poller(clock=clock, sleep=clock.sleep, interval=0.5))
    assert fb.wait_for_fastboot(timeout=30.0, probe_timeout=5.0) == "vphone"
    assert [c[1] for c in runner.calls] == [5.0, 5.0, 5.0]  # every probe bounded


def test_wait_for_fastboot_gives_up_at_the_deadline() -> None:
    clock = FakeClock()

    def never(argv: Sequence[str], timeout: float) -> FastbootResult:
        clock.now += timeout  # the CLI sat there until killed
        raise subprocess.TimeoutExpired(list(argv), timeout, stderr=WAITING)

    fb = FastbootClient(TARGET, runner=never, poller=Poller(clock=clock, sleep=clock.sleep, interval=0.5))
    with pytest.raises(DeviceTimeoutError, match="timed out waiting for fastboot mode"):
        fb.wait_for_fastboot(timeout=12.0, probe_timeout=5.0)


def test_bad_target_is_rejected() -> None:
    with pytest.raises(ValueError):
        FastbootClient("-w")


# -- the real subprocess runner with a fake CLI on PATH -----------------------------------------

FAKE_CLI = """\
import sys, time
args = sys.argv[1:]
assert args[:2] == ["-s", "tcp:127.0.0.1:5600"], args
if args[2:] == ["getvar", "product"]:
    sys.stderr.write("product: fakephone\\nFinished. Total time: 0.000s\\n")
elif args[2:] == ["getvar", "current-slot"]:
    sys.stderr.write("< waiting for tcp:127.0.0.1:5600 >\\n"); sys.stderr.flush()
    time.sleep(600)  # what the real CLI does without a target: wait forever
else:
    sys.stderr.write("fastboot: usage: unknown command\\n"); sys.exit(1)
"""


@pytest.fixture
def fake_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "bin" / "fastboot"
    script.parent.mkdir()
    script.write_text(f"#!{sys.executable}\n{FAKE_CLI}")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    return script


def test_real_runner_parses_stderr(fake_cli: Path) -> None:
    assert FastbootClient(TARGET).getvar("product") == "fakephone"


def test_real_runner_kills_a_waiting_cli(fake_cli: Path) -> None:
    with pytest.raises(DeviceTimeoutError) as caught:
        FastbootClient(TARGET).getvar("current-slot", timeout=1.0)
    assert "< waiting for" in caught.value.stderr


def test_real_runner_nonzero_exit(fake_cli: Path) -> None:
    with pytest.raises(FastbootCommandError) as caught:
        FastbootClient(TARGET).run("oem", "unlock")
    assert caught.value.exit_code == 1 and caught.value.remote is None


def test_real_runner_without_the_binary(tmp_path: Path) -> None:
    with pytest.raises(FastbootMissingError):
        FastbootClient(TARGET, binary=str(tmp_path / "no-fastboot")).getvar("product")
