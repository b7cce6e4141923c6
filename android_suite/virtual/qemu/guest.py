"""The QEMU guest behind one handset: which image it boots, booting it off the event loop, stopping it.

A handset reboot must not block the handset process's asyncio loop for the
10-30 s a TCG guest takes to boot, so :class:`GuestSlot` boots in a thread and
publishes the guest once its agent answers; readers ask :meth:`GuestSlot.agent`
and get :class:`GuestDown` while there is none. QEMU itself is started by
KBUILD's launcher (``machine.QemuMachine``) behind the narrow :data:`Launcher`
callable, so unit tests boot a fake guest instead.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from android_suite.errors import SuiteError
from android_suite.virtual.qemu.guestfacts import BootPayload

log = logging.getLogger(__name__)


class AgentLike(Protocol):
    """The guest agent client's surface the backend uses (``agent.GuestAgent``)."""

    def ping(self, timeout: float | None = None) -> None: ...

    def read(self, path: str, timeout: float | None = None) -> bytes: ...

    def write(self, path: str, data: bytes, timeout: float | None = None) -> None: ...

    def listdir(self, path: str, timeout: float | None = None) -> list[str]: ...

    def exec(self, argv: Sequence[str], timeout: float) -> tuple[int, bytes]: ...

    def spawn(self, argv: Sequence[str], log: str | None = None, timeout: float | None = None) -> int: ...

    def kill(self, pid: int, sig: int = 15, timeout: float | None = None) -> None: ...

    def close(self) -> None: ...


class Guest(Protocol):
    """A booted guest: its agent, its kernel log, and a stop that never leaves QEMU running."""

    @property
    def agent(self) -> AgentLike: ...

    def console_text(self) -> str: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class BootFiles:
    """What QEMU boots (the same fields as ``machine.GuestImage``)."""

    arch: str
    kernel: Path
    initramfs: Path
    cmdline: str


Launcher = Callable[[BootFiles], Guest]


class GuestDown(SuiteError):
    """The guest is not up (booting, failed to boot, or stopped); reads fail with EIO meanwhile."""


def write_boot_files(payload: BootPayload, work_dir: Path) -> BootFiles:
    """Kernel and initramfs of a boot image as files QEMU can load, named by content (reused across boots)."""
    if payload.arch is None:
        raise ValueError("the boot image's kernel is neither an arm64 Image nor an x86 bzImage")
    work_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, data in (("kernel", payload.kernel), ("initramfs", payload.ramdisk)):
        path = work_dir / f"{kind}-{hashlib.sha256(data).hexdigest()[:16]}"
        if not path.is_file() or path.stat().st_size != len(data):
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        paths.append(path)
    return BootFiles(payload.arch, paths[0], paths[1], payload.cmdline)


class GuestSlot:
    """At most one running guest; boots in a background thread, stops synchronously."""

    def __init__(self, launcher: Launcher, on_up: Callable[[Guest], None]) -> None:
        self._launcher = launcher
        self._on_up = on_up
        self._lock = threading.Lock()
        self._guest: Guest | None = None
        self._generation = 0
        self._up = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None  # why the last boot failed
        self.on_failed: Callable[[], None] | None = None  # called (in the boot thread) when a boot fails

    def agent(self) -> AgentLike:
        guest = self._guest
        if guest is None:
            raise GuestDown(self.error or "the QEMU guest is not up yet (booting)")
        return guest.agent

    @property
    def guest(self) -> Guest | None:
        return self._guest

    def ready(self) -> bool:
        return self._guest is not None

    def boot(self, files: BootFiles) -> None:
        """Stop any running guest, then boot ``files``; both in a thread (the caller's loop keeps serving)."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            old, self._guest = self._guest, None
            self._up.clear()
            self.error = None
        self._thread = threading.Thread(target=self._boot, args=(files, generation, old), name="qemu-boot", daemon=True)
        self._thread.start()

    def _boot(self, files: BootFiles, generation: int, old: Guest | None) -> None:
        if old is not None:
            _stop_guest(old)
        try:
            guest = self._launcher(files)
        except Exception as exc:  # any launcher failure is a failed boot, reported to readers
            log.error("QEMU guest did not boot: %s", exc)
            with self._lock:
                current = generation == self._generation
                if current:
                    self.error = f"the QEMU guest did not boot: {exc}"
                    self._up.set()
            if current and self.on_failed is not None:
                self.on_failed()
            return
        with self._lock:
            current = generation == self._generation
            if current:
                self._guest = guest
        if not current:  # a reboot or a stop came while this one was booting
            guest.stop()
            return
        try:
            self._on_up(guest)
        finally:
            self._up.set()

    def wait(self, timeout: float) -> None:
        """Block until the current boot finished; raises GuestDown when it failed or took too long."""
        if not self._up.wait(timeout):
            raise GuestDown(f"the QEMU guest did not boot within {timeout:.0f} s (see its console log)")
        if self._guest is None:
            raise GuestDown(self.error or "the QEMU guest is not running")

    def stop(self, timeout: float = 120.0) -> None:
        """Stop the guest (never raises); a boot in flight is waited for, and stops its own guest."""
        with self._lock:
            self._generation += 1
            guest, self._guest = self._guest, None
            self._up.set()
        if guest is not None:
            _stop_guest(guest)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)  # so no QEMU it is starting outlives this call (process exit)


def _stop_guest(guest: Guest) -> None:
    try:
        guest.agent.close()
        guest.stop()
    except Exception as exc:  # stopping must never fail the caller (shutdown paths)
        log.warning("stopping the QEMU guest: %s", exc)
