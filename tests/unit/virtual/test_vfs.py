"""The virtual handset's in-memory filesystem."""

from __future__ import annotations

import stat
from collections.abc import Callable

import pytest

from android_suite.virtual.api import FsError
from android_suite.virtual.vfs import VirtualFS, fs_error, normpath


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fs() -> VirtualFS:
    return VirtualFS(clock=Clock())


@pytest.mark.parametrize(
    ("path", "cwd", "expected"),
    [
        ("/a/b/../c", "/", "/a/c"),
        ("//a///b/", "/", "/a/b"),
        ("../../..", "/data", "/"),
        ("x/./y", "/data/local", "/data/local/x/y"),
        ("/", "/tmp", "/"),
    ],
)
def test_normpath(path: str, cwd: str, expected: str) -> None:
    assert normpath(path, cwd) == expected


def test_write_read_stat_listdir(fs: VirtualFS) -> None:
    fs.mkdir("/data/local/tmp", parents=True)
    fs.write("/data/local/tmp/u2.jar", b"PK\x03\x04", mode=0o755, mtime=1234)
    found = fs.stat("/data/local/tmp/u2.jar")
    assert found is not None
    assert stat.S_ISREG(found.mode) and found.mode & 0o7777 == 0o755
    assert (found.size, found.mtime) == (4, 1234)
    assert fs.read("/data/local//tmp/../tmp/u2.jar") == b"PK\x03\x04"
    names = [name for name, _ in fs.listdir("/data/local/tmp")]
    assert names == ["u2.jar"]
    directory = fs.stat("/data")
    assert directory is not None and stat.S_ISDIR(directory.mode)
    assert fs.stat("/nope") is None
    assert fs.stat("/data/local/tmp/u2.jar/x") is None  # through a file: lstat says ENOTDIR -> None


def test_mtime_comes_from_the_clock() -> None:
    clock = Clock(1000.0)
    fs = VirtualFS(clock=clock)
    fs.write("/f", b"x")
    clock.now = 2000.0
    fs.append("/f", b"y")
    found = fs.stat("/f")
    assert found is not None and found.mtime == 2000
    assert fs.read("/f") == b"xy"


@pytest.mark.parametrize(
    ("action", "errno_name"),
    [
        (lambda fs: fs.read("/missing"), "ENOENT"),
        (lambda fs: fs.read("/d"), "EISDIR"),
        (lambda fs: fs.listdir("/d/file"), "ENOTDIR"),
        (lambda fs: fs.write("/d", b""), "EISDIR"),
        (lambda fs: fs.write("/no/parent/file", b""), "ENOENT"),
        (lambda fs: fs.mkdir("/d"), "EEXIST"),
        (lambda fs: fs.remove("/d"), "EISDIR"),
        (lambda fs: fs.remove("/missing"), "ENOENT"),
    ],
)
def test_errors(fs: VirtualFS, action: object, errno_name: str) -> None:
    fs.mkdir("/d")
    fs.write("/d/file", b"")
    with pytest.raises(FsError) as info:
        action(fs)  # type: ignore[operator]
    assert info.value.errno_name == errno_name


def test_error_messages_read_like_the_device() -> None:
    assert fs_error("ENOENT", "/x").message == "/x: No such file or directory"
    assert fs_error("EROFS", "/system/x").message == "/system/x: Read-only file system"


def test_dynamic_file_renders_at_read_time(fs: VirtualFS) -> None:
    counter = iter(range(100))
    fs.add_dynamic("/proc/loadavg", lambda: f"{next(counter)}\n".encode())
    assert fs.read("/proc/loadavg") == b"0\n"
    assert fs.read("/proc/loadavg") == b"1\n"
    with pytest.raises(FsError) as info:
        fs.write("/proc/loadavg", b"1")
    assert info.value.errno_name == "EACCES"


def test_knob_validates_writes(fs: VirtualFS) -> None:
    value = [b"60\n"]

    def on_write(data: bytes) -> None:
        if not data.strip().isdigit():
            raise FsError("EINVAL", "Invalid argument")
        value[0] = data

    fs.add_knob("/proc/sys/vm/swappiness", lambda: value[0], on_write)
    fs.set_readonly("/proc", "EACCES")
    fs.write("/proc/sys/vm/swappiness", b"100\n")  # knobs stay writable in a read-only tree
    assert fs.read("/proc/sys/vm/swappiness") == b"100\n"
    with pytest.raises(FsError) as info:
        fs.write("/proc/sys/vm/swappiness", b"abc")
    assert info.value.errno_name == "EINVAL"
    assert info.value.message == "/proc/sys/vm/swappiness: Invalid argument"


def test_read_only_subtrees(fs: VirtualFS) -> None:
    fs.mkdir("/system/bin", parents=True)
    fs.mkdir("/proc")
    fs.set_readonly("/system", "EROFS")
    fs.set_readonly("/proc", "EACCES")
    cases: list[tuple[Callable[[], None], str]] = [
        (lambda: fs.write("/system/bin/x", b""), "EROFS"),
        (lambda: fs.mkdir("/system/y"), "EROFS"),
        (lambda: fs.remove("/system/bin", recursive=True), "EROFS"),
        (lambda: fs.write("/proc/new", b""), "EACCES"),
    ]
    for action, errno_name in cases:
        with pytest.raises(FsError) as info:
            action()
        assert info.value.errno_name == errno_name
    fs.write("/systemd", b"ok")  # a sibling with the same prefix is not read-only


def test_dev_null(fs: VirtualFS) -> None:
    fs.write("/dev/null", b"gone")
    fs.append("/dev/null", b"gone")
    assert fs.read("/dev/null") == b""


def test_mkdir_parents_remove_recursive_chmod_touch(fs: VirtualFS) -> None:
    fs.mkdir("/a/b/c", parents=True)
    fs.mkdir("/a/b/c", parents=True)  # -p: existing is fine
    fs.write("/a/b/c/f", b"1")
    fs.chmod("/a/b/c/f", 0o600)
    found = fs.stat("/a/b/c/f")
    assert found is not None and found.mode & 0o777 == 0o600
    fs.touch("/a/new", mtime=5)
    new = fs.stat("/a/new")
    assert new is not None and (new.size, new.mtime) == (0, 5)
    fs.remove("/a", recursive=True)
    assert fs.stat("/a") is None
