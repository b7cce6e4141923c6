"""Wait for a device condition with a deadline (never a fixed sleep).

A probe is called repeatedly until it reports success or the deadline passes.
Errors that are expected while a phone reboots (dropped link, serial briefly
unknown to the adb server, a probe command timing out) count as "not yet" and
are reported as the last thing seen, so the final DeviceTimeoutError tells
the user *where* the boot got stuck, not just that it did.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from android_suite.errors import DeviceNotFoundError, DeviceTimeoutError, TransientDeviceError

# A probe gets the time left (to bound its own command) and returns
# (done, what it saw).
Probe = Callable[[float], tuple[bool, str]]


@dataclass(frozen=True)
class Poller:
    """Polls a probe until it succeeds or a deadline passes.

    Attributes:
        clock: monotonic time source; tests inject a fake one.
        sleep: pauses between probes; tests inject one that advances ``clock``.
        interval: seconds between probes. Polling is fine; what the style
            guide forbids is sleeping a fixed time *instead of* checking.
    """

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    interval: float = 1.0

    def deadline(self, timeout: float) -> float:
        """The absolute deadline ``timeout`` seconds from now."""
        return self.clock() + timeout

    def remaining(self, deadline: float) -> float:
        """Seconds left until ``deadline`` (never negative)."""
        return max(0.0, deadline - self.clock())

    def until(self, probe: Probe, deadline: float, *, what: str, serial: str, hint: str) -> str:
        """Call ``probe`` until it returns done; return what it saw last.

        Raises:
            DeviceTimeoutError: the deadline passed first; the message names
                ``what`` was awaited and the last observation.
        """
        last = "no answer yet"
        while True:
            left = self.remaining(deadline)
            if left <= 0:
                raise DeviceTimeoutError(f"timed out waiting for {what}; last seen: {last}", serial=serial, hint=hint)
            try:
                done, last = probe(left)
            except (TransientDeviceError, DeviceNotFoundError) as exc:
                done, last = False, f"{type(exc).__name__}: {exc.message}"
            if done:
                return last
            self.sleep(min(self.interval, self.remaining(deadline)))
