"""Handset profiles: the shipped data files and load-time validation."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from android_suite.errors import ConfigError
from android_suite.virtual.profile import list_profiles, load_profile, parse_profile, profiles_dir


def raw(name: str) -> dict[str, Any]:
    return tomllib.loads((profiles_dir() / f"{name}.toml").read_text())


def test_shipped_profiles_load() -> None:
    assert {"mediatek", "generic_arm"} <= set(list_profiles())
    for name in list_profiles():
        profile = load_profile(name)
        assert profile.name == name
        # Phones have 8 cores; a QEMU guest's CPUs are its [qemu] cpus.
        assert profile.cores == (profile.qemu.cpus if profile.qemu else 8)
        assert profile.adb_features == ("shell_v2", "cmd")


def test_mediatek_profile() -> None:
    p = load_profile("mediatek")
    expected = {
        "ro.soc.manufacturer": "Mediatek",
        "ro.soc.model": "MT6895",
        "ro.board.platform": "mt6895",
        "ro.hardware": "mt6895",
        "ro.mediatek.platform": "MT6895",
        "ro.build.version.release": "14",
        "ro.build.version.sdk": "34",
        "ro.build.type": "userdebug",
        "ro.debuggable": "1",
        "ro.product.cpu.abi": "arm64-v8a",
        "ro.boot.slot_suffix": "_a",
    }
    assert {k: p.props[k] for k in expected} == expected
    assert p.kernel.release.startswith("6.1.") and "-android14-" in p.kernel.release
    assert p.kernel.has_kcompressd
    assert [(c.count, c.part) for c in p.clusters] == [(4, "0xd05"), (4, "0xd41")]
    assert p.adbd_root and p.has_su
    assert 7 * 1024 * 1024 < p.mem_total_kb < 8 * 1024 * 1024
    assert p.swap_total_kb > 0
    assert p.packages


def test_generic_arm_profile() -> None:
    p = load_profile("generic_arm")
    assert (p.props["ro.soc.manufacturer"], p.props["ro.soc.model"]) == ("QTI", "SM8550")
    assert (p.props["ro.board.platform"], p.props["ro.hardware"]) == ("kalama", "qcom")
    assert p.props["ro.build.type"] == "user"
    assert p.kernel.release.startswith("5.15.")
    assert not (p.adbd_root or p.has_su or p.kernel.has_kcompressd)


def test_load_by_path_and_variant(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text((profiles_dir() / "mediatek.toml").read_text())
    assert load_profile(path).name == "mediatek"
    assert load_profile(str(path)).with_features(["cmd"]).adb_features == ("cmd",)


def _mutate(base: str, change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw(base))
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["props"].pop("ro.product.model"), "lacks required property 'ro.product.model'"),
        (lambda d: d["props"].update({"ro.build.version.sdk": "fourteen"}), "must be an integer"),
        (lambda d: d["props"].update({"ro.build.type": "debug"}), "ro.build.type must be one of"),
        (lambda d: d["props"].update({"ro.debuggable": 1}), "quote numbers"),
        (lambda d: d.update({"boot_secs": 3}), "unknown key(s) boot_secs"),
        (lambda d: d["kernel"].update({"kcompressd": True}), "unknown key(s) kcompressd"),
        (lambda d: d["cpu"]["clusters"][0].update({"count": 0}), "must be >= 1"),
        (lambda d: d["cpu"]["clusters"][0].update({"count": True}), "expected int"),
        (lambda d: d["cpu"]["clusters"][0].update({"part": "A55"}), "hex string"),
        (lambda d: d["cpu"].update({"clusters": []}), "at least one entry"),
        (lambda d: d.pop("kernel"), "missing required key 'kernel'"),
        (lambda d: d["screen"].update({"width": "1080"}), "expected int"),
        (lambda d: d.update({"adb_features": ["shell_v2,cmd"]}), "not a feature name"),
        (lambda d: d.update({"boot_seconds": -1}), "boot_seconds must be >= 0"),
    ],
)
def test_validation_errors(change: Any, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_profile(_mutate("mediatek", change), "mediatek.toml")
    assert message in str(info.value)
    assert "mediatek.toml" in str(info.value)


def test_user_build_cannot_be_rooted() -> None:
    with pytest.raises(ConfigError, match="'user' build cannot have adbd_root or has_su"):
        parse_profile(_mutate("generic_arm", lambda d: d.update({"has_su": True})))


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no handset profile 'nosuch'"):
        load_profile("nosuch")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [unclosed")
    with pytest.raises(ConfigError, match="cannot read profile"):
        load_profile(bad)
