"""Root detection and how to run a command as root.

Three ways a handset gives root, tried in this order:

* adbd itself runs as root (userdebug/eng builds after ``adb root``, the
  virtual handset): ``id -u`` prints 0, argv runs unchanged.
* AOSP's ``su`` (userdebug builds): ``su WHO COMMAND...`` takes argv words,
  so ``su 0 id -u``.
* Magisk/SuperSU-style ``su`` wants one shell string: ``su -c 'id -u'``.
  (Magisk may show a grant prompt on the phone; the detection call's
  timeout bounds that wait.)
"""

from __future__ import annotations

import enum
import shlex
from collections.abc import Callable, Sequence

from android_suite.device.transport import ShellResult


class RootMode(enum.Enum):
    """How to get uid 0 on this handset."""

    NONE = "none"
    ADBD = "adbd"  # the shell already runs as root
    SU_UID = "su-uid"  # su 0 ARGV...
    SU_C = "su-c"  # su -c 'ARGV'


_PROBES: tuple[tuple[RootMode, tuple[str, ...]], ...] = (
    (RootMode.ADBD, ("id", "-u")),
    (RootMode.SU_UID, ("su", "0", "id", "-u")),
    (RootMode.SU_C, ("su", "-c", "id -u")),
)


def detect_root(run: Callable[[Sequence[str]], ShellResult]) -> RootMode:
    """Try each form in turn; ``run`` must not raise on a non-zero exit."""
    for mode, argv in _PROBES:
        result = run(argv)
        # Compare the last line: some su builds print a banner first.
        lines = result.stdout.strip().splitlines()
        if result.exit_code == 0 and lines and lines[-1].strip() == "0":
            return mode
    return RootMode.NONE


def as_root(mode: RootMode, argv: Sequence[str]) -> list[str]:
    """``argv`` rewritten to run as root under ``mode``."""
    if mode is RootMode.ADBD:
        return list(argv)
    if mode is RootMode.SU_UID:
        return ["su", "0", *argv]
    if mode is RootMode.SU_C:
        return ["su", "-c", shlex.join(argv)]
    raise ValueError("no root on this device")
