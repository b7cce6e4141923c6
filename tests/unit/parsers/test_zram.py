"""zram sysfs parsers: mm_stat 7/8/9 fields, io_stat vendor columns, bd_stat, comp_algorithm."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.zram import (
    parse_bd_stat,
    parse_comp_algorithm,
    parse_disksize,
    parse_io_stat,
    parse_max_comp_streams,
    parse_mm_stat,
)

DATA = Path(__file__).parents[2] / "data" / "zram"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_mm_stat_7_fields_before_huge_pages() -> None:
    m = parse_mm_stat(read("mm_stat_4.4_7fields.txt"))
    assert m.orig_data_size == 524_288_000 and m.compr_data_size == 157_286_400
    assert m.mem_used_total == 167_772_160 and m.mem_limit == 0 and m.mem_used_max == 201_326_592
    assert m.same_pages == 10_240 and m.pages_compacted == 512
    assert m.huge_pages is None and m.huge_pages_since is None
    assert not m.truncated and m.extra == ()


def test_mm_stat_8_fields() -> None:
    m = parse_mm_stat(read("mm_stat_4.19_8fields.txt"))
    assert m.huge_pages == 3300 and m.huge_pages_since is None


def test_mm_stat_9_fields() -> None:
    m = parse_mm_stat(read("mm_stat_5.10_9fields.txt"))
    assert (m.huge_pages, m.huge_pages_since) == (5120, 91_234)
    assert m.orig_data_size == 2_147_483_648
    json.dumps(asdict(m))


def test_mm_stat_crlf_and_utf16() -> None:
    m = parse_mm_stat(read("mm_stat_6.1_9fields_crlf.txt"))
    assert m.mem_limit == 4_294_967_296 and m.huge_pages_since == 150_000 and not m.truncated
    u = parse_mm_stat(read("mm_stat_6.6_9fields_utf16le_bom.txt"))
    assert (u.orig_data_size, u.compr_data_size, u.same_pages) == (4096, 1024, 3)


def test_mm_stat_without_newline_keeps_values_but_flags_truncation() -> None:
    m = parse_mm_stat(read("mm_stat_5.15_truncated.txt"))
    assert m.truncated
    assert m.huge_pages == 5120  # complete fields are exact
    assert m.huge_pages_since == 91  # printed as cut: the flag says not to trust it


def test_mm_stat_vendor_columns_go_to_extra() -> None:
    m = parse_mm_stat("1 2 3 4 5 6 7 8 9 10 11\n")
    assert m.huge_pages_since == 9 and m.extra == (10, 11)


@pytest.mark.parametrize("text", ["1 2 3 4 5 6\n", "1 2 3 x 5 6 7\n", "", "1 2 3 4 5 6 7\n1 2 3 4 5 6 7\n"])
def test_mm_stat_malformed(text: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_mm_stat(text)
    assert err.value.source == "zram mm_stat"


def test_io_stat_four_fields() -> None:
    io = parse_io_stat(read("io_stat_4.14.txt"))
    assert (io.failed_reads, io.failed_writes, io.invalid_io, io.notify_free) == (0, 0, 0, 1_234_567)
    assert io.extra == ()


def test_io_stat_literal_zero_invalid_io() -> None:
    io = parse_io_stat(read("io_stat_6.6.txt"))
    assert io.failed_writes == 2 and io.invalid_io == 0 and io.notify_free == 7_654_321


def test_io_stat_vendor_columns_kept_as_tuple() -> None:
    io = parse_io_stat(read("io_stat_vendor_hw.txt"))
    assert io.notify_free == 4_455_667
    assert io.extra == (1, 2, 3, 40, 50, 60, 70)


def test_io_stat_too_short() -> None:
    with pytest.raises(ParseError, match="at least 4"):
        parse_io_stat("0 0 0\n")


def test_bd_stat() -> None:
    bd = parse_bd_stat(read("bd_stat_5.10.txt"))
    assert (bd.bd_count, bd.bd_reads, bd.bd_writes) == (25_600, 1200, 30_000)
    assert bd.bd_count_bytes == 25_600 * 4096


@pytest.mark.parametrize("text", ["1 2\n", "1 2 3 4\n"])
def test_bd_stat_needs_three_fields(text: str) -> None:
    with pytest.raises(ParseError, match="zram bd_stat"):
        parse_bd_stat(text)


@pytest.mark.parametrize(
    ("name", "selected", "available"),
    [
        ("comp_algorithm_4.14.txt", "lz4", ["lzo", "lz4"]),
        ("comp_algorithm_5.15.txt", "lz4", ["lzo", "lzo-rle", "lz4", "zstd"]),
        ("comp_algorithm_6.6_zstd.txt", "zstd", ["lzo", "lzo-rle", "lz4", "lz4hc", "842", "zstd"]),
        ("comp_algorithm_none_selected.txt", None, ["lzo", "lzo-rle", "lz4", "zstd"]),
    ],
)
def test_comp_algorithm_goldens(name: str, selected: str | None, available: list[str]) -> None:
    c = parse_comp_algorithm(read(name))
    assert c.selected == selected and c.available == available and not c.truncated


def test_comp_algorithm_without_newline() -> None:
    c = parse_comp_algorithm("lzo lzo-rle [lz4] zstd")
    assert c.selected == "lz4" and c.available == ["lzo", "lzo-rle", "lz4", "zstd"]
    assert c.truncated  # "zstd" could have been the start of a longer name


@pytest.mark.parametrize("text", ["lzo [lz4\n", "[lzo] [lz4]\n", "[] lz4\n", "\n"])
def test_comp_algorithm_malformed(text: str) -> None:
    with pytest.raises(ParseError):
        parse_comp_algorithm(text)


def test_disksize_and_max_comp_streams() -> None:
    assert parse_disksize(read("disksize.txt")) == 4_294_967_296
    assert parse_disksize(read("disksize_unset.txt")) == 0
    assert parse_disksize("1073741824") == 1_073_741_824
    assert parse_max_comp_streams(read("max_comp_streams.txt")) == 8


@pytest.mark.parametrize("text", ["", "4G\n", "1 2\n"])
def test_disksize_malformed(text: str) -> None:
    with pytest.raises(ParseError, match="zram disksize"):
        parse_disksize(text)
