"""Start and stop one QEMU guest running a kbuild kernel + initramfs, and reach its agent.

Networking is QEMU's user mode with ``restrict=on`` (the guest reaches nothing
outside) and a single forward from a free *loopback* port of the host to the
agent's guest port 7100. The serial console goes to a log file (the kernel
log the tests scan). TCG by default; KVM when ``/dev/kvm`` is usable and the
guest arch is the host's. Every exit path stops QEMU: :meth:`QemuMachine.stop`
(agent power-off, then SIGTERM, then SIGKILL), the context manager, and an
atexit hook for machines still running when the interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from android_suite.errors import SuiteError
from android_suite.virtual.qemu.agent import GuestAgent, GuestAgentError

AGENT_PORT = 7100
QEMU_BINARY = {"arm64": "qemu-system-aarch64", "x86_64": "qemu-system-x86_64"}
HOST_ARCH = {"aarch64": "arm64", "arm64": "arm64", "x86_64": "x86_64", "amd64": "x86_64"}


class QemuError(SuiteError):
    """QEMU failed to start, the guest did not come up, or it would not stop."""

    def __init__(
        self,
        message: str,
        *,
        argv: list[str] | None = None,
        console: str = "",
        hint: str = "",
        early_exit: bool = False,
    ) -> None:
        self.argv = argv or []
        self.early_exit = early_exit  # QEMU itself exited before the guest answered
        self.console = console
        self.hint = hint
        parts = [message]
        if argv:
            parts.append(f"qemu: {shlex.join(argv)}")
        if console:
            parts.append("console tail:\n" + console[-3000:].rstrip())
        if hint:
            parts.append(f"what to do: {hint}")
        super().__init__("\n  ".join(parts))


class _PortTaken(QemuError):
    """QEMU could not bind the forwarded loopback port (taken since we probed it)."""


@dataclass(frozen=True)
class GuestImage:
    """What QEMU boots: a kernel (Image/bzImage), an initramfs (newc cpio) and the command line."""

    arch: str
    kernel: Path
    initramfs: Path
    cmdline: str


def qemu_available(arch: str) -> bool:
    return arch in QEMU_BINARY and shutil.which(QEMU_BINARY[arch]) is not None


def kvm_usable(arch: str) -> bool:
    """KVM only runs guests of the host's own architecture, and only with a read-write /dev/kvm."""
    if HOST_ARCH.get(os.uname().machine) != arch:
        return False
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


def find_image(arch: str, variant: str) -> GuestImage | None:
    """The newest cached kbuild build of ``arch``/``variant`` (``kernel-build`` writes the index), or None."""
    from android_suite.kbuild.paths import kernels_dir  # the launcher needs no build code otherwise

    index = kernels_dir() / "index" / f"{arch}-{variant}.json"
    try:
        data = json.loads(index.read_text())
        image = GuestImage(arch, Path(data["kernel"]), Path(data["initramfs"]), str(data["cmdline"]))
    except (OSError, ValueError, KeyError):
        return None
    return image if image.kernel.is_file() and image.initramfs.is_file() else None


def qemu_argv(
    image: GuestImage, *, cpus: int, memory_mb: int, host_port: int, console_log: Path, kvm: bool
) -> list[str]:
    """The QEMU command line (pure; unit-tested)."""
    net = f"user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{host_port}-:{AGENT_PORT}"
    if image.arch == "arm64":
        machine = ["-M", "virt,accel=kvm" if kvm else "virt", "-cpu", "host" if kvm else "cortex-a57"]
    elif image.arch == "x86_64":
        # microvm: virtio-mmio only, no PCI/ACPI; QEMU appends the virtio_mmio.device= parameters itself.
        machine = ["-M", "microvm,acpi=off" + (",accel=kvm" if kvm else ""), "-cpu", "host" if kvm else "max"]
    else:
        raise ValueError(f"unknown guest arch {image.arch!r}")
    return [
        QEMU_BINARY[image.arch],
        *machine,
        "-smp", str(cpus),
        "-m", str(memory_mb),
        "-kernel", str(image.kernel),
        "-initrd", str(image.initramfs),
        "-append", image.cmdline,
        "-netdev", net,
        "-device", "virtio-net-device,netdev=n0",
        "-serial", f"file:{console_log}",
        "-display", "none",
        "-monitor", "none",
        "-nodefaults",
        # A guest reboot ends QEMU: the x86 agent powers off by rebooting (no ACPI in the small kernel).
        "-no-reboot",
    ]  # fmt: skip


def free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_RUNNING: weakref.WeakSet[QemuMachine] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for machine in list(_RUNNING):
        machine.stop(timeout=5)


class QemuMachine:
    """One QEMU guest; ``start()`` returns a connected :class:`GuestAgent`."""

    def __init__(
        self,
        image: GuestImage,
        *,
        cpus: int = 2,
        memory_mb: int = 1024,
        console_log: Path,
        use_kvm: bool | None = None,
    ) -> None:
        self.image = image
        self.cpus = cpus
        self.memory_mb = memory_mb
        self.console_log = Path(console_log)
        self.uses_kvm = kvm_usable(image.arch) if use_kvm is None else use_kvm
        self._kvm_auto = use_kvm is None
        self.host_port = 0
        self.boot_seconds: float | None = None
        self.agent: GuestAgent | None = None
        self.argv: list[str] = []
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self, timeout: float = 60.0) -> GuestAgent:
        """Boot and wait (``timeout`` s) for the agent's pong; QemuError with the console tail otherwise."""
        if self._proc is not None:
            raise QemuError("already started", argv=self.argv)
        if not qemu_available(self.image.arch):
            raise QemuError(f"{QEMU_BINARY[self.image.arch]} not found", hint="./suite setup installs qemu-system-*")
        self.console_log.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            try:
                return self._boot(timeout)
            except _PortTaken:
                # Another process took the free port between our probe and QEMU's bind: pick again.
                if attempt == 2:
                    raise
            except QemuError as exc:
                # /dev/kvm can open and still fail (nested virtualisation, MSRs): fall back to TCG once.
                if not (self.uses_kvm and self._kvm_auto and exc.early_exit):
                    raise
                self.uses_kvm = False
        raise AssertionError("unreachable")

    def _boot(self, timeout: float) -> GuestAgent:
        self.console_log.write_bytes(b"")
        self.host_port = free_loopback_port()
        self.argv = qemu_argv(
            self.image,
            cpus=self.cpus,
            memory_mb=self.memory_mb,
            host_port=self.host_port,
            console_log=self.console_log,
            kvm=self.uses_kvm,
        )
        stderr_log = self.console_log.with_name(self.console_log.name + ".qemu-stderr")
        started = time.monotonic()
        with open(stderr_log, "wb") as err:
            self._proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        _RUNNING.add(self)
        agent = GuestAgent("127.0.0.1", self.host_port, timeout=30)
        deadline = started + timeout
        try:
            while True:
                if self._proc.poll() is not None:
                    stderr = _read(stderr_log)
                    kind = _PortTaken if "host forwarding" in stderr else QemuError
                    raise kind(
                        f"QEMU exited with {self._proc.returncode} before the agent answered",
                        argv=self.argv,
                        console=self.console_text() + stderr,
                        early_exit=True,
                    )
                try:
                    agent.ping(timeout=min(2.0, max(0.2, deadline - time.monotonic())))
                    break
                except GuestAgentError:
                    if time.monotonic() >= deadline:
                        raise QemuError(
                            f"the guest agent did not answer within {timeout:.0f} s",
                            argv=self.argv,
                            console=self.console_text(),
                            hint="read the console tail; under TCG raise the timeout",
                        ) from None
                    # Before slirp listens, connects fail at once: pace the retries of this
                    # deadline-bounded poll (the condition is the agent's pong).
                    time.sleep(0.2)  # wait-ok
        except BaseException:
            self.stop(timeout=5)
            raise
        self.boot_seconds = time.monotonic() - started
        self.agent = agent
        return agent

    def console_text(self) -> str:
        return _read(self.console_log)

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """Power off through the agent, then SIGTERM, then SIGKILL; never leaves a QEMU process."""
        proc = self._proc
        if proc is None:
            return
        deadline = time.monotonic() + timeout
        try:
            if proc.poll() is None and self.agent is not None:
                with contextlib.suppress(GuestAgentError):  # the signals below still stop it
                    self.agent.shutdown(timeout=min(5.0, timeout / 2))
                _wait(proc, deadline - time.monotonic() - 2)
            if proc.poll() is None:
                proc.terminate()
                _wait(proc, min(5.0, max(1.0, deadline - time.monotonic())))
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        finally:
            if self.agent is not None:
                self.agent.close()
            self.agent = None
            self._proc = None
            _RUNNING.discard(self)

    def __enter__(self) -> QemuMachine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait(proc: subprocess.Popen[bytes], seconds: float) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=max(0.1, seconds))


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""
