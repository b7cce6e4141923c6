"""The newc writer: reproducible bytes, a format the kernel (and GNU cpio) reads."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from android_suite.kbuild.cpio import Entry, read_newc, write_newc
from android_suite.kbuild.initramfs import entries


def _sample() -> list[Entry]:
    return [
        Entry.file("bin/busybox", b"\x7fELF" + b"x" * 4097, 0o755),
        Entry.dir("bin"),
        Entry.symlink("bin/sh", "busybox"),
        Entry.chardev("dev/console", 5, 1),
        Entry.dir("dev"),
        Entry.file("init", b"#!/bin/sh\n", 0o755),
    ]


def test_reproducible_and_sorted() -> None:
    a = write_newc(_sample())
    b = write_newc(list(reversed(_sample())))
    assert a == b and len(a) % 4 == 0
    back = read_newc(a)
    assert [e.path for e in back] == ["bin", "bin/busybox", "bin/sh", "dev", "dev/console", "init"]
    by = {e.path: e for e in back}
    assert stat.S_ISLNK(by["bin/sh"].mode) and by["bin/sh"].data == b"busybox"
    console = by["dev/console"]
    assert stat.S_ISCHR(console.mode) and (console.rdev_major, console.rdev_minor) == (5, 1)
    assert by["bin/busybox"].data.startswith(b"\x7fELF") and stat.S_IMODE(by["init"].mode) == 0o755


def test_rejects_duplicates() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        write_newc([Entry.dir("bin"), Entry.dir("/bin")])


@pytest.mark.skipif(shutil.which("cpio") is None, reason="GNU cpio not installed")
def test_gnu_cpio_lists_it(tmp_path: Path) -> None:
    archive = tmp_path / "a.cpio"
    archive.write_bytes(write_newc(_sample()))
    listing = subprocess.run(["cpio", "-it", "--quiet"], stdin=archive.open("rb"), capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.split() == ["bin", "bin/busybox", "bin/sh", "dev", "dev/console", "init"]


def test_initramfs_members() -> None:
    members = {e.path: e for e in entries(b"BB", "#!/bin/sh\necho hi\n", {"asuite-agent": b"A", "memeater": b"M"})}
    init = members["init"].data.decode()
    assert init.startswith("#!/bin/sh\n/bin/busybox --install -s /bin\n") and init.endswith("echo hi\n")
    for path in ("bin/busybox", "bin/sh", "bin/asuite-agent", "bin/memeater", "dev/console", "proc", "sys"):
        assert path in members
