"""Where kbuild keeps things (all under the suite's cache, never in the clone), and a build lock."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from android_suite.errors import ConfigError
from android_suite.kernel.cache import cache_root

DEFAULT_SOURCE = Path("/usr/src/linux-source-6.12.tar.xz")
REPO = Path(__file__).resolve().parents[2]
GUEST_SRC = REPO / "apk_workloads" / "guest"
MEMEATER_SRC = REPO / "apk_workloads" / "memeater" / "memeater.c"
FRAGMENTS = REPO / "kernel_config" / "qemu"
PATCHES = REPO / "kernel_config" / "patches"


def kernels_dir() -> Path:
    """``kernels/<key>/`` build dirs, ``kernels/src/<sha>/`` extracted sources, ``kernels/index/``."""
    return cache_root() / "kernels"


def guest_dir() -> Path:
    """Guest userspace: busybox per arch, static programs, initramfs archives."""
    return cache_root() / "guest"


@contextmanager
def locked(path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive flock on ``path`` (two builds of one key wait for each other, not collide)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"[kbuild] waiting for another build of {what} (lock {path})", flush=True)
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def require_file(path: Path, hint: str) -> Path:
    if not path.is_file():
        raise ConfigError(f"{path}: not found; {hint}")
    return path


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
