"""dumpsys meminfo: per-package table and App Summary; system-wide RAM and ZRAM lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.dumpsys_meminfo import parse_meminfo_package, parse_meminfo_package_all
from android_suite.parsers.dumpsys_meminfo_summary import parse_meminfo_summary

DATA = Path(__file__).parents[2] / "data" / "dumpsys_meminfo"

PKG_14 = """** MEMINFO in pid 4242 [com.x] **
                   Pss  Private  Private  SwapPss      Rss     Heap     Heap     Heap
                 Total    Dirty    Clean    Dirty    Total     Size    Alloc     Free
                ------   ------   ------   ------   ------   ------   ------   ------
  Native Heap    10468    10408        0       12    12628    20480    14015     6464
      Unknown      556      556        0        0      956
        TOTAL    31768    28064      174      120   120112    24052    15801     8250

 App Summary
                       Pss(KB)                        Rss(KB)
                        ------                         ------
           Java Heap:     6408                          26216
         Native Heap:    10408                          12628
       Private Other:     1914
             Unknown:                                    2104

           TOTAL PSS:    31768            TOTAL RSS:   120112       TOTAL SWAP PSS:      120
"""


def test_modern_table_and_summary() -> None:
    m = parse_meminfo_package(PKG_14)
    assert (m.pid, m.process) == (4242, "com.x")
    assert m.columns[:5] == ("Pss Total", "Private Dirty", "Private Clean", "SwapPss Dirty", "Rss Total")
    assert (m.pss_kb, m.private_dirty_kb, m.private_clean_kb, m.swap_pss_kb, m.rss_kb) == (
        31768,
        28064,
        174,
        120,
        120112,
    )
    assert (m.heap_size_kb, m.heap_alloc_kb, m.heap_free_kb) == (24052, 15801, 8250)
    assert m.swapped_dirty_kb is None
    assert m.summary_pss == {"Java Heap": 6408, "Native Heap": 10408, "Private Other": 1914}
    assert m.summary_rss == {"Java Heap": 26216, "Native Heap": 12628, "Unknown": 2104}
    assert (m.summary_total_pss_kb, m.summary_total_rss_kb, m.summary_total_swap_pss_kb) == (31768, 120112, 120)
    assert m.summary_total_swap_kb is None and not m.truncated


@pytest.mark.parametrize("version", range(6, 17))
def test_golden_every_release(version: int) -> None:
    m = parse_meminfo_package((DATA / f"package_android{version}.txt").read_bytes())
    assert not m.truncated and m.process == "com.example.feed"
    assert m.pss_kb is not None and m.pss_kb == m.summary_total_pss_kb
    assert m.private_dirty_kb is not None and m.heap_alloc_kb is not None
    assert set(m.summary_pss) >= {"Java Heap", "Native Heap", "Code", "Stack", "Graphics", "Private Other", "System"}
    assert (m.rss_kb is not None) == (version >= 12) == (m.summary_total_rss_kb is not None)
    assert (m.rss_kb == m.summary_total_rss_kb) and ("Unknown" in m.summary_rss) == (version >= 12)
    if version == 6:  # no swap PSS: the swapped-out size under its own name
        assert m.swap_pss_kb is None and m.swapped_dirty_kb == m.summary_total_swap_kb is not None
    else:
        assert m.swap_pss_kb is not None and m.swap_pss_kb == m.summary_total_swap_pss_kb


def test_kernel_without_swap_pss() -> None:
    m = parse_meminfo_package((DATA / "package_android8_no_swappss.txt").read_bytes())
    assert "Swap Dirty" in m.columns and m.swap_pss_kb is None
    assert m.swapped_dirty_kb is not None and m.swapped_dirty_kb == m.summary_total_swap_kb


@pytest.mark.parametrize("name", ["package_android11_all_columns.txt", "package_android13_all_columns.txt"])
def test_dash_a_tables_map_by_header(name: str) -> None:
    m = parse_meminfo_package((DATA / name).read_bytes())
    assert "Shared Dirty" in m.total and "Pss Clean" in m.total
    assert m.pss_kb == m.summary_total_pss_kb and m.swap_pss_kb == m.summary_total_swap_pss_kb
    assert m.private_dirty_kb == m.total["Private Dirty"]


@pytest.mark.parametrize(
    ("odd", "plain"),
    [
        ("package_android9_crlf.txt", "package_android9.txt"),
        ("package_android14_utf16le_bom.txt", "package_android14.txt"),
    ],
)
def test_encodings(odd: str, plain: str) -> None:
    assert parse_meminfo_package((DATA / odd).read_bytes()) == parse_meminfo_package((DATA / plain).read_bytes())


def test_vendor_summary_line() -> None:
    m = parse_meminfo_package((DATA / "package_android15_vendor_line.txt").read_bytes())
    assert m.summary_pss["Ion Graphics"] == 4096 and not m.truncated


def test_truncated_before_summary_totals() -> None:
    m = parse_meminfo_package((DATA / "package_android13_truncated.txt").read_bytes())
    assert m.truncated and m.pss_kb is not None and m.summary_total_pss_kb is None
    assert "Private Other" not in m.summary_pss


def test_several_processes() -> None:
    both = parse_meminfo_package_all((DATA / "package_android14_two_processes.txt").read_bytes())
    assert [m.process for m in both] == ["com.example.feed", "com.example.feed:sync"]
    assert all(m.pss_kb == m.summary_total_pss_kb for m in both)


def test_no_process_and_timeout_raise() -> None:
    with pytest.raises(ParseError, match="No process found"):
        parse_meminfo_package((DATA / "package_no_process.txt").read_bytes())
    with pytest.raises(ParseError, match="DUMP TIMEOUT"):
        parse_meminfo_package("*** SERVICE 'meminfo' DUMP TIMEOUT (10000ms) EXPIRED ***\n")


def test_total_row_wider_than_header_raises() -> None:
    text = (
        "                   Pss  Private\n"
        "                 Total    Dirty\n"
        "                ------   ------\n"
        "        TOTAL    1    2    3\n"
    )
    with pytest.raises(ParseError) as err:
        parse_meminfo_package(text)
    assert err.value.line == 4


# --- system-wide ---------------------------------------------------------------


@pytest.mark.parametrize("version", range(6, 17))
def test_summary_every_release(version: int) -> None:
    s = parse_meminfo_summary((DATA / f"summary_android{version}.txt").read_bytes())
    assert (s.total_ram_kb, s.status) == (3_758_096, "normal")
    assert (s.free_ram_kb, s.free_cached_pss_kb, s.free_cached_kernel_kb, s.free_free_kb) == (
        1_794_924,
        100_436,
        927_108,
        767_380,
    )
    assert (s.used_ram_kb, s.used_pss_kb, s.used_kernel_kb, s.lost_ram_kb) == (2_178_904, 1_826_236, 352_668, -215_732)
    assert (s.zram_physical_kb, s.zram_swap_used_kb, s.zram_total_swap_kb) == (61_880, 207_136, 2_621_436)
    assert [e.name for e in s.pss_by_oom_adj] == ["Native", "System", "Persistent", "Foreground", "Cached"]
    assert len(s.pss_by_process) == 6 and s.pss_by_process[0].name == "system" and s.pss_by_process[0].pid == 1642
    assert (s.pss_by_process[0].swap_kb is not None) == (version >= 8)
    assert (len(s.rss_by_process) == 6) == (version >= 12)
    assert not s.truncated


def test_summary_encodings_and_truncation() -> None:
    plain = parse_meminfo_summary((DATA / "summary_android10.txt").read_bytes())
    assert parse_meminfo_summary((DATA / "summary_android10_crlf.txt").read_bytes()) == plain
    utf16 = parse_meminfo_summary((DATA / "summary_android13_utf16le_bom.txt").read_bytes())
    assert utf16 == parse_meminfo_summary((DATA / "summary_android13.txt").read_bytes())
    cut = parse_meminfo_summary((DATA / "summary_android14_truncated.txt").read_bytes())
    assert cut.truncated and cut.free_ram_kb == 1_794_924 and cut.used_ram_kb is None and cut.zram_physical_kb is None


def test_summary_minimal_and_entry_shapes() -> None:
    s = parse_meminfo_summary(
        "Total PSS by process:\n    1,234K: com.a (pid 7 / activities)    (      12K in swap)\n"
        "      999K: com.b:svc (pid 8)\n\nTotal RAM: 2,000K\n"
    )
    assert s.total_ram_kb == 2000 and s.status is None and s.truncated  # no Free/Used RAM lines
    assert [(e.kb, e.name, e.pid, e.swap_kb) for e in s.pss_by_process] == [
        (1234, "com.a", 7, 12),
        (999, "com.b:svc", 8, None),
    ]


def test_summary_not_meminfo_raises() -> None:
    with pytest.raises(ParseError, match="Total RAM"):
        parse_meminfo_summary("nothing here\n")
