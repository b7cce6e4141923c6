"""The binary-XML reader and the resources.arsc string lookup on aapt's own output, and on broken input."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from android_suite.virtual.framework.apkfile import InstallFailure, parse_apk, parse_settings
from android_suite.virtual.framework.arsc import resolve_string
from android_suite.virtual.framework.axml import AxmlError, parse_axml
from tests.helpers.testapk import FixtureApk, build_apk

PKG = "org.androidsuite.testapp.a05"


@pytest.fixture(scope="module")
def apk(tmp_path_factory: pytest.TempPathFactory) -> FixtureApk:
    out = tmp_path_factory.mktemp("axml")
    return build_apk(out, PKG, label="ASuite A05", label_resource=True, settings={"anon_mb": "80"}, version=7)


def manifest(apk: FixtureApk) -> bytes:
    with zipfile.ZipFile(apk.path) as zf:
        return zf.read("AndroidManifest.xml")


def test_tree_attributes_by_resource_id(apk: FixtureApk) -> None:
    root = parse_axml(manifest(apk))
    assert root.tag == "manifest" and root.attrs["package"] == PKG and root.attrs["android:versionCode"] == 7
    app = root.find("application")
    assert app is not None and app.attrs["android:hasCode"] is False
    label = app.attrs["android:label"]
    assert isinstance(label, str) and label.startswith("@0x7f")
    activity = app.find("activity")
    assert activity is not None and activity.attrs["android:name"] == "android.app.NativeActivity"
    meta = activity.find("meta-data")
    assert meta is not None and meta.attrs == {"android:name": "android.app.lib_name", "android:value": "asuiteapp"}
    sdk = root.find("uses-sdk")
    assert sdk is not None and sdk.attrs == {"android:minSdkVersion": 26, "android:targetSdkVersion": 34}


def test_label_resource_resolves_to_the_default_configuration(apk: FixtureApk) -> None:
    info = parse_apk(apk.path.read_bytes())
    assert (info.label, info.version_code, info.settings["anon_mb"]) == ("ASuite A05", 7, "80")
    with zipfile.ZipFile(apk.path) as zf:
        arsc = zf.read("resources.arsc")
    assert resolve_string(arsc, 0x7F7F0000) is None  # no such type
    assert resolve_string(b"junk", 0x7F020000) is None


@pytest.mark.parametrize("cut", [4, 12, 100, -40])
def test_cut_or_garbled_manifests_raise_axml_error(apk: FixtureApk, cut: int) -> None:
    data = manifest(apk)
    broken = data[:cut] if cut > 0 else data[:8] + b"\xff" * 40 + data[48:]
    with pytest.raises(AxmlError):
        parse_axml(broken)


def test_wrong_magic_and_unclosed_elements() -> None:
    with pytest.raises(AxmlError, match="not binary XML"):
        parse_axml(b"<?xml version='1.0'?><manifest/>")
    data = struct.pack("<HHI", 0x0003, 8, 8)
    with pytest.raises(AxmlError, match="no element"):
        parse_axml(data)


def test_a_compressed_resources_arsc_is_refused_for_target_30(tmp_path: Path) -> None:
    bad = build_apk(tmp_path, "org.example.arsc", label_resource=True, store_arsc=False)
    with pytest.raises(InstallFailure) as info:
        parse_apk(bad.path.read_bytes())
    assert info.value.code == "INSTALL_PARSE_FAILED_RESOURCES_ARSC_COMPRESSED"


def test_a_text_manifest_is_refused_as_malformed(tmp_path: Path) -> None:
    path = tmp_path / "text.apk"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("AndroidManifest.xml", "<manifest package='a.b'/>")
    with pytest.raises(InstallFailure) as info:
        parse_apk(path.read_bytes())
    assert info.value.code == "INSTALL_PARSE_FAILED_MANIFEST_MALFORMED"


def test_settings_lines() -> None:
    text = "# comment\nanon_mb = 64\n\nratio=0.5\r\nbad line\nanon_mb=96\n"
    assert parse_settings(text) == {"anon_mb": "96", "ratio": "0.5"}
