"""Builds and runs the C test programs of apk_workloads/testapp/test (used by the tests).

* host: the app's C sources + the fake NDK + scenarios, under ASan+UBSan or TSan
  (the TSan run creates and destroys windows while frames are drawn);
* packed: the ``libasuiteapp.so`` from the APK dlopen()ed by a driver (arm64 under
  qemu-aarch64, x86_64 natively), against the fake NDK built for that arch;
* layout: our NDK/JNI declarations against AOSP's headers.
Programs are cached by content hash like every other build output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from android_suite.apk.cache import TESTAPP_DIR, cache_root, cached_dir, digest, tree_parts
from android_suite.errors import ConfigError

SANITIZERS = {
    "asan": ("-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"),
    "tsan": ("-fsanitize=thread",),
}
HOSTED = ("-std=c11", "-D_GNU_SOURCE", "-DASUITE_HOSTED", "-O1", "-g", "-Wall", "-Wextra", "-Werror")
AARCH64_SYSROOT = Path("/usr/aarch64-linux-gnu")
JDK_INCLUDE = Path("/usr/lib/jvm/default-java/include")
AOSP_INCLUDE = Path("/usr/include/android")
_RESULT = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)


@dataclass(frozen=True)
class CResult:
    """What a C test program printed: its closing "N passed, N failed" line and the rest."""

    returncode: int
    passed: int
    failed: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.failed == 0 and self.passed > 0


def _key(*extra: str) -> str:
    return digest([*extra, *tree_parts(TESTAPP_DIR, ("src/*", "test/*.c", "test/*.h"))])


def _compile(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        raise ConfigError(f"testapp {what}: {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")


def host_program(sanitizer: str) -> Path:
    """The host test program built with ``sanitizer`` (``asan`` or ``tsan``)."""
    flags = SANITIZERS[sanitizer]
    gcc = shutil.which("gcc") or "gcc"
    src, test = TESTAPP_DIR / "src", TESTAPP_DIR / "test"

    def make(tmp: Path) -> None:
        sources = [*sorted(src.glob("*.c")), test / "fake_ndk.c", test / "test_core.c", test / "scenarios.c",
                   test / "host_main.c"]  # fmt: skip
        _compile([gcc, *HOSTED, *flags, "-fno-omit-frame-pointer", "-o", str(tmp / "host_test"),
                  *map(str, sources), "-lpthread"], f"host test ({sanitizer})")  # fmt: skip

    return cached_dir(_key("host", sanitizer, gcc), make, root=cache_root() / "ctest") / "host_test"


def run_program(argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 300) -> CResult:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout, env=env)
    text = done.stdout + done.stderr
    m = _RESULT.search(done.stdout)
    passed, failed = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    return CResult(done.returncode, passed, failed, text)


def run_host(sanitizer: str, rounds: int = 200) -> CResult:
    env = dict(os.environ)
    # Make any report fatal and visible: a sanitizer finding must fail the test, not just print.
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=23"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    env["TSAN_OPTIONS"] = "halt_on_error=1:exitcode=66:second_deadlock_stack=1"
    return run_program([str(host_program(sanitizer)), str(rounds)], env=env)


def qemu_available() -> bool:
    return (
        bool(shutil.which("qemu-aarch64") and shutil.which("aarch64-linux-gnu-gcc"))
        and (AARCH64_SYSROOT / "lib" / "libc.so.6").is_file()
    )


DRIVER_GCC = {"arm64-v8a": "aarch64-linux-gnu-gcc", "x86_64": "gcc"}


def driver_kit(abi: str = "arm64-v8a") -> Path:
    """The driver for ``abi``, a fake libandroid.so and SONAME-only libc/liblog/libdl shims."""
    gcc = shutil.which(DRIVER_GCC[abi]) or DRIVER_GCC[abi]
    test = TESTAPP_DIR / "test"

    def make(tmp: Path) -> None:
        (tmp / "shim").mkdir()
        (tmp / "fake").mkdir()
        empty = tmp / "empty.c"
        empty.write_text("void asuite_shim(void) {}\n")
        for lib in ("libc", "liblog", "libdl"):
            _compile([gcc, "-shared", "-fPIC", "-nostdlib", f"-Wl,-soname,{lib}.so", "-o",
                      str(tmp / "shim" / f"{lib}.so"), str(empty)], f"{lib}.so shim")  # fmt: skip
        # Separate folders: at link time -L must not see the libc.so shim (it would hide glibc's).
        _compile([gcc, *HOSTED, "-shared", "-fPIC", "-Wl,-soname,libandroid.so", "-o",
                  str(tmp / "fake" / "libandroid.so"), str(test / "fake_ndk.c"), "-lpthread"],
                 f"{abi} fake NDK")  # fmt: skip
        _compile([gcc, *HOSTED, "-o", str(tmp / "driver"), str(test / "qemu_driver.c"), str(test / "scenarios.c"),
                  f"-L{tmp / 'fake'}", "-landroid", "-ldl", "-lpthread"], f"{abi} driver")  # fmt: skip

    return cached_dir(_key("driver", abi, gcc), make, root=cache_root() / "ctest")


def run_packed(lib: Path, abi: str = "arm64-v8a", rounds: int = 20) -> CResult:
    """Drive the packed ``lib`` through its callbacks: arm64 under qemu-aarch64, x86_64 natively."""
    kit = driver_kit(abi)
    path = f"{kit / 'fake'}:{kit / 'shim'}"
    argv = [str(kit / "driver"), str(lib), str(rounds)]
    if abi == "arm64-v8a":
        return run_program(["qemu-aarch64", "-L", str(AARCH64_SYSROOT), "-E", f"LD_LIBRARY_PATH={path}", *argv])
    return run_program(argv, env=dict(os.environ, LD_LIBRARY_PATH=path))


def layout_outputs() -> tuple[str, str]:
    """(AOSP headers, our header) outputs of test/layout_probe.c."""
    test = TESTAPP_DIR / "test"
    gcc = shutil.which("gcc") or "gcc"

    def make(tmp: Path) -> None:
        _compile([gcc, "-D_GNU_SOURCE", "-DUSE_AOSP", f"-I{test / 'aosp_shim'}", f"-I{AOSP_INCLUDE}",
                  f"-I{JDK_INCLUDE}", f"-I{JDK_INCLUDE / 'linux'}", "-o", str(tmp / "aosp"),
                  str(test / "layout_probe.c")], "layout probe (AOSP headers)")  # fmt: skip
        _compile([gcc, "-o", str(tmp / "ours"), str(test / "layout_probe.c")], "layout probe (ours)")

    folder = cached_dir(_key("layout", gcc, str(AOSP_INCLUDE)), make, root=cache_root() / "ctest")
    outs = [subprocess.run([str(folder / n)], capture_output=True, text=True, check=True, timeout=30).stdout
            for n in ("aosp", "ours")]  # fmt: skip
    return outs[0], outs[1]
