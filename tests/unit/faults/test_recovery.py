"""Recovery inside an iteration, over the strict fake transport and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from android_suite.device.device import BOOT_ID_PATH, Device
from android_suite.device.fake import FakeClock, FakeTransport
from android_suite.device.waits import Poller
from android_suite.errors import CommandError, DeviceDisconnectedError, DeviceTimeoutError
from android_suite.workloads.recovery import (
    HandsetGone,
    HandsetRebooted,
    Recovery,
    RunInterrupted,
    StopRequest,
    describe,
)

BOOT = ["cat", BOOT_ID_PATH]
ECHO = ["echo", "ok"]
STEP = ["dumpsys", "gfxinfo", "app", "framestats"]


@pytest.fixture
def fake() -> Iterator[FakeTransport]:
    t = FakeTransport("SER9")
    yield t
    t.assert_all_consumed()


def recovery(fake: FakeTransport, reconnect_s: float = 5.0, stop: StopRequest | None = None) -> Recovery:
    clock = FakeClock()
    poller = Poller(clock=clock, sleep=clock.sleep, interval=0.25)
    return Recovery(Device(fake), "boot-1", reconnect_s=reconnect_s, stop=stop, poller=poller)


def drop() -> DeviceDisconnectedError:
    return DeviceDisconnectedError("the connection dropped", serial="SER9", argv=STEP)


def test_a_drop_on_the_same_boot_is_ridden_out_and_the_step_run_again(fake: FakeTransport) -> None:
    fake.expect(STEP, raises=drop()).expect(STEP, "frames\n")
    fake.expect_state("offline", "device").expect(ECHO, "ok\n").expect(BOOT, "boot-1\n")
    guard = recovery(fake)
    result = guard.call(lambda: guard.device.shell(STEP))
    assert result.stdout == "frames\n"
    assert len(guard.notes) == 1 and "DeviceDisconnectedError during dumpsys gfxinfo" in guard.notes[0]


def test_a_new_boot_id_after_a_drop_is_a_reboot(fake: FakeTransport) -> None:
    fake.expect(STEP, raises=drop())
    fake.expect_state("device").expect(ECHO, "ok\n").expect(BOOT, "boot-2\n")
    fake.expect(["getprop", "sys.boot_completed"], "1\n")
    guard = recovery(fake)
    with pytest.raises(HandsetRebooted) as err:
        guard.call(lambda: guard.device.shell(STEP))
    assert "boot-1 -> boot-2" in err.value.message and err.value.serial == "SER9"


def test_a_hung_command_on_a_handset_that_answers_is_reported_not_repeated(fake: FakeTransport) -> None:
    fake.expect(STEP, raises=DeviceTimeoutError("no result within 3 s", serial="SER9", argv=STEP))
    fake.expect(ECHO, "ok\n")
    guard = recovery(fake)
    with pytest.raises(DeviceTimeoutError) as err:
        guard.call(lambda: guard.device.shell(STEP))
    assert describe(err.value) == (
        "DeviceTimeoutError: no result within 3 s; serial SER9; command: dumpsys gfxinfo app framestats"
    )


def test_a_handset_that_never_comes_back_is_gone(fake: FakeTransport) -> None:
    fake.expect(STEP, raises=drop())
    fake.expect_state(*["offline"] * 4)  # probes at 0, 0.25, 0.5, 0.75 s of a 1 s deadline
    guard = recovery(fake, reconnect_s=1.0)
    with pytest.raises(HandsetGone) as err:
        guard.call(lambda: guard.device.shell(STEP))
    assert "did not come back within 1 s" in err.value.message and err.value.argv == STEP


def test_permanent_errors_pass_through_untouched(fake: FakeTransport) -> None:
    fake.expect(STEP, exit_code=1)
    guard = recovery(fake)
    with pytest.raises(CommandError):
        guard.call(lambda: guard.device.shell(STEP))


def test_a_stop_request_interrupts_at_the_next_step(fake: FakeTransport) -> None:
    stop = StopRequest()
    stop.request("SIGTERM")
    stop.request("SIGINT")  # the first reason stays
    assert stop.reason == "SIGTERM"
    with pytest.raises(RunInterrupted):
        recovery(fake, stop=stop).call(lambda: None)
