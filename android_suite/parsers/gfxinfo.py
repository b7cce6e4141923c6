"""Parse ``dumpsys gfxinfo PKG`` (jank summary); its ``framestats`` CSV is :mod:`framestats`.

The summary is printed by hwui's ``ProfileData::dump``
(``frameworks/base:libs/hwui/ProfileData.cpp``, ``JankTracker.cpp`` before
Android 8), one ``Label: value`` line each::

    Stats since: 8861306094ns
    Total frames rendered: 1046
    Janky frames: 21 (2.01%)
    Janky frames (legacy): 33 (3.15%)      <- Android 12+
    50th percentile: 6ms                   <- Android 7+ (6 starts at 90th)
    Number Missed Vsync: 4
    Number Frame deadline missed: 21       <- Android 9+; "(legacy)" twin on 12+
    HISTOGRAM: 5ms=512 6ms=79 ...          <- Android 7+
    50th gpu percentile: 3ms               <- Android 10+

Lines are matched by label, never by position: releases add and reorder
them, vendors add their own (kept in ``extra``). The percentage is printed
with ``%.2f`` and so follows the C locale, but captures that went through a
locale-aware tool show ``12,34%``; both are read. Field names carry units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from android_suite.errors import ParseError
from android_suite.parsers.framestats import FrameTiming, FrameTimings, parse_framestats  # re-exported
from android_suite.parsers.text import as_text, split_lines

__all__ = ["FrameTiming", "FrameTimings", "GfxInfo", "parse_framestats", "parse_gfxinfo", "parse_gfxinfo_all"]


_SOURCE = "gfxinfo"
_PROCESS = re.compile(r"^\*\* Graphics info for pid (\d+) \[(.*)\] \*\*\s*$")
_LABEL = re.compile(r"^\s*([A-Za-z0-9][^:=]*?)\s*:\s*(.*?)\s*$")
_JANKY = re.compile(r"^(\d+)\s*\(\s*(\d+(?:[.,]\d+)?)\s*%\s*\)$")
_MS = re.compile(r"^(\d+)\s*ms$")
_NS = re.compile(r"^(\d+)\s*ns$")
_COUNT = re.compile(r"^(\d+)$")
_BUCKET = re.compile(r"^(\d+)ms=(\d+)$")
_FIRST_LABELS = ("stats since", "total frames rendered")
# Printed by every release from 6 to 16: a block that ends without it was cut.
_LAST_COMMON_LABEL = "number slow issue draw commands"

# Normalised label -> GfxInfo field. Counts are frames; "_ms" values are the
# upper edge of hwui's histogram bucket, not exact percentiles.
_INT_FIELDS = {
    "total frames rendered": "total_frames",
    "50th percentile": "p50_ms",
    "90th percentile": "p90_ms",
    "95th percentile": "p95_ms",
    "99th percentile": "p99_ms",
    "number missed vsync": "missed_vsync",
    "number high input latency": "high_input_latency",
    "number slow ui thread": "slow_ui_thread",
    "number slow bitmap uploads": "slow_bitmap_uploads",
    "number slow issue draw commands": "slow_issue_draw_commands",
    "number frame deadline missed": "frame_deadline_missed",
    "number frame deadline missed (legacy)": "frame_deadline_missed_legacy",
    "50th gpu percentile": "gpu_p50_ms",
    "90th gpu percentile": "gpu_p90_ms",
    "95th gpu percentile": "gpu_p95_ms",
    "99th gpu percentile": "gpu_p99_ms",
}
_JANKY_FIELDS = {
    "janky frames": ("janky_frames", "janky_percent"),
    "janky frames (legacy)": ("janky_frames_legacy", "janky_legacy_percent"),
}
_HISTOGRAMS = {"histogram": "histogram", "gpu histogram": "gpu_histogram"}


@dataclass(frozen=True)
class GfxInfo:
    """One process's jank summary; a field the release does not print is None.

    Attributes:
        pid, package: from the ``** Graphics info for pid N [pkg] **`` header.
        stats_since_ns: CLOCK_MONOTONIC time of the last reset, in ns.
        janky_frames, janky_percent: "Janky frames"; on Android 12+ frames
            that missed their own deadline, before that frames slower than
            one vsync interval.
        janky_frames_legacy, janky_legacy_percent: Android 12+ only, the
            pre-12 definition.
        p50_ms .. p99_ms, gpu_p50_ms .. gpu_p99_ms: percentiles in ms.
        histogram, gpu_histogram: (bucket_ms, frames) pairs.
        extra: unrecognised ``Label: value`` lines in the block (vendors).
        truncated: the capture ended inside the summary.
    """

    pid: int | None = None
    package: str | None = None
    stats_since_ns: int | None = None
    total_frames: int | None = None
    janky_frames: int | None = None
    janky_percent: float | None = None
    janky_frames_legacy: int | None = None
    janky_legacy_percent: float | None = None
    p50_ms: int | None = None
    p90_ms: int | None = None
    p95_ms: int | None = None
    p99_ms: int | None = None
    missed_vsync: int | None = None
    high_input_latency: int | None = None
    slow_ui_thread: int | None = None
    slow_bitmap_uploads: int | None = None
    slow_issue_draw_commands: int | None = None
    frame_deadline_missed: int | None = None
    frame_deadline_missed_legacy: int | None = None
    gpu_p50_ms: int | None = None
    gpu_p90_ms: int | None = None
    gpu_p95_ms: int | None = None
    gpu_p99_ms: int | None = None
    histogram: tuple[tuple[int, int], ...] | None = None
    gpu_histogram: tuple[tuple[int, int], ...] | None = None
    extra: dict[str, str] = field(default_factory=dict)
    truncated: bool = False


def parse_gfxinfo(text: str | bytes) -> GfxInfo:
    """Parse the first process's summary in a ``dumpsys gfxinfo`` capture.

    A package with several processes (``:remote`` services) prints one
    section each; use :func:`parse_gfxinfo_all` for all of them.

    Raises:
        ParseError: no summary at all (e.g. "No process found for: pkg"),
            or a known label with an unreadable value.
    """
    return parse_gfxinfo_all(text)[0]


def parse_gfxinfo_all(text: str | bytes) -> list[GfxInfo]:
    """Every process section's summary, in capture order (at least one)."""
    lines, unterminated = split_lines(as_text(text))
    if unterminated:
        # A cut last line may hold a cut number ("99th percentile: 3" of 32ms).
        lines = lines[:-1]
    sections: list[tuple[int | None, str | None, int]] = []
    for i, line in enumerate(lines):
        if m := _PROCESS.match(line):
            sections.append((int(m.group(1)), m.group(2), i))
    if not sections:
        sections = [(None, None, 0)]
    results = []
    for n, (pid, package, start) in enumerate(sections):
        end = sections[n + 1][2] if n + 1 < len(sections) else len(lines)
        at_eof = end == len(lines)
        info = _parse_section(lines, start, end, pid, package, cut=at_eof and unterminated)
        if info is not None:
            results.append(info)
    if not results:
        if unterminated:
            return [GfxInfo(truncated=True)]
        missing = next((ln.strip() for ln in lines if ln.startswith("No process found")), None)
        raise ParseError(_SOURCE, missing or "no 'Total frames rendered' summary in the capture")
    return results


def _parse_section(
    lines: list[str], start: int, end: int, pid: int | None, package: str | None, *, cut: bool
) -> GfxInfo | None:
    first = next((i for i in range(start, end) if _label_of(lines[i]) in _FIRST_LABELS), None)
    if first is None:
        return None if not cut else GfxInfo(pid=pid, package=package, truncated=True)
    values: dict[str, object] = {}
    extra: dict[str, str] = {}
    i = first
    # The block ends at a blank line, a non "Label: value" line or a section
    # title such as "Caches:" (vendors sometimes omit the blank line before it).
    while i < end and (m := _LABEL.match(lines[i])) and m.group(2):
        label, value = " ".join(m.group(1).lower().split()), m.group(2)
        _store(label, value, values, extra, i + 1)
        i += 1
    ran_to_end = i == end
    truncated = ran_to_end and (cut or "slow_issue_draw_commands" not in values)
    return GfxInfo(pid=pid, package=package, extra=extra, truncated=truncated, **values)  # type: ignore[arg-type]


def _label_of(line: str) -> str | None:
    m = _LABEL.match(line)
    return " ".join(m.group(1).lower().split()) if m else None


def _store(label: str, value: str, out: dict[str, object], extra: dict[str, str], line: int) -> None:
    if label == "stats since":
        out["stats_since_ns"] = _match_int(_NS, value, label, line)
    elif label in _INT_FIELDS:
        # Counts are bare, percentiles end in "ms".
        pattern = _MS if label.endswith("percentile") else _COUNT
        out[_INT_FIELDS[label]] = _match_int(pattern, value, label, line)
    elif label in _JANKY_FIELDS:
        m = _JANKY.match(value)
        if m is None:
            raise ParseError(_SOURCE, f"{label}: expected 'N (P%)', got {value!r}", line)
        frames, percent = _JANKY_FIELDS[label]
        out[frames] = int(m.group(1))
        out[percent] = float(m.group(2).replace(",", "."))
    elif label in _HISTOGRAMS:
        buckets = []
        for item in value.split():
            bm = _BUCKET.match(item)
            if bm is None:
                raise ParseError(_SOURCE, f"{label}: bad bucket {item!r}", line)
            buckets.append((int(bm.group(1)), int(bm.group(2))))
        out[_HISTOGRAMS[label]] = tuple(buckets)
    else:
        extra[label] = value


def _match_int(pattern: re.Pattern[str], value: str, label: str, line: int) -> int:
    m = pattern.match(value)
    if m is None:
        raise ParseError(_SOURCE, f"{label}: unreadable value {value!r}", line)
    return int(m.group(1))
