"""One exception root for the whole suite.

Two axes, as devlib and mobly do it: *what* failed (device, parse, config)
and *whether a retry can help* (transient vs permanent). Every device error
carries the serial, the argv, the exit code and the output, so a message in a
CI log is enough to reproduce the failure by hand.

    SuiteError
    |-- ConfigError                 bad options, profiles, workload files
    |-- ParseError                  text from a device that a parser rejects
    `-- DeviceError                 anything that involved a handset
        |-- TransientDeviceError    retry may help (drop, offline, timeout)
        |   |-- DeviceTimeoutError  a deadline passed (hung command, boot)
        |   `-- DeviceDisconnectedError
        `-- PermanentDeviceError    retry will not help
            |-- CommandError        the command ran and exited non-zero
            `-- DeviceNotFoundError no such serial on the adb server
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence


class SuiteError(Exception):
    """Root of every error android_suite raises on purpose."""


class ConfigError(SuiteError):
    """Invalid configuration: options, profiles, manifests, workload files."""


class ParseError(SuiteError):
    """A parser could not read its input.

    Attributes:
        source: what was being parsed (``"getprop"``, ``"/proc/vmstat"``).
        line: 1-based line number of the offending line, if known.
    """

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class DeviceError(SuiteError):
    """A failure that involved a handset.

    Attributes:
        serial: the adb serial of the handset ("" if none was chosen yet).
        argv: the device command as an argv list, if a command was running.
        exit_code: the command's exit code, if it finished.
        stdout, stderr: output collected before the failure (maybe partial).
        hint: what the user can do about it.
    """

    transient = False

    def __init__(
        self,
        message: str,
        *,
        serial: str = "",
        argv: Sequence[str] | None = None,
        exit_code: int | None = None,
        stdout: str = "",
        stderr: str = "",
        hint: str = "",
    ) -> None:
        self.message = message
        self.serial = serial
        self.argv = list(argv) if argv is not None else None
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [f"[{self.serial or 'no device'}] {self.message}"]
        if self.argv is not None:
            parts.append(f"command: {shlex.join(self.argv)}")
        if self.exit_code is not None:
            parts.append(f"exit code: {self.exit_code}")
        for name, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            if text:
                tail = text if len(text) <= 2000 else "..." + text[-2000:]
                parts.append(f"{name}: {tail.rstrip()}")
        if self.hint:
            parts.append(f"what to do: {self.hint}")
        return "\n  ".join(parts)


class TransientDeviceError(DeviceError):
    """A failure a retry may cure: the link dropped, the device went offline."""

    transient = True


class DeviceTimeoutError(TransientDeviceError):
    """A deadline passed: a hung command, a boot that did not complete."""


class DeviceDisconnectedError(TransientDeviceError):
    """The connection to the device dropped or the device went offline."""


class PermanentDeviceError(DeviceError):
    """A failure a retry will not cure."""


class CommandError(PermanentDeviceError):
    """A device command ran and exited with a non-zero code."""


class DeviceNotFoundError(PermanentDeviceError):
    """No device with the requested serial is visible to the adb server."""
