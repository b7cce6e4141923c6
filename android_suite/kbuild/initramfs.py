"""The guest's initramfs: busybox + applet links, /init, the agent, memeater and asuite-app.

Written as a newc cpio by :mod:`android_suite.kbuild.cpio` (sorted, fixed
mtimes: the same inputs give the same bytes) and cached by its content hash.
busybox's applet links are made by /init itself (``busybox --install -s``), so
the host never has to run a foreign-arch binary to list them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from android_suite.kbuild import guest
from android_suite.kbuild.cpio import Entry, write_newc
from android_suite.kbuild.paths import GUEST_SRC, atomic_write, guest_dir

DIRS = ("bin", "sbin", "dev", "proc", "sys", "run", "tmp", "data", "data/local", "etc", "root", "usr", "usr/bin")
INSTALL_APPLETS = "/bin/busybox --install -s /bin\n"


def entries(busybox: bytes, init_script: str, programs: dict[str, bytes]) -> list[Entry]:
    """The archive's members (pure: bytes in, entries out)."""
    # Applet links first, before the script's first applet runs.
    lines = init_script.split("\n", 1)
    init = lines[0] + "\n" + INSTALL_APPLETS + (lines[1] if len(lines) > 1 else "")
    out = [Entry.dir(d) for d in DIRS]
    out += [
        Entry.file("bin/busybox", busybox, 0o755),
        Entry.symlink("bin/sh", "busybox"),
        Entry.file("init", init.encode(), 0o755),
        # The kernel opens /dev/console before /init runs, ahead of devtmpfs.
        Entry.chardev("dev/console", 5, 1),
        Entry.file("etc/hostname", b"asuite-qemu\n"),
    ]
    out += [Entry.file(f"bin/{name}", data, 0o755) for name, data in sorted(programs.items())]
    return out


def build_initramfs(arch: str) -> Path:
    """The cached initramfs for ``arch``; built now when its inputs changed."""
    programs = {name: guest.build_program(arch, name).read_bytes() for name in guest.PROGRAMS}
    programs["memeater"] = guest.memeater(arch).read_bytes()
    busybox = guest.busybox(arch).read_bytes()
    init_script = (GUEST_SRC / "init.sh").read_text()
    blob = write_newc(entries(busybox, init_script, programs))
    path = guest_dir() / "initramfs" / f"{arch}-{hashlib.sha256(blob).hexdigest()[:20]}.cpio"
    if not path.is_file():
        atomic_write(path, blob)
    return path
