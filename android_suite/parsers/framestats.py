"""Parse ``dumpsys gfxinfo PKG framestats``: the ``---PROFILEDATA---`` CSV blocks.

Each block starts with a header row naming the columns (``Flags``,
``IntendedVsync``, ..., ``FrameCompleted``; releases add columns, so cells
are read by header name) followed by one row per frame, times in ns on
CLOCK_MONOTONIC. The jank summary of the same dump is :mod:`gfxinfo`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

__all__ = ["FrameTiming", "FrameTimings", "parse_framestats"]

_MARKER = "---PROFILEDATA---"
# "\tcom.pkg/com.pkg.Main/android.view.ViewRootImpl@4b5c1d2 (visibility=0)"
_WINDOW = re.compile(r"^\s*(?:Window:\s*)?(\S.*?)\s*\(visibility=-?\d+\)\s*$")
_REQUIRED = ("Flags", "IntendedVsync", "FrameCompleted")


@dataclass(frozen=True)
class FrameTiming:
    """One row of a ``---PROFILEDATA---`` block; all times in ns (CLOCK_MONOTONIC).

    Attributes:
        window: the window line printed before the block, if any.
        block: 0-based index of the block in the capture.
        flags: the Flags column. Non-zero rows (window layout change,
            RenderThread animation, SurfaceCanvas, skipped frame, vendor
            bits) are kept but marked ``flagged``: jank statistics use
            Flags == 0 rows only.
        duration_ns: FrameCompleted - IntendedVsync; None when either is 0
            or the difference is negative (a frame with no completion).
        deadline_ns: the FrameDeadline column (Android 12+), else None.
        values: every column by header name (columns vary by release).
    """

    window: str | None
    block: int
    flags: int
    intended_vsync_ns: int
    frame_completed_ns: int
    duration_ns: int | None
    deadline_ns: int | None
    flagged: bool
    values: dict[str, int] = field(default_factory=dict)


class FrameTimings(list[FrameTiming]):
    """A list of frames that also says whether the capture was cut short."""

    def __init__(self, frames: list[FrameTiming] | None = None, *, truncated: bool = False) -> None:
        super().__init__(frames or [])
        self.truncated = truncated


def parse_framestats(text: str | bytes) -> FrameTimings:
    """Parse every ``---PROFILEDATA---`` block (one per window) in a capture.

    Columns are looked up by header name: Android 6 prints 14, 7-9 add the
    dequeue/queue durations, 10 adds GpuCompleted and 12+ FrameTimelineVsyncId,
    FrameDeadline and more, in a different order. Both header and rows end in
    a trailing comma.

    Returns:
        The frames; ``.truncated`` is True when the last block has no closing
        marker (its complete rows are still returned). No block: empty list.

    Raises:
        ParseError: a header without Flags/IntendedVsync/FrameCompleted, a row
            whose width differs from its header, or a non-integer cell.
    """
    lines, unterminated = split_lines(as_text(text))
    frames = FrameTimings()
    i = block = prev_end = 0
    while i < len(lines):
        if lines[i].strip() != _MARKER:
            i += 1
            continue
        close = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == _MARKER), len(lines))
        cut = close == len(lines)
        rows = [j for j in range(i + 1, close) if lines[j].strip()]
        if cut and unterminated and rows and rows[-1] == len(lines) - 1:
            rows.pop()  # the last row stops mid-number
        if rows:
            window = _window_before(lines, prev_end, i)
            frames.extend(_block_rows(lines, rows, block, window, cut=cut))
        frames.truncated = frames.truncated or cut
        block += 1
        prev_end = i = close + 1
    return frames


def _window_before(lines: list[str], start: int, end: int) -> str | None:
    for j in range(end - 1, start - 1, -1):
        if m := _WINDOW.match(lines[j]):
            return m.group(1)
    return None


def _cells(line: str) -> list[str]:
    cells = [c.strip() for c in line.split(",")]
    return cells[:-1] if cells and cells[-1] == "" else cells


def _block_rows(lines: list[str], rows: list[int], block: int, window: str | None, *, cut: bool) -> list[FrameTiming]:
    header = _cells(lines[rows[0]])
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        raise ParseError("framestats", f"header lacks {', '.join(missing)}: {lines[rows[0]][:120]!r}", rows[0] + 1)
    deadline_col = "FrameDeadline" if "FrameDeadline" in header else None
    out = []
    for j in rows[1:]:
        cells = _cells(lines[j])
        if len(cells) != len(header):
            if cut and j == rows[-1]:
                break  # a row cut at a cell boundary
            raise ParseError("framestats", f"{len(cells)} cells for {len(header)} columns", j + 1)
        try:
            values = {name: int(cell) for name, cell in zip(header, cells, strict=True)}
        except ValueError:
            raise ParseError("framestats", f"non-integer cell in {lines[j][:120]!r}", j + 1) from None
        intended, completed = values["IntendedVsync"], values["FrameCompleted"]
        ok = intended > 0 and completed >= intended
        out.append(
            FrameTiming(
                window=window,
                block=block,
                flags=values["Flags"],
                intended_vsync_ns=intended,
                frame_completed_ns=completed,
                duration_ns=completed - intended if ok else None,
                deadline_ns=values[deadline_col] if deadline_col else None,
                flagged=values["Flags"] != 0,
                values=values,
            )
        )
    return out
