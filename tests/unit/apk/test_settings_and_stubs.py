"""Variants, manifest and settings text, symbol lists and stub sources, cache keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from android_suite.apk.build import variants
from android_suite.apk.cache import cached_dir, digest
from android_suite.apk.native import STUB_LIBS, read_symbols, stub_source
from android_suite.apk.package import conf_text, manifest_text, strings_xml
from android_suite.cli import build_parser
from android_suite.errors import ConfigError

STUBS = Path(__file__).resolve().parents[3] / "apk_workloads" / "testapp" / "stubs"


def test_variants_follow_the_contract() -> None:
    vs = variants(5)
    assert [v.package for v in vs] == [f"org.androidsuite.testapp.a0{i}" for i in range(1, 6)]
    assert vs[0].label == "ASuite A01"
    assert [v.settings["anon_mb"] for v in vs] == ["64", "96", "128", "192", "64"]
    assert [v.settings["anon_mb"] for v in variants(3, [10, 20])] == ["10", "20", "10"]
    assert set(vs[0].settings) == {"anon_mb", "ratio", "touch_pct", "frame_work_us", "fps"}


@pytest.mark.parametrize(("count", "anon"), [(0, None), (100, None), (2, []), (2, [-1]), (1, [70000])])
def test_bad_variant_requests_are_config_errors(count: int, anon: list[int] | None) -> None:
    with pytest.raises(ConfigError):
        variants(count, anon)


def test_manifest_and_resources_text() -> None:
    v = variants(12)[11]
    manifest = manifest_text(v)
    assert 'package="org.androidsuite.testapp.a12"' in manifest
    assert 'android:hasCode="false"' in manifest and 'android:value="asuiteapp"' in manifest
    assert "${" not in manifest
    for comment in re.findall(r"<!--(.*?)-->", manifest, re.S):
        assert "--" not in comment  # aapt rejects it as not well-formed
    assert "targetSdkVersion" not in manifest  # aapt's --target-sdk-version would not override it
    assert ">ASuite A12<" in strings_xml(v)
    conf = conf_text(v).splitlines()
    assert conf[0].startswith("#") and conf[1:] == [
        "anon_mb=192", "ratio=0.6", "touch_pct=50", "frame_work_us=2000", "fps=0",
    ]  # fmt: skip


def test_symbol_lists_parse_and_respect_min_sdk(tmp_path: Path) -> None:
    for lib in STUB_LIBS:
        assert read_symbols(STUBS / f"{lib}.syms"), lib
    android = dict(read_symbols(STUBS / "libandroid.syms"))
    assert "AChoreographer_postFrameCallback" in android  # API 24 = our minSdk
    assert "AChoreographer_postFrameCallback64" not in android  # API 29: not linkable
    libc = dict(read_symbols(STUBS / "libc.syms"))
    assert libc["__stack_chk_guard"] is True and libc["mmap"] is False
    bad = tmp_path / "bad.syms"
    bad.write_text("ok\nnot-a-name\n")
    with pytest.raises(ConfigError, match=r"bad\.syms:2"):
        read_symbols(bad)


def test_stub_source_has_one_definition_per_symbol() -> None:
    src = stub_source([("foo", False), ("bar", True)])
    assert "void foo(void) {}" in src and "char bar[8];" in src


def test_digest_is_length_prefixed() -> None:
    assert digest(["ab", "c"]) != digest(["a", "bc"])
    assert digest([b"x"]) == digest(["x"])


def test_cached_dir_builds_once(tmp_path: Path) -> None:
    calls: list[Path] = []

    def make(tmp: Path) -> None:
        calls.append(tmp)
        (tmp / "f").write_text("1")

    first = cached_dir("k", make, root=tmp_path)
    again = cached_dir("k", make, root=tmp_path)
    assert first == again and (first / "f").read_text() == "1" and len(calls) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["k"]  # no temporary left behind


def test_cli_has_apk_build_and_check() -> None:
    args = build_parser().parse_args(["apk", "build", "--count", "3", "--out", "x", "--anon-mb", "10", "20"])
    assert (args.count, args.out, args.anon_mb) == (3, "x", [10, 20])
    args = build_parser().parse_args(["apk", "check", "a.apk", "b.apk"])
    assert args.paths == ["a.apk", "b.apk"]
