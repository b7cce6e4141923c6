"""parse_swaps: header, KiB sizes, octal-escaped names, truncation."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.swaps import SwapArea, parse_swaps

DATA = Path(__file__).parents[2] / "data" / "swaps"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_single_zram_partition() -> None:
    s = parse_swaps(read("android_4.14_zram0.txt"))
    assert s.entries == (SwapArea("/dev/block/zram0", "partition", 2_097_148, 812_340, -2),)
    assert s.total_kb == 2_097_148 and s.used_kb == 812_340 and not s.truncated


def test_big_numbers_lose_their_second_tab() -> None:
    s = parse_swaps(read("android_6.1_zram0.txt"))
    assert s.entries[0].size_kb == 8_388_604 and s.entries[0].used_kb == 2_305_120


def test_samsung_vnswap() -> None:
    assert parse_swaps(read("android_3.18_vnswap.txt")).entries[0].filename == "/dev/block/vnswap0"


def test_escaped_names_and_files() -> None:
    s = parse_swaps(read("zram_and_files.txt"))
    assert [e.filename for e in s.entries] == [
        "/dev/block/zram0",
        "/data/swap dir/swapfile",
        "/data/old_swap (deleted)",
    ]
    assert [e.type for e in s.entries] == ["partition", "file", "file"]
    assert s.entries[0].priority == 32767 and s.entries[2].priority == -3
    assert s.entries[2].size_kb == 12_582_908
    assert s.total_kb == 4_194_300 + 524_284 + 12_582_908


def test_header_only_means_no_swap() -> None:
    s = parse_swaps(read("no_swap.txt"))
    assert s.entries == () and s.total_kb == 0 and not s.truncated


def test_crlf_and_utf16() -> None:
    assert parse_swaps(read("android_4.14_zram0_crlf.txt")) == parse_swaps(read("android_4.14_zram0.txt"))
    assert parse_swaps(read("android_5.10_utf16le_bom.txt")).entries[0].size_kb == 3_145_724


def test_truncated_last_row_is_dropped() -> None:
    s = parse_swaps(read("two_zram_truncated.txt"))
    assert s.truncated
    assert [e.filename for e in s.entries] == ["/dev/block/zram0"]


def test_missing_header_raises_line_1() -> None:
    with pytest.raises(ParseError) as err:
        parse_swaps("/dev/block/zram0 partition 100 0 -2\n")
    assert err.value.source == "/proc/swaps" and err.value.line == 1


@pytest.mark.parametrize(
    "row",
    ["/dev/block/zram0 partition 100 0\n", "/dev/block/zram0 partition 100 x -2\n"],
)
def test_malformed_row_raises_with_line(row: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_swaps("Filename Type Size Used Priority\n" + row)
    assert err.value.line == 2


def test_empty_capture_raises() -> None:
    with pytest.raises(ParseError):
        parse_swaps("")
