"""parse_framestats: PROFILEDATA blocks parsed by header name on every release."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.framestats import parse_framestats

DATA = Path(__file__).parents[2] / "data" / "framestats"
COLUMNS = {6: 14, 7: 16, 8: 16, 9: 16, 10: 17, 11: 17, 12: 22, 13: 23, 14: 24, 15: 24, 16: 24}

OLD = """
\tcom.x/com.x.Main/android.view.ViewRootImpl@1 (visibility=0)


---PROFILEDATA---
Flags,IntendedVsync,Vsync,FrameCompleted,
0,1000,1000,9000,
1,2000,2000,30000,
---PROFILEDATA---

"""
# Android 14 order: FrameCompleted is not where older releases put it.
NEW = """---PROFILEDATA---
Flags,FrameTimelineVsyncId,IntendedVsync,Vsync,FrameDeadline,FrameCompleted,GpuCompleted,
0,77,1000,1000,17666,12000,13000,
8,78,2000,2000,18666,0,0,
---PROFILEDATA---
"""


def test_duration_and_flags() -> None:
    frames = parse_framestats(OLD)
    assert [f.duration_ns for f in frames] == [8000, 28000]
    assert [f.flagged for f in frames] == [False, True]
    assert frames[0].window == "com.x/com.x.Main/android.view.ViewRootImpl@1"
    assert frames[0].deadline_ns is None and frames[0].values["Vsync"] == 1000
    assert not frames.truncated


def test_columns_by_name_and_deadline() -> None:
    frames = parse_framestats(NEW)
    assert frames[0].duration_ns == 11000 and frames[0].deadline_ns == 17666
    assert frames[0].values["FrameTimelineVsyncId"] == 77
    # A skipped frame (flag 8) has no completion: kept, marked, no duration.
    assert frames[1].flagged and frames[1].duration_ns is None


@pytest.mark.parametrize("version", COLUMNS)
def test_golden_every_release(version: int) -> None:
    frames = parse_framestats((DATA / f"android{version}.txt").read_bytes())
    assert len(frames) == 14 and not frames.truncated
    assert all(len(f.values) == COLUMNS[version] for f in frames)
    assert all(f.duration_ns is not None and 0 < f.duration_ns < 100_000_000 for f in frames)
    assert frames[0].flagged and not any(f.flagged for f in frames[1:])
    assert all((f.deadline_ns is not None) == (version >= 12) for f in frames)
    assert {f.window for f in frames} == {
        "com.example.feed/com.example.feed.MainActivity/android.view.ViewRootImpl@a1b2c3"
    }


def test_two_windows_and_skipped_frames() -> None:
    frames = parse_framestats((DATA / "android14_two_windows.txt").read_bytes())
    assert {f.block for f in frames} == {0, 1}
    assert frames[-1].window is not None and frames[-1].window.startswith("PopupWindow:")
    skipped = [f for f in frames if f.flags == 8]
    assert len(skipped) == 2 and all(f.duration_ns is None for f in skipped)


def test_vendor_flag_bits_are_marked() -> None:
    frames = parse_framestats((DATA / "android16_vendor_flags.txt").read_bytes())
    assert [f.flags for f in frames if f.flagged] == [1, 256]


@pytest.mark.parametrize("odd", ["android9_crlf.txt", "android15_utf16le_bom.txt"])
def test_encodings(odd: str) -> None:
    frames = parse_framestats((DATA / odd).read_bytes())
    assert len(frames) == 14 and not frames.truncated


def test_truncated_block_keeps_complete_rows() -> None:
    frames = parse_framestats((DATA / "android12_truncated.txt").read_bytes())
    assert frames.truncated and 0 < len(frames) < 14
    assert all(len(f.values) == 22 for f in frames)


def test_no_block_is_an_empty_list() -> None:
    frames = parse_framestats("Total frames rendered: 0\n")
    assert frames == [] and not frames.truncated


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---PROFILEDATA---\nFlags,Vsync,\n0,1,\n---PROFILEDATA---\n", 2, "IntendedVsync"),
        ("---PROFILEDATA---\nFlags,IntendedVsync,FrameCompleted,\n0,1,\n---PROFILEDATA---\n", 3, "cells"),
        ("---PROFILEDATA---\nFlags,IntendedVsync,FrameCompleted,\n0,1,x,\n---PROFILEDATA---\n", 3, "non-integer"),
    ],
)
def test_malformed_blocks_raise(text: str, line: int, message: str) -> None:
    with pytest.raises(ParseError, match=message) as err:
        parse_framestats(text)
    assert err.value.line == line and err.value.source == "framestats"
