"""The real adb CLI and adbutils against virtual handsets, through the real adb server."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import adbutils
import pytest

from android_suite.session import HandsetSession, Target

pytestmark = pytest.mark.virtual_only


def adb(session: HandsetSession, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    assert session.server is not None
    return subprocess.run(
        [session.server.adb_path, "-P", str(session.adb_port), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_getprop_model_matches_profile(handset: Target, handset_session: HandsetSession) -> None:
    assert handset.virtual is not None
    r = adb(handset_session, "-s", handset.serial, "shell", "getprop", "ro.product.model")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == handset.virtual.model


def test_shell_false_exits_1(handset: Target, handset_session: HandsetSession) -> None:
    r = adb(handset_session, "-s", handset.serial, "shell", "false")
    assert r.returncode == 1
    r = adb(handset_session, "-s", handset.serial, "shell", "exit 42")
    assert r.returncode == 42


def test_push_pull_5mb_round_trip(handset: Target, handset_session: HandsetSession, tmp_path: Path) -> None:
    src = tmp_path / "blob.bin"
    src.write_bytes(os.urandom(5 * 1024 * 1024))
    r = adb(handset_session, "-s", handset.serial, "push", str(src), "/data/local/tmp/blob.bin", timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    back = tmp_path / "back.bin"
    r = adb(handset_session, "-s", handset.serial, "pull", "/data/local/tmp/blob.bin", str(back), timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert hashlib.sha256(back.read_bytes()).digest() == hashlib.sha256(src.read_bytes()).digest()


def test_adbutils_shell2_exit_codes(handset: Target, handset_session: HandsetSession) -> None:
    client = adbutils.AdbClient(host="127.0.0.1", port=handset_session.adb_port)
    d = client.device(handset.serial)
    assert d.shell2("false", v2=True, timeout=10).returncode == 1
    r = d.shell2(["sh", "-c", "echo out; echo err >&2; exit 3"], v2=True, timeout=10)
    assert (r.returncode, r.stdout, r.stderr) == (3, "out\n", "err\n")
    # The v1 marker form (what uiautomator2's shell() uses).
    assert d.shell2("false", timeout=10).returncode == 1


def test_devices_json_lists_both_profiles(handset_session: HandsetSession) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "android_suite.cli", "devices", "--json", "--adb-port", str(handset_session.adb_port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    rows = {row["serial"]: row for row in json.loads(r.stdout)}
    expected = {"mediatek": "MediaTek", "generic_arm": "Qualcomm"}
    for t in handset_session.targets:
        assert t.virtual is not None
        row = rows[t.serial]
        assert row["state"] == "device"
        assert row["soc_vendor"] == expected[t.virtual.profile], row
        assert row["kind"] == "virtual-sim"
