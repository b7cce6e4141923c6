"""Cross-builds ``libasuiteapp.so`` without an NDK: stub libraries from symbol lists, then a freestanding link.

The NDK's own stubs work the same way: a shared object per system library
that only carries the right SONAME and the public symbols, so the linker
records ``NEEDED libc.so`` and unversioned references that bionic resolves at
load time.  Outputs are cached by a hash of sources, symbol lists, flags and
the compiler's version banner (``<cache>/lib/<hash>/<abi>/``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from android_suite.apk.cache import TESTAPP_DIR, cached_dir, digest, tree_parts
from android_suite.errors import ConfigError

MIN_SDK = 24  # AChoreographer (API 24) is linked directly; see apk_workloads/testapp/README.md
LIB_NAME = "libasuiteapp.so"
STUB_LIBS = ("libc", "liblog", "libandroid", "libdl")
SOURCES = ("config.c", "memory.c", "frames.c", "logline.c", "settings.c", "render.c", "app.c")

CFLAGS = (
    "-std=c11", "-O2", "-g0", "-Wall", "-Wextra", "-Werror",
    "-ffreestanding", "-nostdinc", "-fPIC", "-fvisibility=hidden",
    "-fstack-protector-strong",  # bionic exports __stack_chk_guard/__stack_chk_fail
    "-fno-asynchronous-unwind-tables",
)  # fmt: skip
LDFLAGS = (
    "-shared", "-nostdlib", "-s",
    "-Wl,--no-undefined",
    f"-Wl,-soname,{LIB_NAME}",
    # 16 KiB pages (Android 15+ devices): PT_LOAD alignment, and RELRO ending on a 16 KiB boundary.
    "-Wl,-z,max-page-size=16384", "-Wl,-z,common-page-size=16384",
    "-Wl,-z,noexecstack", "-Wl,-z,relro", "-Wl,-z,now",
    "-Wl,--hash-style=both",  # DT_HASH for old loaders, DT_GNU_HASH for new ones
    "-Wl,-z,nopack-relative-relocs",  # DT_RELR would need a libc version tag
    "-Wl,--build-id=sha1",  # a hash of the contents: reproducible
)  # fmt: skip


@dataclass(frozen=True)
class Abi:
    """How one Android ABI is compiled.

    Attributes:
        name: the Android ABI (``lib/<name>/`` in the APK).
        compilers: gcc drivers to try, first found wins.
        flags: ABI-specific compiler flags.
        e_machine: the ELF machine a correct build carries.
        packages: Debian packages to install when no compiler is found.
    """

    name: str
    compilers: tuple[str, ...]
    flags: tuple[str, ...]
    e_machine: int
    packages: tuple[str, ...]


ABIS: dict[str, Abi] = {
    # GCC 12 would call libgcc's __aarch64_* outline-atomics helpers, which bionic does not export.
    "arm64-v8a": Abi(
        "arm64-v8a", ("aarch64-linux-gnu-gcc",), ("-mno-outline-atomics",), 183, ("gcc-aarch64-linux-gnu",)
    ),
    "x86_64": Abi("x86_64", ("x86_64-linux-gnu-gcc", "gcc"), (), 62, ("gcc",)),
}


def abi_info(abi: str) -> Abi:
    info = ABIS.get(abi)
    if info is None:
        raise ConfigError(f"testapp: no build for ABI {abi!r}; known: {', '.join(ABIS)}")
    return info


def find_compiler(abi: str) -> str:
    """Absolute path of the compiler for ``abi``.

    Raises:
        ConfigError: none installed; the message names the Debian packages.
    """
    info = abi_info(abi)
    names = info.compilers
    if abi == "x86_64" and os.uname().machine != "x86_64":
        names = names[:1]  # plain gcc would build for the host's own arch
    for name in names:
        if path := shutil.which(name):
            return path
    raise ConfigError(f"testapp: no compiler for {abi}; install the Debian packages: {' '.join(info.packages)}")


def _run(argv: list[str], what: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ConfigError(f"testapp: {what} failed ({done.returncode}): {' '.join(argv)}\n{done.stderr}")
    return done.stdout


def read_symbols(path: Path, min_sdk: int = MIN_SDK) -> list[tuple[str, bool]]:
    """(name, is_data) for every symbol in a ``.syms`` list available at ``min_sdk``."""
    out: list[tuple[str, bool]] = []
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        name, flags = words[0], words[1:]
        api = next((int(f[4:]) for f in flags if f.startswith("api=")), 0)
        unknown = [f for f in flags if f != "data" and not f.startswith("api=")]
        if unknown or not name.isidentifier():
            raise ConfigError(f"{path}:{lineno}: expected 'NAME [data] [api=N]', got {raw!r}")
        if api <= min_sdk:
            out.append((name, "data" in flags))
    return out


def stub_source(symbols: list[tuple[str, bool]]) -> str:
    """C for a stub library: an empty function or an 8-byte object per symbol."""
    lines = ["/* generated from a .syms list: only names and a SONAME matter */"]
    for name, is_data in symbols:
        lines.append(f"char {name}[8];" if is_data else f"void {name}(void) {{}}")
    return "\n".join(lines) + "\n"


def build_stubs(compiler: str, abi: str, out: Path) -> None:
    """Write ``out/libc.so`` etc. (right SONAMEs, unversioned symbols)."""
    for lib in STUB_LIBS:
        src = out / f"{lib}.stub.c"
        src.write_text(stub_source(read_symbols(TESTAPP_DIR / "stubs" / f"{lib}.syms")))
        argv = [compiler, *abi_info(abi).flags, "-w", "-fno-builtin", "-ffreestanding", "-nostdinc", "-fPIC",
                "-shared", "-nostdlib", f"-Wl,-soname,{lib}.so", "-o", str(out / f"{lib}.so"), str(src)]  # fmt: skip
        _run(argv, f"stub {lib}.so for {abi}")


def compile_flags(compiler: str, abi: str) -> list[str]:
    # -nostdinc drops glibc's headers but also GCC's own; stddef/stdint/stdarg come back from here.
    gcc_include = _run([compiler, "-print-file-name=include"], "gcc -print-file-name").strip()
    return [*CFLAGS, *abi_info(abi).flags, "-isystem", gcc_include, f"-ffile-prefix-map={TESTAPP_DIR}=testapp"]


def lib_key(abi: str, compiler: str) -> str:
    banner = _run([compiler, "--version"], "gcc --version")
    parts = tree_parts(TESTAPP_DIR, ("src/*.c", "src/*.h", "stubs/*"))
    return digest([abi, banner, " ".join(CFLAGS + LDFLAGS), *parts])


def build_native_lib(abi: str, *, cache: Path | None = None) -> Path:
    """``libasuiteapp.so`` for ``abi``, built unless cached; also leaves the stubs beside it.

    Raises:
        ConfigError: no compiler, or a compile/link error (stderr included).
    """
    compiler = find_compiler(abi)
    root = (cache or _lib_cache()) / lib_key(abi, compiler)

    def make(tmp: Path) -> None:
        stubs = tmp / "stubs"
        stubs.mkdir()
        build_stubs(compiler, abi, stubs)
        src = TESTAPP_DIR / "src"
        argv = [compiler, *compile_flags(compiler, abi), *LDFLAGS,
                f"-Wl,--version-script={TESTAPP_DIR / 'stubs' / 'exports.map'}",
                "-o", str(tmp / LIB_NAME), *(str(src / s) for s in SOURCES),
                f"-L{stubs}", "-lc", "-llog", "-landroid", "-ldl"]  # fmt: skip
        _run(argv, f"{LIB_NAME} for {abi}")

    return cached_dir(root.name, make, root=root.parent) / LIB_NAME


def _lib_cache() -> Path:
    from android_suite.apk.cache import cache_root

    return cache_root() / "lib"
