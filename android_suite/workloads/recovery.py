"""Recovery inside an iteration: ride out an adb drop, notice a reboot, name a hung command.

What the runner needs from a flaky handset, in one place:

- a **drop** (``DeviceDisconnectedError``, the serial briefly unknown): wait
  for the handset with a deadline (adb state ``device`` and a shell that
  answers), then, on the same boot, run the step again once; the sampler
  reconnects on its own and records the hole as a Gap;
- a **reboot** (a new boot_id once it is back): :class:`HandsetRebooted`, so
  the iteration is recorded invalid with reason "rebooted" and run again;
- a **hang** (``DeviceTimeoutError``): the step is not repeated; if the whole
  handset stopped answering, wait for it like a drop; the error, which
  carries serial and argv, becomes the iteration's reason;
- a handset that does not come back within the deadline: :class:`HandsetGone`,
  which ends this handset's run (its state is still restored);
- an interrupt (SIGINT/SIGTERM of ``android-suite run``): :class:`RunInterrupted`
  at the next step boundary, so cleanup runs on the runner's own thread.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Callable
from typing import TypeVar

from android_suite.device.device import Device
from android_suite.device.waits import Poller
from android_suite.errors import (
    DeviceDisconnectedError,
    DeviceError,
    DeviceNotFoundError,
    DeviceTimeoutError,
    SuiteError,
    TransientDeviceError,
)

T = TypeVar("T")
_PROBE_S = 5.0  # bound on each probe command while waiting for the handset


class RunInterrupted(SuiteError):
    """The run was asked to stop (Ctrl-C, SIGTERM); raised at a step boundary."""


class HandsetRebooted(TransientDeviceError):
    """The handset came back from a drop with a new boot_id: the iteration's state is gone."""


class HandsetGone(DeviceDisconnectedError):
    """The handset did not come back within the reconnect deadline."""


def describe(exc: BaseException) -> str:
    """One line for an iteration's reason: what failed, on which handset, running what."""
    if not isinstance(exc, DeviceError):
        return f"{type(exc).__name__}: {exc}"
    parts = [f"{type(exc).__name__}: {exc.message}"]
    if exc.serial:
        parts.append(f"serial {exc.serial}")
    if exc.argv:
        parts.append(f"command: {shlex.join(exc.argv)}")
    return "; ".join(parts)


class Recovery:
    """Guards the steps of one iteration on one handset.

    Args:
        device: the handset.
        boot_id: the boot the iteration started on.
        reconnect_s: how long to wait for the handset after a drop or a hang.
        stop: set when the run must stop (checked while waiting too).
    """

    def __init__(
        self,
        device: Device,
        boot_id: str,
        *,
        reconnect_s: float,
        stop: threading.Event | None = None,
        poller: Poller | None = None,
    ) -> None:
        self.device = device
        self.boot_id = boot_id
        self.reconnect_s = reconnect_s
        self.stop = stop or threading.Event()
        self.poller = poller or Poller(interval=0.25)
        self.notes: list[str] = []  # what was ridden out, for the iteration's record

    def check(self) -> None:
        """Raise :class:`RunInterrupted` if the run was asked to stop."""
        if self.stop.is_set():
            raise RunInterrupted("the run was interrupted; stopping at a step boundary")

    def call(self, step: Callable[[], T]) -> T:
        """Run ``step``; after a drop on the same boot, run it once more."""
        self.check()
        try:
            return step()
        except (DeviceDisconnectedError, DeviceNotFoundError) as exc:
            if isinstance(exc, HandsetGone):
                raise
            self.wait_back(exc)
            self.check()
            return step()
        except DeviceTimeoutError as exc:
            if not self._answers():
                self.wait_back(exc)  # the whole handset hung; the step itself is not repeated
            raise

    def _answers(self) -> bool:
        try:
            return self.device.shell(["echo", "ok"], timeout=_PROBE_S).stdout.strip() == "ok"
        except DeviceError:
            return False

    def wait_back(self, cause: DeviceError) -> None:
        """Wait until the handset answers again; raise if it rebooted or never came back."""
        poller = self.poller
        started = poller.clock()

        def probe(left: float) -> tuple[bool, str]:
            self.check()
            state = self.device.transport.state(min(left, _PROBE_S))
            if state != "device":
                return False, f"adb state {state!r}"
            return self._answers(), "adb state 'device'"

        try:
            poller.until(
                probe,
                poller.deadline(self.reconnect_s),
                what="the handset to answer again",
                serial=self.device.serial,
                hint="check the cable or the network path to the adb server",
            )
        except DeviceTimeoutError as exc:
            raise HandsetGone(
                f"did not come back within {self.reconnect_s:g} s after: {cause.message} ({exc.message})",
                serial=self.device.serial,
                argv=cause.argv,
                hint="the handset may be hung or off; it was left out of the rest of the run",
            ) from cause
        new = self.device.boot_id(timeout=_PROBE_S)
        waited = poller.clock() - started
        if new != self.boot_id:
            # Let it finish booting before anything else is asked of it.
            self.device.wait_for_boot(max(self.reconnect_s, 30.0))
            raise HandsetRebooted(
                f"boot_id {self.boot_id} -> {new}, noticed after: {cause.message}",
                serial=self.device.serial,
                argv=cause.argv,
            ) from cause
        what = shlex.join(cause.argv) if cause.argv else "a command"
        self.notes.append(f"{type(cause).__name__} during {what}; answered again after {waited:.1f} s")


class StopRequest(threading.Event):
    """The run-wide stop flag: set by a signal handler, with the reason kept for the record."""

    reason: str = ""

    def request(self, reason: str) -> None:
        if not self.is_set():
            self.reason = reason
        self.set()
