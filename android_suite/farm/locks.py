"""One-host leases: an exclusive ``fcntl.flock`` on a per-serial file under the cache directory.

flock is tied to the open file description, so the kernel drops it when the
holder exits however it exits (SIGKILL included): no stale leases on one host,
and no clean-up needed. The file keeps the last holder's pid, host and time,
only to tell a waiting user who has the device.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from android_suite.kernel.cache import cache_root


def lock_dir() -> Path:
    """``$ANDROID_SUITE_LEASE_DIR``, else ``<cache>/leases`` (created)."""
    env = os.environ.get("ANDROID_SUITE_LEASE_DIR")
    path = Path(env) if env else cache_root() / "leases"
    path.mkdir(parents=True, exist_ok=True)
    return path


def lock_path(serial: str, directory: Path | None = None) -> Path:
    """The serial's lock file: a safe file name, plus a stable hash when characters had to be replaced
    (so "a:b" and "a_b" stay two locks)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", serial)
    if safe != serial:
        safe += "-" + hashlib.sha256(serial.encode()).hexdigest()[:8]
    return (directory or lock_dir()) / f"{safe}.lock"


class FileLease:
    """An exclusive flock on one serial's lock file. Use :func:`try_lock`."""

    def __init__(self, serial: str, fd: int, path: Path) -> None:
        self.serial = serial
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Unlock and close; safe to call twice."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> FileLease:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def try_lock(serial: str, directory: Path | None = None) -> FileLease | None:
    """Take the serial's lock if free (never blocks); None when another process holds it."""
    path = lock_path(serial, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, f"pid={os.getpid()} host={socket.gethostname()} since={time.time():.0f}\n".encode())
    return FileLease(serial, fd, path)


def holder_of(serial: str, directory: Path | None = None) -> str:
    """Who last took the serial's lock (for messages); "" if never."""
    try:
        return lock_path(serial, directory).read_text().strip()
    except OSError:
        return ""


def lock_any(
    serials: Sequence[str], timeout: float, directory: Path | None = None, interval: float = 0.2
) -> FileLease | None:
    """The first free serial's lock, in order; polls until ``timeout`` (0: one pass). None if all stay taken."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()  # never set: wait() is an interruptible pause between polls
    while True:
        for serial in serials:
            lease = try_lock(serial, directory)
            if lease is not None:
                return lease
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        pause.wait(min(interval, left))


def lock_serials(serials: Sequence[str], timeout: float, directory: Path | None = None) -> list[FileLease]:
    """Lock every serial (each waited for up to ``timeout``); all or nothing.

    Raises:
        RuntimeError: one stayed locked by another process; names it and its holder.
    """
    held: list[FileLease] = []
    for serial in serials:
        lease = lock_any([serial], timeout, directory)
        if lease is None:
            for h in held:
                h.release()
            raise RuntimeError(
                f"{serial} is in use by another session ({holder_of(serial, directory) or 'unknown holder'}); "
                f"waited {timeout:g} s (--lease-timeout)"
            )
        held.append(lease)
    return held
