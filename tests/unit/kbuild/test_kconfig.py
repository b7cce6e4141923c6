"""Config fragments: parse, merge order, render, and the check that every requested symbol took."""

from __future__ import annotations

from pathlib import Path

from android_suite.kbuild import ARCHES, VARIANTS
from android_suite.kbuild.build import fragment_paths, requested_settings
from android_suite.kbuild.kconfig import Unmet, merge, parse_config, render, unmet


def test_parse_set_unset_and_comments() -> None:
    text = '# a comment\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C="lz4"\n\nCONFIG_D=8\n'
    assert parse_config(text) == {"CONFIG_A": "y", "CONFIG_B": None, "CONFIG_C": '"lz4"', "CONFIG_D": "8"}


def test_later_fragment_wins_and_render_roundtrips() -> None:
    merged = merge(["CONFIG_A=y\nCONFIG_B=y\n", "# CONFIG_A is not set\nCONFIG_C=m\n"])
    assert merged == {"CONFIG_A": None, "CONFIG_B": "y", "CONFIG_C": "m"}
    assert parse_config(render(merged)) == merged
    assert render(merged).splitlines()[0] == "# CONFIG_A is not set"  # sorted, stable


def test_unmet_names_every_symbol_that_did_not_take() -> None:
    requested = {"CONFIG_ZRAM": "y", "CONFIG_X": None, "CONFIG_Y": None, "CONFIG_NR_CPUS": "8"}
    actual = {"CONFIG_X": "n", "CONFIG_NR_CPUS": "8", "CONFIG_Y": "y"}
    bad = unmet(requested, actual)
    assert bad == [Unmet("CONFIG_Y", None, "y"), Unmet("CONFIG_ZRAM", "y", None)]
    assert str(bad[1]) == "CONFIG_ZRAM: wanted y, got absent"
    assert unmet({"CONFIG_A": "y"}, {"CONFIG_A": "y"}) == []


def test_shipped_fragments_ask_for_the_issue_list() -> None:
    for arch in ARCHES:
        for variant in VARIANTS:
            paths = fragment_paths(arch, variant)
            assert all(isinstance(p, Path) and p.is_file() for p in paths)
            s = requested_settings([p.read_text() for p in paths], variant)
            for sym in ("SMP", "ZRAM", "ZSMALLOC", "ZRAM_BACKEND_LZ4", "ZRAM_BACKEND_ZSTD", "SWAP", "PSI", "LRU_GEN",
                        "VIRTIO_NET", "VIRTIO_CONSOLE", "DEVTMPFS", "BLK_DEV_INITRD", "IKCONFIG", "IKCONFIG_PROC"):
                assert s[f"CONFIG_{sym}"] == "y", (arch, variant, sym)
            assert s["CONFIG_LOCALVERSION"] == f'"-asuite-{variant}"'
            want = {"stock": (None, None), "v1": ("y", None), "sysctl": ("y", "y")}[variant]
            assert (s["CONFIG_KCOMPRESSD"], s["CONFIG_KCOMPRESSD_SYSCTL"]) == want
