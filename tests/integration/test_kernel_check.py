"""``android-suite kernel-check`` against virtual handsets' /proc/config.gz, through the real adb server."""

from __future__ import annotations

import json

import pytest

from android_suite.cli import main
from android_suite.session import HandsetSession, Target


def kernel_check(
    capsys: pytest.CaptureFixture[str], handset: Target, session: HandsetSession, *args: str
) -> tuple[int, str, str]:
    argv = ["kernel-check", "--serial", handset.serial, "--adb-port", str(session.adb_port), *args]
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def factory_fragment(handset: Target) -> str:
    """The kcompressd fragment a profile's factory kernel satisfies (profiles/*.toml)."""
    assert handset.virtual is not None
    return {"mediatek": "kcompressd-sysctl", "generic_arm": "kcompressd-off"}[handset.virtual.profile]


@pytest.mark.virtual_only
def test_factory_kernel_matches_its_fragments(
    capsys: pytest.CaptureFixture[str], handset: Target, handset_session: HandsetSession
) -> None:
    wanted = factory_fragment(handset)
    code, out, _ = kernel_check(capsys, handset, handset_session, "--fragments", wanted, "psi", "ikconfig", "--strict")
    assert code == 0, out
    assert f"/proc/config.gz on {handset.serial}" in out
    assert f"{wanted}: 5/5 match (satisfied)" in out
    assert "CONFIG_KCOMPRESSD *" in out  # markers are labelled


@pytest.mark.virtual_only
def test_mismatches_fail_only_with_strict(
    capsys: pytest.CaptureFixture[str], handset: Target, handset_session: HandsetSession
) -> None:
    code, out, _ = kernel_check(capsys, handset, handset_session, "--fragments", "kcompressd-on", "mglru")
    assert code == 0
    assert "mglru: 0/2 match (0 mismatch, 2 missing)" in out
    code, out, _ = kernel_check(capsys, handset, handset_session, "--fragments", "kcompressd-on", "--strict", "--json")
    assert code == 1
    report = json.loads(out)
    assert not report["ok"]
    assert any(r["status"] != "match" for r in report["rows"])  # missing or mismatched


@pytest.mark.virtual_only
def test_truncated_config_is_reported_not_misread(
    capsys: pytest.CaptureFixture[str], handset: Target, handset_session: HandsetSession
) -> None:
    assert handset.control is not None and handset.virtual is not None
    handset.control.set_faults(handset.virtual.name, truncate_file="/proc/config.gz", truncate_bytes=40)
    try:
        code, _, err = kernel_check(capsys, handset, handset_session, "--fragments", "psi")
    finally:
        handset.control.clear_faults(handset.virtual.name)
    assert code == 2
    assert "not a complete gzip stream" in err
