"""pm install / cmd package install / pm uninstall on the package manager model, with aapt-built APKs."""

from __future__ import annotations

import asyncio
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from android_suite.virtual.api import ServiceLog
from android_suite.virtual.commands import am, logcat, package, pm
from android_suite.virtual.commands.context import CommandContext, ShellState
from android_suite.virtual.framework import Framework
from android_suite.virtual.vfs import VirtualFS
from tests.helpers.testapk import FixtureApk, build_apk
from tests.unit.virtual.framework.fakes import make

TABLE = {**am.COMMANDS, **pm.COMMANDS, **package.COMMANDS, **logcat.COMMANDS}
PKG = "org.androidsuite.testapp.a01"


@dataclass
class Services:
    framework: Framework
    fs: VirtualFS = field(default_factory=VirtualFS)
    log: ServiceLog = field(default_factory=ServiceLog)


class StdinIO:
    def __init__(self, stdin: bytes = b"") -> None:
        self.stdin, self.out, self.err = stdin, "", ""

    async def write_out(self, data: bytes) -> None:
        self.out += data.decode()

    async def write_err(self, data: bytes) -> None:
        self.err += data.decode()

    async def read_stdin(self, n: int = 65536) -> bytes:
        chunk, self.stdin = self.stdin[:n], self.stdin[n:]
        return chunk


def run(services: Services, *argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
    io = StdinIO(stdin)

    async def nested(command: str, io: object, uid: int) -> int:
        raise AssertionError("no nested shells")

    ctx = CommandContext(list(argv), io, {}, ShellState(), services, nested, TABLE)  # type: ignore[arg-type]
    status = asyncio.run(TABLE[argv[0]](ctx))
    assert not services.log.unknown_commands, services.log.unknown_commands
    return status, io.out, io.err


@pytest.fixture(scope="module")
def apk(tmp_path_factory: pytest.TempPathFactory) -> FixtureApk:
    return build_apk(tmp_path_factory.mktemp("apk"), PKG, label="ASuite A01", settings={"anon_mb": "48"})


@pytest.fixture
def pm_handset() -> Services:
    fw, _, _ = make()
    return Services(fw)


def push(s: Services, apk: Path, to: str = "/data/local/tmp/a.apk") -> str:
    s.fs.mkdir("/data/local/tmp", parents=True)
    s.fs.write(to, apk.read_bytes())
    return to


def test_pm_install_registers_the_package_from_its_manifest(pm_handset: Services, apk: FixtureApk) -> None:
    assert run(pm_handset, "pm", "install", "-r", "-t", push(pm_handset, apk.path)) == (0, "Success\n", "")
    status, out, _ = run(pm_handset, "pm", "list", "packages", "-3")
    assert f"package:{PKG}\n" in out
    app = pm_handset.framework.apps[PKG]
    assert app.label == "ASuite A01" and app.activity == "android.app.NativeActivity"
    assert app.native is not None and app.native.is_test_app and app.native.has_lib
    assert app.native.conf["anon_mb"] == "48"
    status, out, _ = run(pm_handset, "pm", "path", PKG)
    assert status == 0 and out.startswith("package:/data/app/~~") and out.endswith("/base.apk\n")
    # The installed file is the APK's bytes: pm path + sha256sum tell an install step what is there.
    status, out, _ = run(pm_handset, "sha256sum", out.strip().removeprefix("package:"))
    assert out.split()[0] == apk.sha256


def test_streamed_install_reads_exactly_the_announced_size(pm_handset: Services, apk: FixtureApk) -> None:
    data = apk.path.read_bytes()
    # adb's exec: stream never half-closes: bytes after the APK must not be read as part of it.
    status, out, _ = run(pm_handset, "cmd", "package", "install", "-S", str(len(data)), stdin=data + b"trailing")
    assert (status, out) == (0, "Success\n")
    status, out, _ = run(pm_handset, "cmd", "package", "install", "-S", str(len(data)), stdin=data[:100])
    assert status == 1 and out.startswith("Failure [INSTALL_FAILED_INVALID_APK")


def test_install_survives_a_reboot_and_uninstall_removes_it(pm_handset: Services, apk: FixtureApk) -> None:
    run(pm_handset, "pm", "install", push(pm_handset, apk.path))
    path = pm_handset.framework.apps[PKG].apk_path
    boot = ["b1"]
    pm_handset.framework._boot_id = lambda: boot[0]  # type: ignore[method-assign]
    boot[0] = "b2"
    pm_handset.framework.sync()
    assert PKG in pm_handset.framework.apps
    assert run(pm_handset, "pm", "uninstall", PKG) == (0, "Success\n", "")
    assert PKG not in pm_handset.framework.apps and pm_handset.fs.stat(path) is None
    assert run(pm_handset, "pm", "uninstall", PKG) == (1, "Failure [DELETE_FAILED_INTERNAL_ERROR]\n", "")
    assert run(pm_handset, "pm", "path", PKG)[0] == 1


def test_update_keeps_the_uid_and_refuses_a_downgrade(pm_handset: Services, tmp_path: Path) -> None:
    v2 = build_apk(tmp_path, PKG, version=2)
    assert run(pm_handset, "pm", "install", push(pm_handset, v2.path))[0] == 0
    uid = pm_handset.framework.apps[PKG].uid
    (tmp_path / "old").mkdir()
    v1 = build_apk(tmp_path / "old", PKG, version=1)
    status, out, _ = run(pm_handset, "pm", "install", push(pm_handset, v1.path))
    assert status == 1 and "INSTALL_FAILED_VERSION_DOWNGRADE" in out
    assert run(pm_handset, "pm", "install", "-d", push(pm_handset, v1.path))[0] == 0
    assert pm_handset.framework.apps[PKG].uid == uid


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"sign": False}, "INSTALL_PARSE_FAILED_NO_CERTIFICATES"),
        ({"min_sdk": 99}, "INSTALL_FAILED_OLDER_SDK"),
        ({"target_sdk": 22, "min_sdk": 21}, "INSTALL_FAILED_DEPRECATED_SDK_VERSION"),
        ({"has_code": True}, "INSTALL_FAILED_INVALID_APK"),
        ({"abis": ("mips",)}, "INSTALL_FAILED_NO_MATCHING_ABIS"),
        ({"app_extra": ' android:testOnly="true"'}, "INSTALL_FAILED_TEST_ONLY"),
    ],
)
def test_bad_apks_are_refused_with_androids_codes(
    pm_handset: Services, tmp_path: Path, kwargs: dict[str, object], code: str
) -> None:
    bad = build_apk(tmp_path, "org.example.bad", **kwargs)  # type: ignore[arg-type]
    status, out, _ = run(pm_handset, "pm", "install", push(pm_handset, bad.path))
    assert status == 1 and out.startswith(f"Failure [{code}"), out
    assert "org.example.bad" not in pm_handset.framework.apps


def test_not_a_zip_and_a_missing_file(pm_handset: Services, tmp_path: Path) -> None:
    junk = tmp_path / "junk.apk"
    junk.write_bytes(b"not a zip at all")
    status, out, _ = run(pm_handset, "pm", "install", push(pm_handset, junk))
    assert status == 1 and out.startswith("Failure [INSTALL_PARSE_FAILED_NOT_APK")
    status, _, err = run(pm_handset, "pm", "install", "/data/local/tmp/none.apk")
    assert status == 1 and "Unable to open file" in err


def test_manifest_without_manifest_file(pm_handset: Services, tmp_path: Path) -> None:
    empty = tmp_path / "empty.apk"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("classes.dex", b"dex")
    status, out, _ = run(pm_handset, "pm", "install", push(pm_handset, empty))
    assert status == 1 and out.startswith("Failure [INSTALL_PARSE_FAILED_BAD_MANIFEST")


def test_a_full_data_partition_rolls_the_install_back(pm_handset: Services, apk: FixtureApk) -> None:
    path = push(pm_handset, apk.path)
    pm_handset.fs.full_check = lambda p: p.startswith("/data/app/")
    assert run(pm_handset, "pm", "install", path) == (1, "Failure [INSTALL_FAILED_INSUFFICIENT_STORAGE]\n", "")
    assert PKG not in pm_handset.framework.apps
