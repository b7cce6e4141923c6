"""Guest userspace binaries for one architecture: busybox from Debian, our static C programs.

busybox is Debian's ``busybox-static``: the host's own when the guest arch is
the host's, otherwise the foreign-arch package fetched with ``apt-get download``
(``./suite setup`` adds the dpkg architecture) and unpacked with ``dpkg-deb -x``
into the cache. The programs (agent, app, memeater) are built with Debian's
gcc (cross for the other arch), ``-static``, cached by content hash.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

from android_suite.errors import ConfigError
from android_suite.kbuild.paths import GUEST_SRC, guest_dir
from android_suite.workloads.build import build_memeater, elf_machine

DEBIAN_ARCH = {"arm64": "arm64", "x86_64": "amd64"}
GNU_TRIPLET = {"arm64": "aarch64-linux-gnu", "x86_64": "x86_64-linux-gnu"}
MEMEATER_ABI = {"arm64": "arm64-v8a", "x86_64": "x86_64"}
ELF_NAME = {"arm64": "aarch64", "x86_64": "x86_64"}
CFLAGS = ("-O2", "-Wall", "-Wextra", "-Werror", "-static", "-s")
PROGRAMS = {"asuite-agent": "agent.c", "asuite-app": "asuite-app.c"}


def host_arch() -> str:
    machine = platform.machine()
    return {"aarch64": "arm64", "arm64": "arm64", "x86_64": "x86_64", "amd64": "x86_64"}.get(machine, machine)


def compiler_for(arch: str) -> str:
    """gcc that targets ``arch``: the host's for the host arch, else Debian's cross gcc."""
    names = [f"{GNU_TRIPLET[arch]}-gcc"] + (["gcc"] if arch == host_arch() else [])
    for name in names:
        if found := shutil.which(name):
            return found
    pkg = f"gcc-{GNU_TRIPLET[arch].replace('_', '-')}"
    raise ConfigError(f"no C compiler for {arch}; install the Debian package {pkg} (./suite setup does)")


def cross_prefix(arch: str) -> str:
    """CROSS_COMPILE for a kernel build: empty on the native arch."""
    if arch == host_arch():
        return ""
    compiler_for(arch)  # fails with the package name when missing
    return f"{GNU_TRIPLET[arch]}-"


def build_program(arch: str, name: str) -> Path:
    """A static guest program from apk_workloads/guest/, built unless cached."""
    source = GUEST_SRC / PROGRAMS[name]
    cc = compiler_for(arch)
    banner = subprocess.run([cc, "--version"], capture_output=True, text=True, check=False).stdout
    digest = hashlib.sha256(source.read_bytes() + " ".join(CFLAGS).encode() + arch.encode() + banner.encode())
    out = guest_dir() / "bin" / arch / digest.hexdigest()[:20] / name
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=out.parent)
    os.close(fd)
    try:
        argv = [cc, *CFLAGS, "-o", tmp, str(source)]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ConfigError(f"{name}: {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
        check_elf(Path(tmp), arch)
        os.chmod(tmp, 0o755)  # noqa: S103 - a guest program
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out


def memeater(arch: str) -> Path:
    return build_memeater(MEMEATER_ABI[arch])


def busybox(arch: str) -> Path:
    """A static busybox for ``arch`` (Debian's busybox-static)."""
    if arch == host_arch() and Path("/bin/busybox").is_file() and _is_static_busybox(Path("/bin/busybox")):
        return Path("/bin/busybox")
    out = guest_dir() / "busybox" / arch / "busybox"
    if out.is_file():
        return out
    pkg = f"busybox-static:{DEBIAN_ARCH[arch]}"
    with tempfile.TemporaryDirectory(prefix="busybox-") as tmp:
        done = subprocess.run(["apt-get", "download", pkg], cwd=tmp, capture_output=True, text=True, check=False)
        debs = sorted(Path(tmp).glob("busybox-static_*.deb"))
        if done.returncode != 0 or not debs:
            raise ConfigError(
                f"cannot fetch {pkg}: apt-get download exited {done.returncode}: {done.stderr.strip()[-400:]}\n"
                f"  what to do: run ./suite setup (it adds the dpkg architecture {DEBIAN_ARCH[arch]} and runs "
                "apt-get update), or put a static busybox for the guest at " + str(out)
            )
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(Path(tmp) / "x")], check=True, timeout=120)
        found = Path(tmp) / "x" / "bin" / "busybox"
        check_elf(found, arch)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found, out.with_suffix(".tmp"))
        os.chmod(out.with_suffix(".tmp"), 0o755)  # noqa: S103 - the guest's shell
        os.replace(out.with_suffix(".tmp"), out)
    return out


def check_elf(path: Path, arch: str) -> None:
    with open(path, "rb") as fh:
        got = elf_machine(fh.read(20))
    if got != ELF_NAME[arch]:
        raise ConfigError(f"{path}: an ELF for {got}, not for the guest arch {arch}")


def _is_static_busybox(path: Path) -> bool:
    # Debian's dynamic "busybox" package installs /bin/busybox too; a static one has no PT_INTERP.
    head = path.read_bytes()[:8192]
    return b"/lib64/ld-linux" not in head and b"/lib/ld-linux" not in head
