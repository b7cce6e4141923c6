"""The narrow seam between the suite and a handset.

Everything above this module (``Device``, collectors, workloads) talks to a
phone only through :class:`Transport`. The real implementation is
``device/adb.py`` (adbutils); unit tests use ``device/fake.py``. Keeping the
surface to eight operations is what lets the fake stay strict and small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

# States :meth:`Transport.state` reports. adb itself has a few more transient
# ones ("connecting", "authorizing", "recovery", "sideload", "rescue"); those are
# passed through unchanged rather than squeezed into this list.
DEVICE_STATES = ("device", "offline", "unauthorized", "bootloader", "absent")


@dataclass(frozen=True)
class ShellResult:
    """The outcome of one finished device command.

    Attributes:
        argv: the command as run (before quoting).
        exit_code: the command's exit status (0-255).
        stdout: standard output, decoded as UTF-8 (undecodable bytes replaced).
        stderr: standard error; always "" when ``v2`` is False.
        duration_s: wall time from opening the stream to the exit status.
        v2: True when the shell v2 protocol kept stdout and stderr apart.
            False means the marker fallback of old adbd (Android 6 and
            earlier) was used: stderr is merged into ``stdout``.
    """

    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    duration_s: float
    v2: bool

    @property
    def ok(self) -> bool:
        """True when the command exited with status 0."""
        return self.exit_code == 0


class ShellStream(Protocol):
    """A long-lived device command whose output is read as it comes (``Transport.open_shell_stream``).

    ``read`` returns stdout bytes as they arrive and ``b""`` once the command
    has ended; with shell v2 the exit status and stderr are then known. A link
    that dies before the end raises ``DeviceDisconnectedError`` (v2: the
    stream closed without an exit packet; v1 cannot tell a drop from an end
    and returns ``b""``). ``close`` never raises and may be called twice.
    """

    @property
    def v2(self) -> bool:
        """True when shell v2 keeps stderr apart and reports the exit status."""
        ...

    @property
    def exit_code(self) -> int | None:
        """The command's exit status once ``read`` returned ``b""`` (v2 only), else None."""
        ...

    @property
    def stderr(self) -> bytes:
        """Standard error received so far (always ``b""`` on v1, where it is merged into stdout)."""
        ...

    def read(self, max_bytes: int = 65536, timeout: float = 1.0) -> bytes:
        """Up to ``max_bytes`` of stdout; ``b""`` at the end.

        Raises:
            DeviceTimeoutError: nothing arrived within ``timeout`` (the stream stays usable).
            DeviceDisconnectedError: the link dropped before the command ended.
        """
        ...

    def close(self) -> None:
        """Close the stream; adbd then hangs up on the device command."""
        ...

    def __enter__(self) -> ShellStream: ...

    def __exit__(self, *exc: object) -> None: ...


@runtime_checkable
class Transport(Protocol):
    """A connection to one handset.

    Implementations must do no I/O in their constructor, must bound every
    operation by its ``timeout`` (raising ``DeviceTimeoutError``), and must
    raise only ``android_suite.errors.DeviceError`` subclasses for device
    failures. ``run`` never raises because of a non-zero exit status: deciding
    whether that is an error is the caller's business (``Device.shell``).
    """

    @property
    def serial(self) -> str:
        """The adb serial this transport talks to."""
        ...

    def run(self, argv: Sequence[str], timeout: float) -> ShellResult:
        """Run ``argv`` on the device (quoted with ``shlex.join``) and wait for it.

        ``argv`` is a list of words, never a shell string: a ``str`` is
        rejected with TypeError so ``"ls -l"`` cannot be run as one word.

        Raises:
            DeviceTimeoutError: the command did not finish within ``timeout``.
            DeviceDisconnectedError: the link dropped before the exit status.
            DeviceNotFoundError: the serial is unknown to the adb server.
        """
        ...

    def open_shell_stream(self, argv: Sequence[str], connect_timeout: float) -> ShellStream:
        """Start ``argv`` on the device and return its output as a :class:`ShellStream`.

        One adb stream for the whole life of the command (a sampler loop, a
        logcat). ``connect_timeout`` bounds only the opening; each ``read``
        has its own timeout. Shell v2 is used when the device offers it.

        Raises:
            DeviceTimeoutError, DeviceDisconnectedError, DeviceNotFoundError: as ``run``.
        """
        ...

    def push(self, local: Path, remote: str, timeout: float) -> int:
        """Copy a local file to ``remote`` and return the number of bytes sent."""
        ...

    def pull(self, remote: str, local: Path, timeout: float) -> int:
        """Copy a device file to ``local`` and return the number of bytes received."""
        ...

    def reboot(self, target: str, timeout: float) -> None:
        """Ask the device to reboot ("" normal, "bootloader", "recovery"); do not wait."""
        ...

    def features(self) -> frozenset[str]:
        """The adb features the device advertises (``shell_v2``, ``cmd``...)."""
        ...

    def state(self, timeout: float) -> str:
        """The adb state: "device", "offline", "unauthorized", "bootloader", "absent"."""
        ...
