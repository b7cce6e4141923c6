"""A reproducible newc cpio writer for the initramfs (no external cpio needed).

Entries are sorted by path, mtimes fixed, uid/gid 0 and inode numbers
assigned in order, so the same inputs always give the same bytes (and so the
same boot-image sha256 in the manifest).
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from dataclasses import dataclass

_MAGIC = b"070701"
_TRAILER = "TRAILER!!!"


@dataclass(frozen=True)
class Entry:
    """One archive member. ``data`` is the file body or a symlink's target; empty for dirs and nodes."""

    path: str
    mode: int  # full st_mode: type bits | permissions
    data: bytes = b""
    rdev_major: int = 0
    rdev_minor: int = 0

    @staticmethod
    def dir(path: str, perm: int = 0o755) -> Entry:
        return Entry(path, stat.S_IFDIR | perm)

    @staticmethod
    def file(path: str, data: bytes, perm: int = 0o644) -> Entry:
        return Entry(path, stat.S_IFREG | perm, data)

    @staticmethod
    def symlink(path: str, target: str) -> Entry:
        return Entry(path, stat.S_IFLNK | 0o777, target.encode())

    @staticmethod
    def chardev(path: str, major: int, minor: int, perm: int = 0o600) -> Entry:
        return Entry(path, stat.S_IFCHR | perm, b"", major, minor)


def _pad(n: int) -> bytes:
    return b"\0" * (-n % 4)


def _member(ino: int, e: Entry, mtime: int) -> bytes:
    name = e.path.lstrip("/").encode() + b"\0"
    nlink = 2 if stat.S_ISDIR(e.mode) else 1
    fields = (ino, e.mode, 0, 0, nlink, mtime, len(e.data), 0, 0, e.rdev_major, e.rdev_minor, len(name), 0)
    header = _MAGIC + b"".join(f"{v:08x}".encode() for v in fields)
    head = header + name
    return head + _pad(len(head)) + e.data + _pad(len(e.data))


def write_newc(entries: Iterable[Entry], *, mtime: int = 0) -> bytes:
    """The archive bytes; parent directories must be listed (the kernel does not create them)."""
    members = sorted(entries, key=lambda e: e.path.lstrip("/"))
    seen: set[str] = set()
    out = bytearray()
    for ino, e in enumerate(members, start=1):
        key = e.path.lstrip("/")
        if not key or key in seen:
            raise ValueError(f"cpio: empty or duplicate path {e.path!r}")
        seen.add(key)
        out += _member(ino, e, mtime)
    out += _member(0, Entry(_TRAILER, 0), 0)
    return bytes(out)


def read_newc(blob: bytes) -> list[Entry]:
    """Parse an archive written by :func:`write_newc` (for tests and checks)."""
    out: list[Entry] = []
    pos = 0
    while True:
        if blob[pos : pos + 6] != _MAGIC:
            raise ValueError(f"cpio: bad magic at {pos}")
        vals = [int(blob[pos + 6 + 8 * i : pos + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = vals[11], vals[6]
        name_start = pos + 110
        name = blob[name_start : name_start + namesize - 1].decode()
        data_start = name_start + namesize + (-(110 + namesize) % 4)
        data = blob[data_start : data_start + filesize]
        pos = data_start + filesize + (-filesize % 4)
        if name == _TRAILER:
            return out
        out.append(Entry(name, vals[1], data, vals[9], vals[10]))
