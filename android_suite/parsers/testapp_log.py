"""The suite's test app's own log (tag ``ASuiteApp``) in any logcat capture, and its jank metrics.

The app (apk_workloads/testapp) logs one line per event, at priority I, the
message starting with a format version::

    v1 start pkg=P pid=N anon_kb=N ratio=0.500 fill_ms=12.345 page_kb=4
    v1 resume pkg=P touch_kb=N touch_ms=1.234
    v1 frames pkg=P seq=N deadline_us=16667 dur_us=4012,3987,...   (at most 60 per line)
    v1 pause pkg=P frames=N janky=N
    v1 stop pkg=P
    v1 error pkg=P what=WORD detail=text to the end of the line

Lines are found by tag in every logcat layout (threadtime, time, brief, tag,
process, with or without ``-v year``/``-v uid``; raw lines that start with
``vN EVENT pkg=``), so a capture may mix other apps. Nothing in the app's
lines is fatal: an unknown version, event or key, a malformed value, a gap
in the frame sequence and a last line cut short are reported as
:class:`LogIssue` and the rest is kept. A frame is janky when its duration
is above ``deadline_us``, the app's frame period.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from android_suite.parsers.testapp_records import (
    AppError,
    AppPause,
    AppResume,
    AppStart,
    AppStop,
    FrameBatch,
    LogIssue,
    Record,
    RecordKind,
    TestAppLog,
)
from android_suite.parsers.text import as_text, split_lines

__all__ = [
    "AppError",
    "AppPause",
    "AppResume",
    "AppStart",
    "AppStop",
    "FrameBatch",
    "JankMetrics",
    "LogIssue",
    "TestAppLog",
    "frame_rows",
    "jank_metrics",
    "parse_testapp_log",
]

TAG = "ASuiteApp"
VERSION = "v1"
_TAGGED = re.compile(r"(?:^|[\s/])ASuiteApp\s*(?:\(\s*\d+\))?\s*:\s?(?P<msg>.*)$")
_PROCESS = re.compile(r"^[VDIWEF]\(\s*\d+\)\s(?P<msg>.*?)\s+\(ASuiteApp\)\s*$")
_RAW = re.compile(r"^(?P<msg>v\d+\s+[a-z]+\s+pkg=.*)$")
_STAMP = re.compile(r"^\s*((?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d+)")
_HEAD = re.compile(r"^v(?P<ver>\d+)\s+(?P<event>[a-z]+)(?:\s+(?P<rest>.*))?$")


# event -> (required keys with their types, optional keys)
_INT, _FLOAT, _STR, _INTS = int, float, str, tuple
_FIELDS: dict[str, dict[str, type]] = {
    "start": {"pkg": _STR, "pid": _INT, "anon_kb": _INT, "ratio": _FLOAT, "fill_ms": _FLOAT, "page_kb": _INT},
    "resume": {"pkg": _STR, "touch_kb": _INT, "touch_ms": _FLOAT},
    "frames": {"pkg": _STR, "seq": _INT, "deadline_us": _INT, "dur_us": _INTS},
    "pause": {"pkg": _STR, "frames": _INT, "janky": _INT},
    "stop": {"pkg": _STR},
    "error": {"pkg": _STR, "what": _STR, "detail": _STR},
}
_TYPES: dict[str, type] = {
    "start": AppStart, "resume": AppResume, "frames": FrameBatch, "pause": AppPause, "stop": AppStop,
    "error": AppError,
}  # fmt: skip


def _message(line: str) -> str | None:
    for pattern in (_TAGGED, _PROCESS, _RAW):
        m = pattern.search(line) if pattern is _TAGGED else pattern.match(line)
        if m:
            return m.group("msg").rstrip()
    return None


def _pairs(rest: str) -> dict[str, str]:
    """key=value words; ``detail=`` takes the rest of the line."""
    out: dict[str, str] = {}
    while rest:
        word, _, tail = rest.partition(" ")
        key, eq, value = word.partition("=")
        if key == "detail" and eq:
            out[key] = (value + (" " + tail if tail else "")).strip()
            break
        out[key if eq else word] = value if eq else ""
        rest = tail.lstrip()
    return out


def _convert(kind: type, text: str) -> object:
    if kind is tuple:
        return tuple(int(v) for v in text.split(","))
    if kind is int:
        return int(text)
    if kind is float:
        return float(text)
    return text


def _record(message: str, number: int, stamp: str | None, issues: list[LogIssue]) -> Record | None:
    head = _HEAD.match(message)
    if head is None:
        issues.append(LogIssue(number, "not an app event line", message[:200]))
        return None
    if f"v{head['ver']}" != VERSION:
        issues.append(LogIssue(number, f"unknown format version v{head['ver']} (this parser reads {VERSION})", message))
        return None
    event = head["event"]
    fields = _FIELDS.get(event)
    if fields is None:
        issues.append(LogIssue(number, f"unknown event {event!r}", message[:200]))
        return None
    pairs = _pairs(head["rest"] or "")
    unknown = sorted(k for k in pairs if k not in fields)
    if unknown:
        issues.append(LogIssue(number, f"unknown keys {', '.join(unknown)} (kept the rest)", message[:200]))
    values: dict[str, object] = {}
    for key, kind in fields.items():
        if key not in pairs:
            issues.append(LogIssue(number, f"{event} line without {key}=", message[:200]))
            return None
        try:
            values[key] = _convert(kind, pairs[key])
        except ValueError:
            issues.append(LogIssue(number, f"{key}={pairs[key][:40]!r} is not a valid value", message[:200]))
            return None
    record: Record = _TYPES[event](**values, line=number, timestamp=stamp)
    return record


def parse_testapp_log(text: str | bytes) -> TestAppLog:
    """The app's records in a logcat capture (str, or bytes in UTF-8/UTF-16, LF or CRLF)."""
    lines, truncated = split_lines(as_text(text))
    records: list[Record] = []
    issues: list[LogIssue] = []
    next_seq: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        message = _message(line)
        if message is None:
            continue
        if truncated and number == len(lines):
            # A cut last line could end in a shortened number (dur_us=...,40 of 4012): drop it.
            issues.append(LogIssue(number, "last line cut short; ignored", message[:200]))
            break
        stamp = _STAMP.match(line)
        record = _record(message, number, stamp.group(1) if stamp else None, issues)
        if record is None:
            continue
        if isinstance(record, AppStart):
            next_seq[record.pkg] = 0  # seq counts frames since the process started, across resumes
        elif isinstance(record, FrameBatch):
            expected = next_seq.get(record.pkg)
            if expected is not None and record.seq != expected:
                issues.append(LogIssue(number, f"frames of {record.pkg} jump from seq {expected} to {record.seq}", ""))
            next_seq[record.pkg] = record.seq + len(record.dur_us)
        records.append(record)

    def only(kind: type[RecordKind]) -> tuple[RecordKind, ...]:
        return tuple(r for r in records if isinstance(r, kind))

    return TestAppLog(
        only(AppStart), only(AppResume), only(FrameBatch), only(AppPause), only(AppStop), only(AppError),
        tuple(issues), truncated,
    )  # fmt: skip


@dataclass(frozen=True)
class JankMetrics:
    """The suite's frame metrics (analysis/metrics.py names) over some frames."""

    frames: int
    janky_frames: int
    janky_frame_share: float
    frame_time_ms: float  # median
    frame_time_p90_ms: float
    frame_time_p95_ms: float
    frame_time_p99_ms: float

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.__dict__.items()}


def _quantile(ordered: Sequence[float], q: float) -> float:
    # Linear interpolation between closest ranks: what pandas' quantile (the analysis) does.
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def frame_rows(batches: Iterable[FrameBatch]) -> tuple[list[float], list[bool]]:
    """Frame durations (ms) and janky flags, as ``RunWriter.add_frames`` takes them."""
    ms: list[float] = []
    janky: list[bool] = []
    for b in batches:
        ms += [d / 1000 for d in b.dur_us]
        janky += [d > b.deadline_us for d in b.dur_us]
    return ms, janky


def jank_metrics(batches: Iterable[FrameBatch]) -> JankMetrics | None:
    """Jank metrics of the frames in ``batches``; None when there is no frame."""
    ms, janky = frame_rows(batches)
    if not ms:
        return None
    ordered = sorted(ms)
    return JankMetrics(
        frames=len(ms),
        janky_frames=sum(janky),
        janky_frame_share=sum(janky) / len(ms),
        frame_time_ms=_quantile(ordered, 0.5),
        frame_time_p90_ms=_quantile(ordered, 0.9),
        frame_time_p95_ms=_quantile(ordered, 0.95),
        frame_time_p99_ms=_quantile(ordered, 0.99),
    )
