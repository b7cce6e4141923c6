"""Config fragments, the kernel-check comparison, and the virtual boot images built from the fragments."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from android_suite.errors import ConfigError, ParseError
from android_suite.kernel.config_check import compare, decode_config, format_report, status_of
from android_suite.kernel.fragments import available_fragments, load_fragment, parse_fragment
from android_suite.kernel.images import RECIPES, build_virtual_images, recipe_config
from android_suite.virtual.bootimg import build_boot_image, parse_boot_image
from android_suite.virtual.profile import load_profile
from android_suite.virtual.sim.kimage import parse_kernel_image, profile_kernel, variant_of

FRAGMENT = """\
# a comment
# @marker: not upstream
CONFIG_KCOMPRESSD=y
# CONFIG_KCOMPRESSD_RFC is not set

CONFIG_ZRAM_DEF_COMP="lz4"
"""


def test_parse_fragment_keeps_lines_markers_and_unset() -> None:
    settings = parse_fragment(FRAGMENT, "demo")
    assert [(s.symbol, s.value, s.line, s.marker) for s in settings] == [
        ("CONFIG_KCOMPRESSD", "y", 3, True),
        ("CONFIG_KCOMPRESSD_RFC", "n", 4, False),
        ("CONFIG_ZRAM_DEF_COMP", '"lz4"', 6, False),
    ]
    assert settings[0].note == "not upstream"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("CONFIG_A=y\nCONFIG_A=m\n", 2, "already set on line 1"),
        ("CONFIG_A=y\nbogus\n", 2, "not a config line"),
        ("# @marker\n\nCONFIG_A=y\n", 1, "followed directly"),
        ("CONFIG_A=y\n# @marker\n", 2, "end of the file"),
    ],
)
def test_parse_fragment_errors(text: str, line: int, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_fragment(text, "demo")
    assert (caught.value.source, caught.value.line) == ("demo", line)


def test_every_shipped_fragment_parses() -> None:
    names = available_fragments()
    for wanted in ("kcompressd-on", "kcompressd-off", "kcompressd-sysctl", "zram-lz4", "zram-zstd", "psi", "mglru"):
        assert wanted in names
    for name in names:
        assert load_fragment(name).settings


def test_unknown_fragment_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"known: .*psi"):
        load_fragment("nope")


def test_fragments_select_the_variants_the_sim_knows() -> None:
    # The fragments and android_suite/virtual/sim/kimage.py must agree on the markers.
    expected = {
        "kcompressd-on": "v1",
        "kcompressd-off": "none",
        "kcompressd-sysctl": "unofficial",
        "kcompressd-module": "rfc",
    }
    for recipe in RECIPES:
        assert variant_of(recipe_config(recipe)) == expected[recipe.fragment]


@pytest.mark.parametrize(
    ("expected", "actual", "status"),
    [
        ("y", "y", "match"),
        ("y", "m", "mismatch"),
        ("y", None, "missing"),
        ("n", None, "match"),  # absent = a kernel without the option
        ("n", "n", "match"),
        ("n", "y", "mismatch"),
        ('"lz4"', '"zstd"', "mismatch"),
    ],
)
def test_status_of(expected: str, actual: str | None, status: str) -> None:
    assert status_of(expected, actual) == status


def test_compare_and_report() -> None:
    config = decode_config(gzip.compress(b'CONFIG_KCOMPRESSD=y\nCONFIG_ZRAM_DEF_COMP="zstd"\n'))
    fragment = load_fragment("kcompressd-on")
    report = compare([fragment, load_fragment("zram-lz4")], config, "test")
    assert not report.ok
    assert report.counts("kcompressd-on") == {"match": 3, "mismatch": 0, "missing": 2}
    text = format_report(report)
    assert "CONFIG_KCOMPRESSD *" in text and "(absent)" in text and "is not set" in text
    assert "kcompressd-on: 3/5 match (0 mismatch, 2 missing)" in text
    assert "project marker" in text


def test_decode_config_rejects_a_cut_gzip() -> None:
    blob = gzip.compress(b"CONFIG_A=y\n" * 200)
    with pytest.raises(ParseError, match="not a complete gzip stream"):
        decode_config(blob[: len(blob) // 2])
    assert decode_config(b"CONFIG_A=y\n") == {"CONFIG_A": "y"}  # a plain .config works too


def test_virtual_images_are_deterministic_and_carry_their_config(tmp_path: Path) -> None:
    first = build_virtual_images(["mediatek"], cache_dir=tmp_path / "one")
    second = build_virtual_images(["mediatek"], cache_dir=tmp_path / "two")
    assert [e.sha256 for e in first.entries] == [e.sha256 for e in second.entries]
    by_name = {e.name: e for e in first.entries}
    factory = by_name["mediatek-factory"]
    assert factory.factory and (factory.variant, factory.mechanism, factory.product) == ("on", "sysctl", "rubens")
    on = by_name["mediatek-kcompressd-on"]
    assert on.path.name == f"{on.sha256}.img" and on.path.parent.name == "blobs"
    info = parse_boot_image(on.path.read_bytes())
    assert info is not None and info.kernel_release == on.kernel_release
    data = on.path.read_bytes()
    kernel = parse_kernel_image(data[info.page_size : info.page_size + info.kernel_size])
    assert kernel is not None and kernel.variant == "v1" and kernel.string("CONFIG_ZRAM_DEF_COMP") == "lz4"


def test_factory_image_matches_what_the_virtual_handset_boots(tmp_path: Path) -> None:
    # serve.py puts build_boot_image(profile_kernel(profile)) in both slots; the factory entry
    # stands for that original, so it must be the same bytes.
    entry = build_virtual_images(["generic_arm"], cache_dir=tmp_path).factory("fuxi")
    assert entry is not None
    profile = load_profile("generic_arm")
    assert entry.path.read_bytes() == build_boot_image(profile_kernel(profile))
    assert (entry.variant, entry.mechanism, entry.kernel_release) == ("off", "none", profile.kernel.release)
