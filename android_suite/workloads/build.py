"""Builds the on-device memory eater (``apk_workloads/memeater/memeater.c``) as static binaries.

One static ELF per Android ABI, so nothing depends on the phone's bionic:
arm64 with Debian's cross compiler (``gcc-aarch64-linux-gnu`` plus
``libc6-dev-arm64-cross``), x86_64 (emulators, Chromebooks) with the host gcc.
Outputs are cached outside the clone by a hash of everything that shapes the
binary (source, flags, compiler identity), so a rebuild happens only when one
of them changes: ``~/.cache/android_suite/memeater/<sha>/memeater-<abi>``
(``$XDG_CACHE_HOME`` or ``$ANDROID_SUITE_CACHE`` move the root).

Run ``apk_workloads/memeater/build.sh [ABI ...]`` or
``python -m android_suite.workloads.build [ABI ...]``; both print the paths.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from android_suite.errors import ConfigError

SOURCE = Path(__file__).resolve().parents[2] / "apk_workloads" / "memeater" / "memeater.c"
# -static: Android has no glibc; -s: the marker lives in .rodata, which strip keeps.
CFLAGS = ("-O2", "-Wall", "-Wextra", "-static", "-s")
MARKER = b"ANDROID_SUITE_MEMEATER v1"  # also in memeater.c and the virtual handset's command


@dataclass(frozen=True)
class Toolchain:
    """How one ABI is built.

    Attributes:
        abi: the Android ABI name (``ro.product.cpu.abi``).
        compilers: gcc drivers to try in order (the first found on $PATH wins).
        e_machine: the ELF ``e_machine`` a correct build carries.
        debian_packages: what to install when no compiler is found.
    """

    abi: str
    compilers: tuple[str, ...]
    e_machine: int
    debian_packages: tuple[str, ...]


TOOLCHAINS: dict[str, Toolchain] = {
    "arm64-v8a": Toolchain(
        "arm64-v8a", ("aarch64-linux-gnu-gcc",), 183, ("gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross")
    ),
    "x86_64": Toolchain("x86_64", ("x86_64-linux-gnu-gcc", "gcc"), 62, ("gcc", "libc6-dev")),
}
ELF_MACHINES = {183: "aarch64", 62: "x86_64", 40: "arm", 3: "x86"}


def cache_root() -> Path:
    """Where built binaries are kept (outside the clone, shared by every checkout)."""
    if root := os.environ.get("ANDROID_SUITE_CACHE"):
        return Path(root) / "memeater"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "android_suite" / "memeater"


def find_compiler(abi: str) -> str | None:
    """Absolute path of the first available compiler for ``abi``; None if none is installed."""
    chain = _toolchain(abi)
    if abi == "x86_64" and os.uname().machine != "x86_64":
        return shutil.which(chain.compilers[0])  # plain gcc would build for the host's arch
    return next((p for name in chain.compilers if (p := shutil.which(name)) is not None), None)


def content_hash(abi: str, compiler: str, source: Path = SOURCE) -> str:
    """sha256 over the source, the flags, the ABI and the compiler's own version banner."""
    banner = subprocess.run([compiler, "--version"], capture_output=True, text=True, check=False).stdout
    digest = hashlib.sha256()
    for part in (source.read_bytes(), " ".join(CFLAGS).encode(), abi.encode(), banner.encode()):
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()[:20]


def build_memeater(abi: str, *, source: Path = SOURCE, cache: Path | None = None) -> Path:
    """The static memeater binary for ``abi``, built now unless cached.

    Raises:
        ConfigError: unknown ABI, no compiler (the message names the Debian
            packages), or the compiler failed (its stderr is included).
    """
    compiler = find_compiler(abi)
    if compiler is None:
        pkgs = " ".join(_toolchain(abi).debian_packages)
        raise ConfigError(f"memeater: no compiler for {abi}; install the Debian packages: {pkgs}")
    out_dir = (cache or cache_root()) / content_hash(abi, compiler, source)
    binary = out_dir / f"memeater-{abi}"
    if binary.is_file():
        return binary
    out_dir.mkdir(parents=True, exist_ok=True)
    # Compile next to the target and rename: concurrent builders never see half a file.
    fd, tmp = tempfile.mkstemp(prefix=f".memeater-{abi}-", dir=out_dir)
    os.close(fd)
    try:
        argv = [compiler, *CFLAGS, "-o", tmp, str(source)]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ConfigError(f"memeater: {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
        check_binary(Path(tmp), abi)
        os.chmod(tmp, 0o755)  # noqa: S103 - a program, pushed and executed as is
        os.replace(tmp, binary)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return binary


def elf_machine(header: bytes) -> str | None:
    """The architecture of a 64-bit little-endian ELF from its first 20 bytes; None if not one."""
    if len(header) < 20 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
        return None
    (machine,) = struct.unpack_from("<H", header, 18)
    return ELF_MACHINES.get(machine, f"machine-{machine}")


def check_binary(path: Path, abi: str) -> None:
    """Raise ConfigError unless ``path`` is an ELF for ``abi`` carrying the marker."""
    data = path.read_bytes()
    want = ELF_MACHINES[_toolchain(abi).e_machine]
    if elf_machine(data[:20]) != want or MARKER not in data:
        raise ConfigError(f"memeater: {path} is not a {want} ELF with the marker {MARKER.decode()!r}")


def _toolchain(abi: str) -> Toolchain:
    chain = TOOLCHAINS.get(abi)
    if chain is None:
        raise ConfigError(f"memeater: no build for ABI {abi!r}; known: {', '.join(TOOLCHAINS)}")
    return chain


def main(argv: list[str]) -> int:
    status = 0
    for abi in argv or list(TOOLCHAINS):
        try:
            print(build_memeater(abi))
        except ConfigError as exc:
            print(exc, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
