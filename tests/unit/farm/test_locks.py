"""File-lock leases between real processes (flock is per open file, so threads would not show it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from android_suite.farm import locks

HOLD = """
import sys
from pathlib import Path
from android_suite.farm import locks
lease = locks.lock_any(sys.argv[2:], timeout=10.0, directory=Path(sys.argv[1]))
print(lease.serial if lease else "none", flush=True)
sys.stdin.readline()
"""


def holder(directory: Path, *serials: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(directory), *serials], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def test_two_processes_never_share_a_serial(tmp_path: Path) -> None:
    a, got_a = holder(tmp_path, "s1", "s2")
    b, got_b = holder(tmp_path, "s1", "s2")
    try:
        assert {got_a, got_b} == {"s1", "s2"}
        assert locks.try_lock("s1", tmp_path) is None and locks.try_lock("s2", tmp_path) is None
        assert f"pid={a.pid}" in locks.holder_of(got_a, tmp_path)
        assert locks.lock_any(["s1", "s2"], timeout=0.3, directory=tmp_path) is None  # waited, then gave up
    finally:
        for p in (a, b):
            p.communicate("\n", timeout=10)


def test_a_killed_holder_frees_the_device(tmp_path: Path) -> None:
    a, got = holder(tmp_path, "127.0.0.1:40123")
    assert got == "127.0.0.1:40123"
    assert locks.try_lock(got, tmp_path) is None
    os.kill(a.pid, signal.SIGKILL)
    a.wait(timeout=10)
    with locks.lock_any([got], timeout=5.0, directory=tmp_path) as lease:
        assert lease is not None and lease.held
    assert not lease.held


def test_lock_files_are_safe_and_distinct(tmp_path: Path) -> None:
    a, b = locks.lock_path("a:b", tmp_path), locks.lock_path("a_b", tmp_path)
    assert a != b and a.parent == tmp_path and ":" not in a.name


def test_lock_serials_is_all_or_nothing(tmp_path: Path) -> None:
    import pytest

    a, _ = holder(tmp_path, "p2")
    try:
        with pytest.raises(RuntimeError, match=r"p2 is in use by another session \(pid="):
            locks.lock_serials(["p1", "p2"], timeout=0.1, directory=tmp_path)
        back = locks.try_lock("p1", tmp_path)  # p1 was given back
        assert back is not None
        back.release()
    finally:
        a.communicate("\n", timeout=10)
    held = locks.lock_serials(["p1", "p2"], timeout=1.0, directory=tmp_path)
    assert [h.serial for h in held] == ["p1", "p2"]
