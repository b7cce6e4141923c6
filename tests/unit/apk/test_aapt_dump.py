"""aapt dump parsers on golden output captured from a built test APK."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.apk.aapt_dump import is_false, parse_badging, parse_xmltree
from android_suite.errors import ParseError

DATA = Path(__file__).resolve().parents[2] / "data" / "apk"


def test_badging_of_the_test_app() -> None:
    b = parse_badging((DATA / "badging_a01.txt").read_text())
    assert b.package == "org.androidsuite.testapp.a01"
    assert b.version_code == "1"
    assert (b.sdk_version, b.target_sdk_version) == ("24", "34")
    assert b.label == "ASuite A01"
    assert b.launchable_activity == "android.app.NativeActivity"
    assert b.native_code == ("arm64-v8a", "x86_64")


def test_badging_without_a_package_line_is_an_error() -> None:
    with pytest.raises(ParseError):
        parse_badging("sdkVersion:'24'\n")


def test_xmltree_gives_elements_and_attribute_values() -> None:
    elements = parse_xmltree((DATA / "xmltree_a01.txt").read_text())
    names = [e.name for e in elements]
    assert names[:3] == ["manifest", "uses-sdk", "application"]
    app = elements[2]
    assert is_false(app.attrs["android:hasCode"])
    assert is_false(app.attrs["android:extractNativeLibs"])
    meta = next(e for e in elements if e.name == "meta-data")
    assert meta.attrs == {"android:name": "android.app.lib_name", "android:value": "asuiteapp"}
    activity = next(e for e in elements if e.name == "activity")
    assert activity.attrs["android:name"] == "android.app.NativeActivity"
    assert activity.depth > app.depth


def test_is_false_only_for_the_false_literal() -> None:
    assert is_false("(type 0x12)0x0")
    assert not is_false("(type 0x12)0xffffffff")
    assert not is_false(None)
