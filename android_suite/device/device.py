"""The :class:`Device` facade: what tests and collectors call.

It composes a :class:`Transport` (the link), a :class:`Poller` (waits) and
small helpers (``root.py``, ``info.py``); it owns only two pieces of state:
the property cache and the root mode. Anything bigger goes in its own module.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from android_suite.device.info import INFO_ARGV, DeviceInfo, device_info, parse_info_dump
from android_suite.device.root import RootMode, as_root, detect_root
from android_suite.device.transport import ShellResult, ShellStream, Transport
from android_suite.device.waits import Poller
from android_suite.errors import CommandError, ParseError, PermanentDeviceError, TransientDeviceError
from android_suite.parsers.getprop import GetpropResult, parse_getprop

BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id"
_PROBE_TIMEOUT = 10.0  # bound on each command issued while polling


class Device:
    """One handset, reached through an injected transport. No I/O on construction."""

    def __init__(self, transport: Transport, *, poller: Poller | None = None) -> None:
        self._t = transport
        self._poll = poller or Poller()
        self._props: dict[str, str] | None = None
        self._boot_id: str | None = None  # last boot_id seen; props belong to it
        self._suspect = False  # link dropped since props were read: recheck boot_id
        self._root: RootMode | None = None

    @property
    def serial(self) -> str:
        return self._t.serial

    @property
    def transport(self) -> Transport:
        return self._t

    # -- commands ---------------------------------------------------------------

    def shell(self, argv: Sequence[str], timeout: float = 30.0, check: bool = True, root: bool = False) -> ShellResult:
        """Run ``argv`` (a list of words, quoted for you) on the device.

        Args:
            argv: the command; never a shell string.
            timeout: overall deadline in seconds.
            check: raise CommandError when the exit code is not 0.
            root: run as uid 0 (see ``root.py``); PermanentDeviceError if
                the device has no root.

        Raises:
            CommandError: ``check`` and a non-zero exit code.
            DeviceTimeoutError, DeviceDisconnectedError, DeviceNotFoundError.
        """
        if isinstance(argv, str):
            raise TypeError(f"argv must be a list of words, not a shell string: {argv!r}")
        if root:
            if not self.is_root():
                raise PermanentDeviceError(
                    "root is required but this device has none",
                    serial=self.serial,
                    argv=argv,
                    hint="use a userdebug build with 'adb root', or a rooted (su) handset",
                )
            assert self._root is not None
            argv = as_root(self._root, argv)
        try:
            result = self._t.run(argv, timeout)
        except TransientDeviceError:
            self._suspect = True  # it may have rebooted under us
            raise
        if check and result.exit_code != 0:
            raise CommandError(
                f"command exited with status {result.exit_code}",
                serial=self.serial,
                argv=result.argv,
                exit_code=result.exit_code,
                stdout=result.stdout,
                stderr=result.stderr,
                hint=_reproduce_hint(self.serial, argv),
            )
        return result

    def stream_shell(self, argv: Sequence[str], connect_timeout: float = 30.0, root: bool = False) -> ShellStream:
        """Start ``argv`` and return its output as a stream (one adb stream, read as it comes).

        For long-lived commands (samplers, logcat); close the stream to end it.

        Raises:
            DeviceTimeoutError, DeviceDisconnectedError, DeviceNotFoundError: while opening.
            PermanentDeviceError: ``root`` on a device without root.
        """
        if isinstance(argv, str):
            raise TypeError(f"argv must be a list of words, not a shell string: {argv!r}")
        if root:
            if not self.is_root():
                raise PermanentDeviceError("root is required but this device has none", serial=self.serial, argv=argv)
            assert self._root is not None
            argv = as_root(self._root, argv)
        try:
            return self._t.open_shell_stream(argv, connect_timeout)
        except TransientDeviceError:
            self._suspect = True  # it may have rebooted under us
            raise

    def push(self, local: Path | str, remote: str, timeout: float = 120.0) -> int:
        """Copy a local file to the device; returns the bytes sent (size-verified)."""
        return self._t.push(Path(local), remote, timeout)

    def pull(self, remote: str, local: Path | str, timeout: float = 120.0) -> int:
        """Copy a device file to ``local``; returns the bytes received."""
        return self._t.pull(remote, Path(local), timeout)

    # -- properties and boots -------------------------------------------------------

    def boot_id(self, timeout: float = _PROBE_TIMEOUT) -> str:
        """The kernel's boot_id (new on every boot); drops stale cached props."""
        value = self.shell(["cat", BOOT_ID_PATH], timeout=timeout).stdout.strip()
        self._note_boot_id(value)
        return value

    def _note_boot_id(self, value: str) -> None:
        if value and value != self._boot_id:
            if self._boot_id is not None:
                self._props = None  # a new boot: ro.* props may differ (OTA, flash)
            self._boot_id = value
        self._suspect = False

    def props(self) -> Mapping[str, str]:
        """All properties from one ``getprop`` call, cached for this boot."""
        if self._props is not None and self._suspect:
            self.boot_id()
        if self._props is None:
            if self._boot_id is None:
                self.boot_id()  # so a later boot_id change is detectable
            self._props = self._parsed(parse_getprop(self.shell(["getprop"]).stdout))
        return MappingProxyType(self._props)

    def refresh_props(self) -> Mapping[str, str]:
        """Forget the cache and read all properties again."""
        self._props = None
        return self.props()

    def _parsed(self, result: GetpropResult) -> dict[str, str]:
        if result.truncated:
            raise ParseError("getprop", f"output was cut off at {result.truncated_key!r}")
        return result.props

    def getprop(self, name: str, default: str | None = None) -> str | None:
        """One property; ``default`` when unset or empty.

        ``ro.*`` properties are immutable until reboot and come from the
        cache; any other (``sys.boot_completed``, ``init.svc.*``) changes at
        run time, so it is read live.
        """
        value = self.props().get(name, "") if name.startswith("ro.") else self.shell(["getprop", name]).stdout.strip()
        return value or default

    def reboot(self, target: str = "", wait: bool = True, timeout: float = 120.0) -> None:
        """Reboot; with ``wait`` (normal boots only) return once fully booted again.

        "Booted again" means: adb state "device", a boot_id different from
        the one before the reboot (so a reboot that never started is not
        mistaken for a fast one), and ``sys.boot_completed`` = 1.
        """
        deadline = self._poll.deadline(timeout)
        old = self.boot_id(timeout=min(timeout, _PROBE_TIMEOUT))
        self._t.reboot(target, min(self._poll.remaining(deadline), 30.0))
        # Forget everything that belongs to the old boot; the next boot_id read
        # starts the new one (root may differ too: `adb root` does not survive).
        self._props, self._root, self._boot_id = None, None, None
        if not wait or target:  # bootloader/recovery: no Android boot to wait for
            return

        def back(left: float) -> tuple[bool, str]:
            state = self._t.state(min(left, _PROBE_TIMEOUT))
            if state != "device":
                return False, f"adb state {state!r}"
            new = self.boot_id(timeout=min(left, _PROBE_TIMEOUT))
            return new != old, f"boot_id {new} ({'new' if new != old else 'unchanged: not rebooted yet'})"

        self._poll.until(
            back,
            deadline,
            what="the device to come back with a new boot_id",
            serial=self.serial,
            hint=_BOOT_HINT,
        )
        self.wait_for_boot(self._poll.remaining(deadline))

    def wait_for_boot(self, timeout: float = 120.0) -> None:
        """Poll ``sys.boot_completed`` until it is 1, or raise DeviceTimeoutError."""

        def completed(left: float) -> tuple[bool, str]:
            value = self.shell(["getprop", "sys.boot_completed"], timeout=min(left, _PROBE_TIMEOUT)).stdout
            return value.strip() == "1", f"sys.boot_completed={value.strip()!r}"

        deadline = self._poll.deadline(timeout)
        self._poll.until(completed, deadline, what="sys.boot_completed=1", serial=self.serial, hint=_BOOT_HINT)

    # -- capabilities -------------------------------------------------------------

    def is_root(self) -> bool:
        """Whether commands can run as uid 0; the method found is remembered."""
        if self._root is None:
            self._root = detect_root(lambda argv: self.shell(argv, timeout=_PROBE_TIMEOUT, check=False))
        return self._root is not RootMode.NONE

    def info(self, timeout: float = 30.0) -> DeviceInfo:
        """Identity and hardware facts, from one shell call (also primes the prop cache)."""
        dump = parse_info_dump(self.shell(INFO_ARGV, timeout=timeout, check=False).stdout)
        props = self._parsed(dump.getprop)
        if dump.boot_id:
            self._note_boot_id(dump.boot_id)
            self._props = props
        return device_info(self.serial, props, kernel_version=dump.kernel_version, ram_kb=dump.ram_kb, cores=dump.cores)


def _reproduce_hint(serial: str, argv: Sequence[str]) -> str:
    # Quoted twice: once for the local shell, once for the device's sh.
    return f"reproduce with: adb -s {shlex.quote(serial)} shell {shlex.quote(shlex.join(argv))}"


_BOOT_HINT = (
    "check the phone's screen and `adb devices`; a slow first boot after flashing "
    "may need a longer timeout (Device.reboot/wait_for_boot timeout=)"
)
