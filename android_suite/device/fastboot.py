"""Host side of fastboot: runs the ``fastboot`` CLI with argv lists and deadlines.

Why the CLI and not the wire protocol: on a phone the CLI is what users run
(USB and TCP alike), and the virtual handsets are tested against it too.

Observed from the Debian 29.0.6 CLI (and kept by later ones):

- everything, getvar results included, goes to **stderr** (``product: vphone``);
- ``getvar`` of an unknown variable prints ``FAILED (remote: 'Unknown
  variable')`` and still **exits 0**, so the output must be parsed;
- a refused ``flash`` prints ``FAILED (remote: '<reason>')`` and exits 1;
- with no such target the CLI prints ``< waiting for TARGET >`` and waits
  forever, so every call here runs under a subprocess timeout.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from android_suite.device.waits import Poller
from android_suite.errors import CommandError, DeviceTimeoutError, PermanentDeviceError

_REMOTE_FAIL = re.compile(r"FAILED \(remote: '?(.*?)'?\)\s*$")
_WAIT_HINT = (
    "is the phone in fastboot mode (`adb reboot bootloader`) and listed by `fastboot devices`? "
    "For tcp:HOST:PORT targets the bootloader must listen on that port"
)


@dataclass(frozen=True)
class FastbootResult:
    """One finished CLI call: ``output`` is stdout + stderr (the CLI talks on stderr)."""

    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    duration_s: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


# Runs argv with a timeout; raises subprocess.TimeoutExpired when it passes.
Runner = Callable[[Sequence[str], float], FastbootResult]


class FastbootCommandError(CommandError):
    """The CLI exited non-zero; ``remote`` is the bootloader's reason, if it gave one."""

    def __init__(
        self,
        message: str,
        *,
        remote: str | None,
        serial: str,
        argv: Sequence[str],
        exit_code: int,
        stdout: str,
        stderr: str,
        hint: str,
    ) -> None:
        self.remote = remote
        super().__init__(
            message, serial=serial, argv=argv, exit_code=exit_code, stdout=stdout, stderr=stderr, hint=hint
        )


class FastbootMissingError(PermanentDeviceError):
    """The ``fastboot`` binary is not installed (or not on PATH)."""


def subprocess_runner(argv: Sequence[str], timeout: float) -> FastbootResult:
    """The default :data:`Runner`: ``subprocess.run``, which kills the CLI when ``timeout`` passes."""
    start = time.monotonic()
    proc = subprocess.run(list(argv), capture_output=True, timeout=timeout, check=False)
    out, err = (b.decode("utf-8", "replace") for b in (proc.stdout, proc.stderr))
    return FastbootResult(tuple(argv), proc.returncode, out, err, time.monotonic() - start)


def remote_failure(output: str) -> str | None:
    """The bootloader's reason from ``FAILED (remote: '...')``; None without one."""
    for line in output.splitlines():
        if m := _REMOTE_FAIL.search(line):
            return m.group(1)
    return None


def parse_getvar(name: str, output: str) -> str | None:
    """The value ``fastboot getvar NAME`` printed (``NAME: value``); None if it failed.

    Bootloaders that answer with INFO lines make the CLI print ``(bootloader)
    NAME: value``; that form is accepted too.
    """
    prefix = f"{name}: "
    for raw in output.splitlines():
        line = raw.strip()
        if line.startswith("(bootloader) "):
            line = line[len("(bootloader) ") :]
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return None


class FastbootClient:
    """One fastboot target, through the CLI. Constructing it does no I/O.

    Args:
        target: a USB serial or ``tcp:HOST:PORT`` (passed as ``-s TARGET``).
        binary: the CLI to run.
        runner: runs argv under a timeout (tests inject a scripted one).
        poller: waits for fastboot mode (tests inject a fake clock).
        timeout: default deadline of one call, in seconds.
    """

    def __init__(
        self,
        target: str,
        *,
        binary: str = "fastboot",
        runner: Runner = subprocess_runner,
        poller: Poller | None = None,
        timeout: float = 30.0,
    ) -> None:
        if not target or target.startswith("-"):
            raise ValueError(f"bad fastboot target {target!r}")
        self.target = target
        self.binary = binary
        self._run = runner
        self._poll = poller or Poller(interval=0.5)
        self.timeout = timeout

    # -- the one place the CLI runs --------------------------------------------------

    def run(self, *args: str, timeout: float | None = None, check: bool = True) -> FastbootResult:
        """``fastboot -s TARGET ARGS...`` with a deadline.

        Raises:
            DeviceTimeoutError: the deadline passed (the CLI was killed).
            FastbootCommandError: ``check`` and a non-zero exit code.
            FastbootMissingError: no ``fastboot`` binary.
        """
        argv = [self.binary, "-s", self.target, *args]
        limit = self.timeout if timeout is None else timeout
        try:
            result = self._run(argv, limit)
        except subprocess.TimeoutExpired as exc:
            partial = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
            raise DeviceTimeoutError(
                f"fastboot did not finish within {limit:g}s",
                serial=self.target,
                argv=argv,
                stderr=partial,
                hint=_WAIT_HINT,
            ) from None
        except FileNotFoundError:
            raise FastbootMissingError(
                f"{self.binary!r} not found",
                serial=self.target,
                argv=argv,
                hint="install it (Debian: apt install fastboot; or Android SDK platform-tools) and put it on PATH",
            ) from None
        if check and result.exit_code != 0:
            remote = remote_failure(result.output)
            raise FastbootCommandError(
                f"fastboot failed: {remote}" if remote else f"fastboot exited with status {result.exit_code}",
                remote=remote,
                serial=self.target,
                argv=argv,
                exit_code=result.exit_code,
                stdout=result.stdout,
                stderr=result.stderr,
                hint=f"reproduce with: {shlex.join(argv)}",
            )
        return result

    # -- operations -----------------------------------------------------------------------

    def getvar(self, name: str, *, timeout: float | None = None) -> str | None:
        """A bootloader variable; None when the bootloader does not know it."""
        return parse_getvar(name, self.run("getvar", name, timeout=timeout).output)

    def flash(self, partition: str, path: Path | str, slot: str | None = None, *, timeout: float = 300.0) -> None:
        """Write ``path`` to ``partition`` (on A/B: the active slot, or ``slot`` given as "a"/"b")."""
        if not Path(path).is_file():
            raise FileNotFoundError(f"image to flash not found: {path}")
        slot_args = ["--slot", slot.lstrip("_")] if slot else []
        self.run(*slot_args, "flash", partition, str(path), timeout=timeout)

    def set_active(self, slot: str, *, timeout: float | None = None) -> None:
        """Make ``slot`` ("a", "b" or "_a") boot next."""
        self.run("set_active", slot.lstrip("_"), timeout=timeout)

    def reboot(self, *, timeout: float | None = None) -> None:
        """Boot Android (returns once the bootloader accepted; nothing is awaited)."""
        self.run("reboot", timeout=timeout)

    def reboot_bootloader(self, *, timeout: float | None = None) -> None:
        """Restart into the bootloader; follow with :meth:`wait_for_fastboot`."""
        self.run("reboot-bootloader", timeout=timeout)

    def wait_for_fastboot(self, timeout: float = 60.0, *, probe_timeout: float = 5.0) -> str:
        """Poll ``getvar product`` until the target answers; return the product.

        Each probe has its own short deadline: the CLI keeps waiting for an
        absent target, so a probe that times out only means "not yet".

        Raises:
            DeviceTimeoutError: no answer within ``timeout``.
        """
        product = ""

        def probe(left: float) -> tuple[bool, str]:
            nonlocal product
            value = self.getvar("product", timeout=max(0.1, min(left, probe_timeout)))
            product = value or ""
            return True, f"product {value!r}"

        deadline = self._poll.deadline(timeout)
        self._poll.until(probe, deadline, what="fastboot mode", serial=self.target, hint=_WAIT_HINT)
        return product
