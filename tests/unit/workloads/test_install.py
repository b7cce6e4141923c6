"""The workload install step against the strict FakeTransport: install what is missing or different, undo ours."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.device.device import Device
from android_suite.device.fake import FakeTransport
from android_suite.errors import CommandError
from android_suite.workloads.install import (
    ApkToInstall,
    ensure_installed,
    parse_pm_path,
    parse_sha256sum,
    uninstall_ours,
)

A, B = "org.androidsuite.testapp.a01", "org.androidsuite.testapp.a02"
SHA_A, SHA_B, OLD = "a" * 64, "b" * 64, "0" * 64
PATH_A = "/data/app/~~x==/org.androidsuite.testapp.a01-y==/base.apk"
PATH_B = "/data/app/~~p==/org.androidsuite.testapp.a02-q==/base.apk"


@pytest.fixture
def fake() -> Iterator[FakeTransport]:
    t = FakeTransport()
    yield t
    t.assert_all_consumed()


@pytest.fixture
def apks(tmp_path: Path) -> list[ApkToInstall]:
    out = []
    for pkg, sha in ((A, SHA_A), (B, SHA_B)):
        path = tmp_path / f"{pkg}.apk"
        path.write_bytes(b"PK")
        out.append(ApkToInstall(pkg, path, sha))
    return out


def expect_install(fake: FakeTransport, pkg: str, reply: str = "Success\n", code: int = 0) -> None:
    remote = f"/data/local/tmp/asuite-{pkg}.apk"
    fake.expect_push(remote)
    fake.expect(["pm", "install", "-r", "-t", "-d", remote], reply, exit_code=code)
    fake.expect(["rm", "-f", remote])


def test_same_bytes_stay_missing_and_different_ones_are_installed(
    fake: FakeTransport, apks: list[ApkToInstall]
) -> None:
    fake.expect(["pm", "path", A], f"package:{PATH_A}\n")
    fake.expect(["sha256sum", PATH_A], f"{SHA_A}  {PATH_A}\n")
    fake.expect(["pm", "path", B], "", exit_code=1)
    expect_install(fake, B)
    done = ensure_installed(Device(fake), apks)
    assert [(r.package, r.action) for r in done] == [(A, "present"), (B, "installed")]
    fake.expect(["pm", "uninstall", B], "Success\n")
    assert uninstall_ours(Device(fake), done) == [B]  # A was there before: left alone


def test_another_build_is_replaced_and_kept_afterwards(fake: FakeTransport, apks: list[ApkToInstall]) -> None:
    fake.expect(["pm", "path", A], f"package:{PATH_A}\n")
    fake.expect(["sha256sum", PATH_A], f"{OLD}  {PATH_A}\n")
    expect_install(fake, A)
    done = ensure_installed(Device(fake), apks[:1])
    assert done[0].action == "replaced" and done[0].previous_sha256 == OLD
    assert uninstall_ours(Device(fake), done) == []


def test_a_refusal_names_the_code_and_undoes_what_was_installed(fake: FakeTransport, apks: list[ApkToInstall]) -> None:
    fake.expect(["pm", "path", A], "", exit_code=1)
    expect_install(fake, A)
    fake.expect(["pm", "path", B], "", exit_code=1)
    expect_install(fake, B, "Failure [INSTALL_FAILED_NO_MATCHING_ABIS: Failed to extract native libraries]\n", 1)
    fake.expect(["pm", "uninstall", A], "Success\n")
    with pytest.raises(CommandError) as info:
        ensure_installed(Device(fake), apks)
    assert "INSTALL_FAILED_NO_MATCHING_ABIS" in info.value.message
    assert "ABI" in info.value.hint


def test_output_parsers() -> None:
    split = "package:/data/app/x/split_config.arm64_v8a.apk\npackage:/data/app/x/base.apk\n"
    assert parse_pm_path(split) == "/data/app/x/base.apk"
    assert parse_pm_path("") is None
    assert parse_sha256sum(f"{SHA_A}  /x\n") == SHA_A
    assert parse_sha256sum("sha256sum: /x: Permission denied\n") is None
