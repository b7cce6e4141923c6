"""The test-app APKs from fresh copies of the repository, twice: same bytes, every check passes.

Also the C side: the app's logic and glue against the fake NDK under ASan and
TSan, the packed arm64 library under qemu-aarch64, and our NDK/JNI layouts
against AOSP's headers.  Build outputs are cached by content hash, so a
second session on the same machine rebuilds nothing but the two fresh builds
(which use private caches on purpose).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from android_suite.apk import ctest
from android_suite.apk.build import BuiltApk, build_testapp_set
from android_suite.apk.checks import check_apk
from android_suite.apk.elf import parse_elf
from android_suite.apk.package import FRAMEWORK_RES
from android_suite.apk.signing import debug_key

ROOT = Path(__file__).resolve().parents[2]
NEEDED = ("aapt", "apksigner", "keytool", "gcc", "aarch64-linux-gnu-gcc")
COUNT = 2
Builds = list[tuple[Path, dict[str, str], list[dict[str, object]]]]  # (clone, env, `apk build --json` rows)


def _require_tools() -> None:
    missing = [t for t in NEEDED if shutil.which(t) is None]
    if missing or not FRAMEWORK_RES.is_file():
        pytest.skip(f"needs {' '.join(missing) or FRAMEWORK_RES}: ./suite setup installs them")


def _fresh_copy(dest: Path) -> Path:
    """What a clone holds of the parts the build reads (tracked and new files, nothing ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "android_suite", "apk_workloads",
         "pyproject.toml"],
        cwd=ROOT, capture_output=True, check=True, timeout=60,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)
    return dest


def _cli(clone: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from android_suite.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=clone, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def fresh_builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """Two builds, each from its own fresh copy with an empty cache, sharing one signing key."""
    _require_tools()
    base = tmp_path_factory.mktemp("apkbuild")
    key = debug_key(cache=base / "keycache")
    out = []
    for n in (1, 2):
        clone = _fresh_copy(base / f"clone{n}")
        env = dict(os.environ, PYTHONPATH=str(clone), ANDROID_SUITE_CACHE=str(base / f"cache{n}"),
                   ANDROID_SUITE_APK_KEYSTORE=str(key.keystore))  # fmt: skip
        done = _cli(clone, env, "apk", "build", "--count", str(COUNT), "--out", str(base / f"out{n}"), "--json")
        assert done.returncode == 0, done.stderr
        out.append((clone, env, json.loads(done.stdout)))
    return out


def test_two_fresh_builds_are_byte_identical(fresh_builds: Builds) -> None:
    (_, _, first), (_, _, second) = fresh_builds
    assert [a["package"] for a in first] == ["org.androidsuite.testapp.a01", "org.androidsuite.testapp.a02"]
    assert [a["sha256"] for a in first] == [a["sha256"] for a in second]
    for a, b in zip(first, second, strict=True):
        assert a["path"] != b["path"]
        assert Path(str(a["path"])).read_bytes() == Path(str(b["path"])).read_bytes()
    assert len({a["sha256"] for a in first}) == COUNT  # variants differ


def test_every_check_passes(fresh_builds: Builds) -> None:
    clone, env, apks = fresh_builds[0]
    paths = [str(a["path"]) for a in apks]
    done = _cli(clone, env, "apk", "check", *paths)
    assert done.returncode == 0, done.stdout + done.stderr
    for path in paths:
        results = check_apk(Path(path))
        assert [c for c in results if not c.ok] == []
        names = {c.name for c in results}
        assert {"signature", "hasCode", "lib_name", "alignment", "elf arm64-v8a", "elf x86_64"} <= names


def test_settings_in_the_apk_match_what_build_reports(fresh_builds: Builds) -> None:
    for apk in fresh_builds[0][2]:
        with zipfile.ZipFile(str(apk["path"])) as zf:
            lines = zf.read("assets/asuite.conf").decode().splitlines()
        conf = dict(ln.split("=", 1) for ln in lines if ln and not ln.startswith("#"))
        assert conf == apk["settings"]


@pytest.fixture(scope="module")
def built_set() -> list[BuiltApk]:
    """The set in the machine's cache (built once per content hash): what handsets install."""
    _require_tools()
    return build_testapp_set(COUNT)


def test_a_broken_apk_fails_its_checks(built_set: list[BuiltApk], tmp_path: Path) -> None:
    broken = tmp_path / "broken.apk"
    data = bytearray(built_set[0].path.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside the stored arm64 library: the v2/v3 digests no longer match
    broken.write_bytes(bytes(data))
    failed = {c.name for c in check_apk(broken) if not c.ok}
    assert "signature" in failed


@pytest.mark.parametrize("sanitizer", ["asan", "tsan"])
def test_c_logic_and_glue_under_sanitizers(sanitizer: str) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    result = ctest.run_host(sanitizer, rounds=200)
    assert result.ok, result.output
    assert result.passed >= 100


@pytest.mark.parametrize("abi", ["arm64-v8a", "x86_64"])
def test_packed_library_runs_through_its_callbacks(built_set: list[BuiltApk], abi: str, tmp_path: Path) -> None:
    """arm64 under qemu-aarch64 (when available), x86_64 natively: the library as packed in the APK."""
    if abi == "arm64-v8a" and not ctest.qemu_available():
        pytest.skip("needs qemu-aarch64, aarch64-linux-gnu-gcc and libc6-dev-arm64-cross")
    if abi == "x86_64" and os.uname().machine != "x86_64":
        pytest.skip("x86_64 library runs natively on x86_64 hosts only")
    lib = tmp_path / "libasuiteapp.so"
    with zipfile.ZipFile(built_set[0].path) as zf:
        lib.write_bytes(zf.read(f"lib/{abi}/libasuiteapp.so"))
    result = ctest.run_packed(lib, abi, rounds=20)
    assert result.ok, result.output
    assert result.passed >= 30


def test_our_ndk_declarations_match_aosp_headers() -> None:
    if not (ctest.AOSP_INCLUDE / "android" / "native_activity.h").is_file() or not ctest.JDK_INCLUDE.is_dir():
        pytest.skip("needs android-platform-frameworks-native-headers and a JDK's jni.h")
    aosp, ours = ctest.layout_outputs()
    aosp_lines, our_lines = aosp.splitlines(), set(ours.splitlines())
    assert len(aosp_lines) >= 35
    assert [ln for ln in aosp_lines if ln not in our_lines] == []
    # Not in Debian's AOSP headers: the NDK's documented LP64 layout of ANativeWindow_Buffer.
    assert {
        "sizeof ANativeWindow_Buffer 48", "ANativeWindow_Buffer.stride 8 4", "ANativeWindow_Buffer.bits 16 8",
        "WINDOW_FORMAT_RGBX_8888 2",
    } <= our_lines  # fmt: skip


def test_our_elf_reader_agrees_with_readelf(built_set: list[BuiltApk], tmp_path: Path) -> None:
    tools = {"arm64-v8a": "aarch64-linux-gnu-readelf", "x86_64": "readelf"}
    with zipfile.ZipFile(built_set[0].path) as zf:
        for abi, tool in tools.items():
            if shutil.which(tool) is None:
                continue
            lib = tmp_path / f"{abi}.so"
            lib.write_bytes(zf.read(f"lib/{abi}/libasuiteapp.so"))
            info = parse_elf(lib.read_bytes())
            dyn = subprocess.run([tool, "-dW", str(lib)], capture_output=True, text=True, check=True, timeout=60).stdout
            assert tuple(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dyn)) == info.needed
            assert re.findall(r"\(SONAME\)\s+Library soname: \[(.+?)\]", dyn) == [info.soname]
            syms = subprocess.run(
                [tool, "--dyn-syms", "-W", str(lib)], capture_output=True, text=True, check=True, timeout=60
            ).stdout
            defined = sorted(
                f[7]
                for f in (ln.split() for ln in syms.splitlines())
                if len(f) >= 8 and f[6] != "UND" and f[4] == "GLOBAL"
            )
            assert tuple(defined) == info.exports == ("ANativeActivity_onCreate",)


def test_the_apps_real_log_lines_parse_without_issues() -> None:
    """The contract from the other side: what the C code prints, the suite's logcat parser reads."""
    from android_suite.parsers.testapp_log import parse_testapp_log

    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    env = dict(os.environ, FAKE_NDK_ECHO="1", ASAN_OPTIONS="detect_leaks=1")
    result = ctest.run_program([str(ctest.host_program("asan")), "5"], env=env)
    assert result.ok, result.output
    prefix = "I/ASuiteApp: "
    messages = [ln[len(prefix) :] for ln in result.output.splitlines() if ln.startswith(prefix)]
    threadtime = "".join(
        f"11-25 22:45:{i % 60:02d}.123  4321  4333 I ASuiteApp: {m}\r\n" for i, m in enumerate(messages)
    )
    log = parse_testapp_log(threadtime)
    assert log.issues == ()
    assert log.starts and log.resumes and log.frame_batches and log.pauses and log.stops
    assert len(log.errors) == 3  # the bad-settings scenario's three, nothing else
