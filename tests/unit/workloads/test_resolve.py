"""Resolving a workload's apps against a handset's packages: fallbacks, installs, drops."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from android_suite.errors import ConfigError, ParseError
from android_suite.workloads.definition import load_workload, parse_workload
from android_suite.workloads.resolve import parse_package_list, resolve_apps

ROOT = Path(__file__).resolve().parents[3]
PROFILES = ROOT / "android_suite" / "virtual" / "profiles"
SRC = Path("/w/r.toml")

TEXT = """
[workload]
name = "r"
min_apps = 2

[[apps]]
package = "com.google.android.GoogleCamera"
label = "Camera"
fallbacks = ["com.android.camera/com.android.camera.Camera", "com.sec.android.app.camera"]

[[apps]]
package = "com.android.chrome"
activity = "com.google.android.apps.chrome.Main"
label = "Chrome"

[[apps]]
package = "com.miui.gallery"
label = "Gallery"
fallbacks = ["com.android.camera"]
"""


def profile_packages(name: str) -> frozenset[str]:
    data = tomllib.loads((PROFILES / f"{name}.toml").read_text())
    return frozenset(p["name"] for p in data["packages"])


def test_primary_fallback_and_taken() -> None:
    w = parse_workload(TEXT, SRC)
    res = resolve_apps(w, {"com.android.camera", "com.android.chrome"})
    cam, chrome = res.apps
    assert (cam.package, cam.activity, cam.fallback) == ("com.android.camera", "com.android.camera.Camera", True)
    assert (chrome.package, chrome.activity, chrome.fallback) == (
        "com.android.chrome",
        "com.google.android.apps.chrome.Main",
        False,
    )
    (gallery,) = res.dropped
    assert gallery.spec.label == "Gallery"
    assert "com.android.camera (already used by Camera)" in gallery.reason
    assert res.require(w) is res


def test_nothing_installed_reports_each_app() -> None:
    w = parse_workload(TEXT, SRC)
    res = resolve_apps(w, set())
    assert res.apps == ()
    assert res.dropped[0].reason == (
        "not installed: com.google.android.GoogleCamera, com.android.camera, com.sec.android.app.camera"
    )
    with pytest.raises(ConfigError, match=r"r\.toml: only 0 of 3 apps .* 2 needed \(Camera: not installed"):
        res.require(w)


def test_apk_is_installed_when_no_candidate_is(tmp_path: Path) -> None:
    (tmp_path / "a.apk").write_bytes(b"PK")
    text = TEXT.replace('label = "Gallery"', 'label = "Gallery"\napk = "a.apk"')
    w = parse_workload(text, tmp_path / "w.toml")
    gallery = resolve_apps(w, set()).apps[0]
    assert (gallery.package, gallery.install) == ("com.miui.gallery", (tmp_path / "a.apk").resolve())
    # Installed already: no install needed.
    assert resolve_apps(w, {"com.miui.gallery"}).apps[0].install is None


@pytest.mark.parametrize(
    ("profile", "camera"),
    [("mediatek", "com.android.camera"), ("generic_arm", "com.google.android.GoogleCamera")],
)
def test_app_switch_on_virtual_profiles(profile: str, camera: str) -> None:
    w = load_workload(ROOT / "apk_workloads" / "app_switch.toml")
    res = resolve_apps(w, profile_packages(profile)).require(w)
    picked = {a.spec.label: a.package for a in res.apps}
    assert picked == {
        "Chrome": "com.android.chrome",
        "Maps": "com.google.android.apps.maps",
        "YouTube": "com.google.android.youtube",
        "Camera": camera,
        "Settings": "com.android.settings",
    }
    assert {d.spec.label for d in res.dropped} == {"Play Store", "Gmail", "Photos", "Calendar", "Clock", "Contacts"}
    assert all(d.reason.startswith("not installed: ") for d in res.dropped)


def test_parse_package_list_forms() -> None:
    text = (
        "package:com.android.chrome\r\n"
        "package:/data/app/~~x==/com.example.a-1/base.apk=com.example.a\n"
        "package:com.example.b  installer=com.android.vending\n"
        "\n"
        "package:com.exa"
    )
    assert parse_package_list(text) == {"com.android.chrome", "com.example.a", "com.example.b"}
    assert parse_package_list(b"") == frozenset()
    with pytest.raises(ParseError, match="pm list packages:2: unexpected line"):
        parse_package_list("package:a.b\nError: something\n")
