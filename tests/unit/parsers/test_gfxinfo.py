"""parse_gfxinfo: fields by release, label anchoring, locales, vendors, truncation."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.gfxinfo import parse_gfxinfo, parse_gfxinfo_all

DATA = Path(__file__).parents[2] / "data" / "gfxinfo"
VERSIONS = range(6, 17)

MINIMAL_12 = """** Graphics info for pid 321 [com.x] **

Stats since: 1000ns
Total frames rendered: 200
Janky frames: 10 (5.00%)
Janky frames (legacy): 14 (7.00%)
50th percentile: 5ms
90th percentile: 9ms
95th percentile: 13ms
99th percentile: 40ms
Number Missed Vsync: 1
Number High input latency: 2
Number Slow UI thread: 3
Number Slow bitmap uploads: 4
Number Slow issue draw commands: 5
Number Frame deadline missed: 10
Number Frame deadline missed (legacy): 14
HISTOGRAM: 5ms=100 6ms=50
50th gpu percentile: 2ms
90th gpu percentile: 3ms
95th gpu percentile: 4ms
99th gpu percentile: 9ms
GPU HISTOGRAM: 1ms=20 2ms=30

Pipeline=Skia (OpenGL)
"""


def test_all_fields_of_a_modern_summary() -> None:
    g = parse_gfxinfo(MINIMAL_12)
    assert (g.pid, g.package, g.stats_since_ns) == (321, "com.x", 1000)
    assert (g.total_frames, g.janky_frames, g.janky_percent) == (200, 10, 5.0)
    assert (g.janky_frames_legacy, g.janky_legacy_percent) == (14, 7.0)
    assert (g.p50_ms, g.p90_ms, g.p95_ms, g.p99_ms) == (5, 9, 13, 40)
    assert (g.missed_vsync, g.high_input_latency, g.slow_ui_thread) == (1, 2, 3)
    assert (g.slow_bitmap_uploads, g.slow_issue_draw_commands) == (4, 5)
    assert (g.frame_deadline_missed, g.frame_deadline_missed_legacy) == (10, 14)
    assert (g.gpu_p50_ms, g.gpu_p90_ms, g.gpu_p95_ms, g.gpu_p99_ms) == (2, 3, 4, 9)
    assert g.histogram == ((5, 100), (6, 50)) and g.gpu_histogram == ((1, 20), (2, 30))
    assert g.extra == {} and not g.truncated


def test_labels_not_positions_reordered_and_vendor_lines() -> None:
    text = (
        "Total frames rendered: 50\nNumber Slow UI thread: 7\nJanky frames: 3 (6.00%)\n"
        "Janky frames(offset, render_ahead): 2 (4.00%)\n99th percentile: 20ms\n"
        "Number Slow issue draw commands: 1\n"
    )
    g = parse_gfxinfo(text)
    assert (g.total_frames, g.slow_ui_thread, g.janky_frames, g.p99_ms) == (50, 7, 3, 20)
    assert g.extra == {"janky frames(offset, render_ahead)": "2 (4.00%)"}
    assert g.p50_ms is None and g.janky_frames_legacy is None


@pytest.mark.parametrize("percent", ["12,34%", "12.34%", "12,34 %"])
def test_locale_formatted_percentages(percent: str) -> None:
    g = parse_gfxinfo(f"Total frames rendered: 100\nJanky frames: 12 ({percent})\nNumber Slow issue draw commands: 0\n")
    assert g.janky_percent == pytest.approx(12.34)


@pytest.mark.parametrize("version", VERSIONS)
def test_golden_fields_present_exactly_where_the_release_prints_them(version: int) -> None:
    g = parse_gfxinfo((DATA / f"android{version}.txt").read_bytes())
    assert not g.truncated and g.package == "com.example.feed" and g.pid == 12345
    assert g.total_frames is not None and g.janky_frames is not None and g.janky_percent is not None
    assert g.janky_percent == pytest.approx(g.janky_frames / g.total_frames * 100, abs=0.01)
    assert None not in (g.p90_ms, g.p95_ms, g.p99_ms, g.missed_vsync, g.slow_issue_draw_commands)
    assert (g.p50_ms is not None) == (version >= 7)
    assert (g.histogram is not None) == (version >= 7)
    assert (g.frame_deadline_missed is not None) == (version >= 9)
    assert (g.gpu_p50_ms is not None) == (version >= 10)
    assert (g.gpu_histogram is not None) == (version >= 10)
    assert (g.janky_frames_legacy is not None) == (version >= 12)
    assert (g.frame_deadline_missed_legacy is not None) == (version >= 12)
    assert g.extra == {}


@pytest.mark.parametrize(
    ("odd", "plain"),
    [("android7_crlf.txt", "android7.txt"), ("android13_utf16le_bom.txt", "android13.txt")],
)
def test_encodings_and_line_endings_parse_the_same(odd: str, plain: str) -> None:
    assert parse_gfxinfo((DATA / odd).read_bytes()) == parse_gfxinfo((DATA / plain).read_bytes())


def test_decimal_comma_golden_matches_plain() -> None:
    comma = parse_gfxinfo((DATA / "android11_decimal_comma.txt").read_bytes())
    assert comma == parse_gfxinfo((DATA / "android11.txt").read_bytes())


def test_vendor_lines_golden_lands_in_extra() -> None:
    g = parse_gfxinfo((DATA / "android10_vendor_lines.txt").read_bytes())
    assert set(g.extra) == {"janky frames(offset, render_ahead)", "number frame time over budget"}
    assert g.janky_frames == parse_gfxinfo((DATA / "android10.txt").read_bytes()).janky_frames


def test_truncated_golden_keeps_what_is_complete() -> None:
    g = parse_gfxinfo((DATA / "android12_truncated.txt").read_bytes())
    assert g.truncated
    assert g.high_input_latency is not None and g.total_frames is not None
    # The cut line ("Number Slow UI thread: " with no value) is not guessed at.
    assert g.slow_ui_thread is None and g.slow_issue_draw_commands is None


def test_cut_number_on_last_line_is_dropped() -> None:
    g = parse_gfxinfo("Total frames rendered: 100\nJanky frames: 1 (1.00%)\n99th percentile: 3")
    assert g.truncated and g.p99_ms is None and g.total_frames == 100


def test_several_processes() -> None:
    text = (DATA / "android14_two_processes.txt").read_bytes()
    both = parse_gfxinfo_all(text)
    assert [g.package for g in both] == ["com.example.feed", "com.example.feed:remote"]
    assert parse_gfxinfo(text) == both[0]


def test_no_process_found_raises() -> None:
    with pytest.raises(ParseError, match=r"No process found for: com\.example\.missing"):
        parse_gfxinfo((DATA / "no_process.txt").read_bytes())


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Total frames rendered: many\n", 1),
        ("Total frames rendered: 5\nJanky frames: 1\n", 2),
        ("Total frames rendered: 5\n90th percentile: 9\n", 2),
        ("Total frames rendered: 5\nHISTOGRAM: 5ms=1 6ms\n", 2),
    ],
)
def test_malformed_known_label_raises_with_line(text: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_gfxinfo(text)
    assert err.value.source == "gfxinfo" and err.value.line == line


def test_not_gfxinfo_raises() -> None:
    with pytest.raises(ParseError):
        parse_gfxinfo("hello\nworld\n")


def test_section_title_right_after_the_block_ends_it() -> None:
    g = parse_gfxinfo("Total frames rendered: 9\nNumber Slow issue draw commands: 0\nCaches:\nOther: 12\n")
    assert g.extra == {} and not g.truncated
