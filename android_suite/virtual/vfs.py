"""An in-memory filesystem for a virtual handset (implements ``api.FileSystem``).

Four kinds of node: directories, regular files, *dynamic* files rendered by a
callable at read time (``/proc``, ``/sys``), and *knobs*: dynamic files whose
writes go to an ``on_write`` callback that may reject the value with
:class:`FsError` (a sysctl returning EINVAL). Subtrees can be marked read-only
with the errno Android gives there: ``/system`` is a read-only mount (EROFS);
creating files under ``/proc`` or ``/sys`` is refused with EACCES.

Error messages are ``"<path>: <strerror>"`` so that toybox-style commands can
print ``"<cmd>: " + message`` and match the device byte for byte.
"""

from __future__ import annotations

import posixpath
import stat as st
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from android_suite.virtual.api import S_IFDIR, S_IFREG, FileStat, FsError

Renderer = Callable[[], bytes]
WriteHandler = Callable[[bytes], None]

STRERROR = {
    "ENOENT": "No such file or directory",
    "EISDIR": "Is a directory",
    "ENOTDIR": "Not a directory",
    "EACCES": "Permission denied",
    "EROFS": "Read-only file system",
    "EEXIST": "File exists",
    "ENOTEMPTY": "Directory not empty",
    "EINVAL": "Invalid argument",
    "EPERM": "Operation not permitted",
    "EBUSY": "Device or resource busy",
    "ENOMEM": "Cannot allocate memory",
    "ENOSPC": "No space left on device",
}


def fs_error(errno_name: str, path: str) -> FsError:
    """An FsError whose message reads like the device's (``path: strerror``)."""
    return FsError(errno_name, f"{path}: {STRERROR.get(errno_name, errno_name)}")


def normpath(path: str, cwd: str = "/") -> str:
    """Absolute, normalised POSIX path; ``..`` above ``/`` stays at ``/`` as in the kernel."""
    joined = posixpath.join(cwd, path) if not path.startswith("/") else path
    parts: list[str] = []
    for part in joined.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


@dataclass
class _Node:
    mode: int  # permission bits only; the type comes from the class
    mtime: int


@dataclass
class _Dir(_Node):
    children: dict[str, _Node] = field(default_factory=dict)


@dataclass
class _File(_Node):
    data: bytes = b""


@dataclass
class _Dynamic(_Node):
    render: Renderer = lambda: b""
    on_write: WriteHandler | None = None  # None: read-only (EACCES on write)


class VirtualFS:
    """In-memory filesystem; see the module docstring.

    Args:
        clock: wall-clock seconds for mtimes (injectable for tests).
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._root = _Dir(mode=0o755, mtime=self._now())
        self._readonly: dict[str, str] = {}  # subtree root -> errno name
        # Fault hook: the handset filters every read through its Faults
        # (garbled or truncated files); identity when no fault is armed.
        self.read_filter: Callable[[str, bytes], bytes] | None = None
        # Fault hook: True for a path whose data writes must fail with ENOSPC (full storage).
        self.full_check: Callable[[str], bool] | None = None
        # /dev/null swallows writes and reads empty, for `>/dev/null` and `2>/dev/null`.
        self.add_knob("/dev/null", lambda: b"", lambda _data: None, mode=0o666)

    def _now(self) -> int:
        return int(self._clock())

    # -- lookup ---------------------------------------------------------------
    def _lookup(self, path: str) -> _Node | None:
        node: _Node = self._root
        for part in [p for p in path.split("/") if p]:
            if not isinstance(node, _Dir):
                raise fs_error("ENOTDIR", path)
            child = node.children.get(part)
            if child is None:
                return None
            node = child
        return node

    def _parent(self, path: str) -> tuple[_Dir, str]:
        parent_path, name = posixpath.split(path)
        parent = self._lookup(parent_path)
        if parent is None:
            raise fs_error("ENOENT", path)
        if not isinstance(parent, _Dir):
            raise fs_error("ENOTDIR", path)
        return parent, name

    def _readonly_errno(self, path: str) -> str | None:
        for root, errno_name in self._readonly.items():
            if path == root or path.startswith(root.rstrip("/") + "/"):
                return errno_name
        return None

    def _check_mutable(self, path: str) -> None:
        errno_name = self._readonly_errno(path)
        if errno_name is not None:
            raise fs_error(errno_name, path)

    # -- FileSystem protocol ----------------------------------------------------
    def stat(self, path: str) -> FileStat | None:
        try:
            node = self._lookup(normpath(path))
        except FsError:
            return None
        if node is None:
            return None
        if isinstance(node, _Dir):
            return FileStat(S_IFDIR | node.mode, 4096, node.mtime)
        # procfs and sysfs report size 0 for their files; `cat` still reads them.
        size = len(node.data) if isinstance(node, _File) else 0
        return FileStat(S_IFREG | node.mode, size, node.mtime)

    def listdir(self, path: str) -> list[tuple[str, FileStat]]:
        path = normpath(path)
        node = self._lookup(path)
        if node is None:
            raise fs_error("ENOENT", path)
        if not isinstance(node, _Dir):
            raise fs_error("ENOTDIR", path)
        out: list[tuple[str, FileStat]] = []
        for name in sorted(node.children):
            child_stat = self.stat(posixpath.join(path, name))
            assert child_stat is not None
            out.append((name, child_stat))
        return out

    def read(self, path: str) -> bytes:
        path = normpath(path)
        data = self._read(path)
        return self.read_filter(path, data) if self.read_filter is not None else data

    def _read(self, path: str) -> bytes:
        node = self._lookup(path)
        if node is None:
            raise fs_error("ENOENT", path)
        if isinstance(node, _Dir):
            raise fs_error("EISDIR", path)
        if isinstance(node, _Dynamic):
            return node.render()
        assert isinstance(node, _File)
        return node.data

    def write(self, path: str, data: bytes, mode: int = 0o644, mtime: int | None = None) -> None:
        self._put(normpath(path), data, mode, mtime, append=False)

    # -- extras used by the shell and the handset -------------------------------
    def append(self, path: str, data: bytes) -> None:
        """``>>``: append to a file, creating it (0644) if needed."""
        self._put(normpath(path), data, 0o644, None, append=True)

    def check_writable(self, path: str) -> None:
        """Raise FsError if a write to ``path`` would fail (what ``>`` checks at open)."""
        path = normpath(path)
        node = self._lookup(path)
        if isinstance(node, _Dir):
            raise fs_error("EISDIR", path)
        if isinstance(node, _Dynamic):
            if node.on_write is None:
                raise fs_error("EACCES", path)
            return
        self._check_mutable(path)
        if node is None:
            self._parent(path)

    def is_dir(self, path: str) -> bool:
        found = self.stat(path)
        return found is not None and st.S_ISDIR(found.mode)

    def _put(self, path: str, data: bytes, mode: int, mtime: int | None, *, append: bool) -> None:
        node = self._lookup(path)
        if isinstance(node, _Dir):
            raise fs_error("EISDIR", path)
        if isinstance(node, _Dynamic):
            if node.on_write is None:
                raise fs_error("EACCES", path)
            try:
                node.on_write(data)
            except FsError as exc:
                # Knob callbacks may raise bare errors; give them the path.
                if not exc.message.startswith(path):
                    raise fs_error(exc.errno_name, path) from exc
                raise
            return
        self._check_mutable(path)
        if data and self.full_check is not None and self.full_check(path):
            raise fs_error("ENOSPC", path)
        when = self._now() if mtime is None else mtime
        if isinstance(node, _File):
            node.data = node.data + data if append else data
            node.mtime = when
            return
        parent, name = self._parent(path)
        parent.children[name] = _File(mode=mode & 0o7777, mtime=when, data=data)
        parent.mtime = when

    def mkdir(self, path: str, *, parents: bool = False, mode: int = 0o755) -> None:
        """Create a directory; with ``parents`` like ``mkdir -p`` (no error if it exists)."""
        path = normpath(path)
        node = self._lookup(path)
        if node is not None:
            if parents and isinstance(node, _Dir):
                return
            raise fs_error("EEXIST", path)
        if parents and path != "/":
            self.mkdir(posixpath.dirname(path), parents=True, mode=mode)
        self._check_mutable(path)
        parent, name = self._parent(path)
        parent.children[name] = _Dir(mode=mode & 0o7777, mtime=self._now())

    def remove(self, path: str, *, recursive: bool = False) -> None:
        """Delete a file (or a directory tree with ``recursive``)."""
        path = normpath(path)
        node = self._lookup(path)
        if node is None:
            raise fs_error("ENOENT", path)
        if isinstance(node, _Dir) and not recursive:
            raise fs_error("EISDIR", path)
        if path == "/" or isinstance(node, _Dynamic):
            raise fs_error("EACCES" if isinstance(node, _Dynamic) else "EBUSY", path)
        self._check_mutable(path)
        parent, name = self._parent(path)
        del parent.children[name]

    def chmod(self, path: str, mode: int) -> None:
        path = normpath(path)
        node = self._lookup(path)
        if node is None:
            raise fs_error("ENOENT", path)
        self._check_mutable(path)
        node.mode = mode & 0o7777

    def touch(self, path: str, mtime: int | None = None) -> None:
        """Create an empty file or update the mtime of an existing node."""
        path = normpath(path)
        node = self._lookup(path)
        if node is None:
            self.write(path, b"", mtime=mtime)
            return
        self._check_mutable(path)
        node.mtime = self._now() if mtime is None else mtime

    def add_dynamic(self, path: str, render: Renderer, *, mode: int = 0o444) -> None:
        """A read-only file rendered at read time (``/proc/meminfo``)."""
        self._add_special(normpath(path), _Dynamic(mode=mode, mtime=self._now(), render=render))

    def add_knob(self, path: str, render: Renderer, on_write: WriteHandler, *, mode: int = 0o644) -> None:
        """A writable kernel knob; ``on_write`` validates and may raise FsError."""
        node = _Dynamic(mode=mode, mtime=self._now(), render=render, on_write=on_write)
        self._add_special(normpath(path), node)

    def remove_special(self, path: str) -> None:
        """Drop a kernel file (a new kernel does not serve it); empty parent directories go too."""
        path = normpath(path)
        if not isinstance(self._lookup(path), _Dynamic):
            return
        while path != "/":
            parent, name = self._parent(path)
            node = parent.children.get(name)
            if isinstance(node, _Dir) and node.children:
                break
            parent.children.pop(name, None)
            path = posixpath.dirname(path)

    def _add_special(self, path: str, node: _Dynamic) -> None:
        # Setup bypasses read-only marks: the kernel, not a writer, owns these files.
        self.mkdir_unchecked(posixpath.dirname(path))
        parent, name = self._parent(path)
        parent.children[name] = node

    def mkdir_unchecked(self, path: str, mode: int = 0o755) -> None:
        """``mkdir -p`` that ignores read-only marks (for building the image)."""
        node: _Node = self._root
        for part in [p for p in normpath(path).split("/") if p]:
            assert isinstance(node, _Dir), f"{path}: not a directory"
            node = node.children.setdefault(part, _Dir(mode=mode, mtime=self._now()))

    def set_readonly(self, path: str, errno_name: str = "EROFS") -> None:
        """Refuse changes under ``path`` with ``errno_name`` (knobs stay writable)."""
        self._readonly[normpath(path)] = errno_name
