"""parse_meminfo: goldens 3.10-6.12, unitless keys, vendor keys, odd shapes."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.meminfo import Meminfo, parse_meminfo

DATA = Path(__file__).parents[2] / "data" / "meminfo"
GOLDENS = sorted(p.name for p in DATA.iterdir())


def load(name: str) -> Meminfo:
    return parse_meminfo((DATA / name).read_bytes())


@pytest.mark.parametrize("name", GOLDENS)
def test_every_golden_parses(name: str) -> None:
    m = load(name)
    assert m.mem_total_kb and m.mem_free_kb is not None
    assert m.truncated == ("truncated" in name)
    json.dumps(asdict(m))


def test_3_10_has_no_memavailable() -> None:
    m = load("android_3.10_arm32.txt")
    assert m.mem_available_kb is None and "MemAvailable" not in m
    assert m.mem_total_kb == 1_016_512
    assert m["HighTotal"] == 254_128  # 32-bit HighMem lines
    assert m.no_unit == ()


def test_3_18_has_memavailable() -> None:
    m = load("android_3.18_arm32.txt")
    assert m.mem_available_kb == 712_300
    assert m.swap_total_kb == 1_048_572 and m.swap_free_kb == 612_000
    assert m.swap_used_kb == 1_048_572 - 612_000


def test_usual_fields_6_1() -> None:
    m = load("android_6.1_gki.txt")
    assert m.mem_total_kb == 7_812_344 and m.mem_available_kb == 3_021_556
    assert m.cached_kb == 2_811_200 and m.shmem_kb == 30_512 and m.anon_pages_kb == 2_700_100
    assert m.active_anon_kb == 1_602_300 and m.inactive_anon_kb == 1_203_400
    assert m.active_file_kb == 1_300_200 and m.inactive_file_kb == 1_200_100
    assert m["Zswap"] == 0 and m["Active"] == 1_602_300 + 1_300_200


def test_hugepages_counts_have_no_unit() -> None:
    m = load("android_6.12_gki.txt")
    assert m["HugePages_Total"] == 0 and m["Hugepagesize"] == 2048
    assert m.no_unit == ("HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp")
    assert m.mem_total_kb == 15_623_412


def test_vendor_keys_kept() -> None:
    assert {"ION_heap", "ION_heap_pool", "GPUTotalUsed"} <= set(load("android_5.4_arm64.txt").values)
    assert "ION_heap" in load("android_4.14_arm64.txt")


def test_odd_shapes_equal_originals() -> None:
    assert load("android_5.10_gki_crlf.txt") == load("android_5.10_gki.txt")
    assert load("android_6.1_gki_utf16le_bom.txt") == load("android_6.1_gki.txt")


def test_truncated_final_line_dropped() -> None:
    m = load("android_4.19_arm64_truncated.txt")
    assert m.truncated and m.swap_total_kb == 4_194_300
    assert m.swap_free_kb is None and m.swap_used_kb is None


@pytest.mark.parametrize(
    ("text", "line"),
    [("MemTotal: 1 kB\nMemFree 2 kB\n", 2), ("MemTotal: x kB\n", 1), ("MemTotal: 1 MB\n", 1)],
)
def test_malformed_lines(text: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_meminfo(text)
    assert err.value.source == "/proc/meminfo" and err.value.line == line


def test_empty_raises() -> None:
    with pytest.raises(ParseError):
        parse_meminfo("\n")
