"""parse_vmstat: goldens from 3.18 to 6.12, derived totals, odd shapes, errors."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.vmstat import Vmstat, parse_vmstat

DATA = Path(__file__).parents[2] / "data" / "vmstat"
GOLDENS = sorted(p.name for p in DATA.iterdir())


def load(name: str) -> Vmstat:
    return parse_vmstat((DATA / name).read_bytes())


@pytest.mark.parametrize("name", GOLDENS)
def test_every_golden_parses_and_is_json_friendly(name: str) -> None:
    v = load(name)
    assert v.values and v.pswpin is not None and v.allocstall_total is not None
    assert v.truncated == ("truncated" in name)
    json.dumps(asdict(v))


def test_3_18_sums_per_zone_keys_including_highmem_and_skips_throttle() -> None:
    v = load("android_3.18_arm32.txt")
    assert v["pgsteal_kswapd_high"] == 120_000
    assert v.pgsteal_kswapd_total == 300_000 + 120_000 + 0
    assert v.pgsteal_direct_total == 20_000 + 5_000
    assert v.pgsteal_total == 445_000
    # pgscan_direct_throttle (77 events) is not a zone and not pages.
    assert v.pgscan_direct_total == 49_000
    assert v.pgscan_total == 850_000 + 49_000
    assert v.allocstall_total == 731
    assert v.workingset_refault_total == 90_410
    assert v.pgsteal_anon is None and v.pgsteal_file is None
    assert v.swpout_zero is None


def test_4_4_single_allocstall_and_zone_split() -> None:
    v = load("android_4.4_arm64.txt")
    assert v.allocstall_total == 2210
    assert v.pgsteal_total == 1_500_000 + 900_000 + 60_000 + 30_000
    assert v.pswpin == 220_301 and v.pswpout == 610_233
    assert "speculative_pgfault" in v  # vendor key kept by name


def test_4_14_node_wide_reclaim_and_allocstall_per_zone() -> None:
    v = load("android_4.14_arm64.txt")
    assert "allocstall" not in v
    assert v.allocstall_total == 120 + 3400 + 5
    assert v.pgsteal_kswapd_total == 4_200_000 and v.pgsteal_direct_total == 180_000
    assert v.pgsteal_total == 4_380_000
    assert v.pgscan_total == 7_100_000 + 350_000
    assert v.pgsteal_khugepaged_total is None


def test_4_19_vendor_ion_keys() -> None:
    v = load("android_4.19_arm64.txt")
    assert "nr_ion_heap" in v and "nr_ion_heap_pool" in v
    assert v.allocstall_total == 1861
    assert v.workingset_refault_total == 1_200_000


def test_5_10_type_split_is_not_added_to_reclaimer_sum() -> None:
    v = load("android_5.10_gki.txt")
    assert v.pgsteal_anon == 820_000 and v.pgsteal_file == 1_120_000
    assert v.pgsteal_total == 1_900_000 + 40_000  # not + anon + file
    assert v.pgscan_total == 3_000_000 + 65_000
    assert v.workingset_refault_total == 250_000 + 650_000
    assert "workingset_refault" not in v
    assert v.get("spf_attempt") == 5_123_456 and v.get("spf_abort") == 4321


def test_5_15_memcg_reclaim_makes_type_split_larger() -> None:
    # anon+file also counts cgroup-limit reclaim; the reclaimer keys do not.
    v = load("android_5.15_gki.txt")
    assert v.pgsteal_anon is not None and v.pgsteal_file is not None
    assert v.pgsteal_anon + v.pgsteal_file == 2_580_000
    assert v.pgsteal_total == 2_570_000


def test_6_6_khugepaged_counted_once() -> None:
    v = load("android_6.6_gki.txt")
    assert v.pgsteal_khugepaged_total == 1000
    assert v.pgsteal_direct_total == 90_000  # the kernel's direct, khugepaged apart
    assert v.pgsteal_total == 3_600_000 + 90_000 + 1000
    assert v.pgscan_total == 5_500_000 + 150_000 + 2000
    assert v.allocstall_total == 1215


def test_6_12_has_zswpwb_but_no_zero_counters() -> None:
    v = load("android_6.12_gki.txt")
    assert v.get("zswpwb") == 0
    assert v.swpout_zero is None
    assert v.pgsteal_total == 4_080_000


def test_odd_shapes_equal_their_originals() -> None:
    assert load("android_4.14_arm64_crlf.txt") == load("android_4.14_arm64.txt")
    assert load("android_5.10_gki_utf16le_bom.txt") == load("android_5.10_gki.txt")


def test_truncated_final_line_is_dropped_and_flagged() -> None:
    full, cut = load("android_6.1_gki.txt"), load("android_6.1_gki_truncated.txt")
    assert cut.truncated and not full.truncated
    assert "spf_abort" in full and "spf_abort" not in cut
    assert cut.get("spf_attempt") == full.get("spf_attempt")
    assert len(cut.values) == len(full.values) - 1


def test_swpout_zero_and_proactive_reclaimer() -> None:
    text = (
        "pswpout 10\nswpin_zero 3\nswpout_zero 7\npgsteal_kswapd 100\npgsteal_direct 20\n"
        "pgsteal_khugepaged 1\npgsteal_proactive 5\npgsteal_anon 90\npgsteal_file 36\n"
    )
    v = parse_vmstat(text)
    assert v.swpout_zero == 7
    assert v.pgsteal_total == 126
    assert v.pgscan_total is None


def test_type_split_used_only_when_no_reclaimer_key_exists() -> None:
    v = parse_vmstat("pgsteal_anon 5\npgsteal_file 6\n")
    assert v.pgsteal_total == 11
    assert v.pgsteal_kswapd_total is None and v.pgsteal_direct_total is None


def test_missing_sources_give_none_not_zero() -> None:
    v = parse_vmstat("nr_free_pages 1\n")
    for name in (
        "allocstall_total",
        "pgsteal_total",
        "pgscan_total",
        "pgsteal_kswapd_total",
        "pgsteal_direct_total",
        "pgsteal_anon",
        "pswpin",
        "pswpout",
        "workingset_refault_total",
        "swpout_zero",
    ):
        assert getattr(v, name) is None, name


def test_duplicates_keep_first_and_are_reported() -> None:
    v = parse_vmstat("pswpin 1\npswpin 2\n")
    assert v["pswpin"] == 1 and v.duplicates == ("pswpin",)


def test_blank_lines_are_ignored() -> None:
    assert parse_vmstat("pswpin 1\n\npswpout 2\n\n").values == {"pswpin": 1, "pswpout": 2}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("pswpin 1\npswpout\n", 2),
        ("pswpin 1\npswpout 2 3\n", 2),
        ("pswpin one\n", 1),
        ("a 1\nb 2\nc: 3\n", 3),
        ("123 456\n", 1),
    ],
)
def test_malformed_lines_raise_with_source_and_line(text: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_vmstat(text)
    assert err.value.source == "/proc/vmstat" and err.value.line == line


def test_empty_capture_raises_but_a_lone_cut_line_is_truncation() -> None:
    with pytest.raises(ParseError):
        parse_vmstat("")
    v = parse_vmstat(b"nr_free_pa")
    assert v.truncated and v.values == {}
