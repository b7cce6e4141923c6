"""Parses memeater's stdout (pure: text in, records out).

Every line the eater prints is ``memeater EVENT key=value ...`` (see
``apk_workloads/memeater/memeater.c``); the C program, its emulation on the
virtual handset and the shell fallback print the same shape. Unknown keys
are ignored (a later version may add some); a missing required key or a
value that is not a number is a ParseError naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

SOURCE = "memeater"


@dataclass(frozen=True)
class EaterStart:
    """The first line: what the eater is about to do.

    Attributes:
        pid: the eater's pid on the device (what ``kill`` needs).
        target_kb: the size it grows to.
        rate_kbps: allocation rate it paces to (0: unpaced).
        compressibility: share of each page that is a repeating motif (0..1).
        touch_fraction: share of allocated pages written per touch period.
        impl: "binary" (the C program or its emulation) or "shell" (the fallback).
    """

    pid: int
    version: int
    target_kb: int
    rate_kbps: float
    compressibility: float
    touch_fraction: float
    seed: int
    duration_s: float
    impl: str


@dataclass(frozen=True)
class EaterProgress:
    """One progress line: cumulative counters at ``t`` seconds after start."""

    t: float
    allocated_kb: int
    touched_pages: int
    rate_kbps: float  # allocation rate over the last interval


@dataclass(frozen=True)
class EaterEnd:
    """The final line; ``reason`` is "signal", "duration" or "error"."""

    t: float
    allocated_kb: int
    touched_pages: int
    reason: str


EaterEvent = EaterStart | EaterProgress | EaterEnd


@dataclass(frozen=True)
class EaterLog:
    """Every event of one run; ``truncated`` when the text ended inside a line."""

    events: tuple[EaterEvent, ...]
    truncated: bool

    @property
    def start(self) -> EaterStart | None:
        return next((e for e in self.events if isinstance(e, EaterStart)), None)

    @property
    def end(self) -> EaterEnd | None:
        return next((e for e in self.events if isinstance(e, EaterEnd)), None)

    @property
    def progress(self) -> list[EaterProgress]:
        return [e for e in self.events if isinstance(e, EaterProgress)]


def parse_line(line: str, lineno: int | None = None) -> EaterEvent | None:
    """One line; None when it is not a memeater line (shell noise, a warning)."""
    words = line.strip().split()
    if len(words) < 2 or words[0] != "memeater" or words[1] not in ("start", "progress", "end"):
        return None
    fields = dict(w.split("=", 1) for w in words[2:] if "=" in w)

    def num(key: str) -> float:
        if key not in fields:
            raise ParseError(SOURCE, f"{words[1]} line without {key}=", lineno)
        try:
            return float(fields[key])
        except ValueError:
            raise ParseError(SOURCE, f"{key}={fields[key]!r} is not a number", lineno) from None

    if words[1] == "start":
        return EaterStart(
            pid=int(num("pid")),
            version=int(num("version")),
            target_kb=int(num("target_kb")),
            rate_kbps=num("rate_kbps"),
            compressibility=num("compressibility"),
            touch_fraction=num("touch_fraction"),
            seed=int(num("seed")),
            duration_s=num("duration_s"),
            impl=fields.get("impl", "binary"),
        )
    if words[1] == "progress":
        return EaterProgress(num("t"), int(num("allocated_kb")), int(num("touched_pages")), num("rate_kbps"))
    reason = fields.get("reason")
    if reason is None:
        raise ParseError(SOURCE, "end line without reason=", lineno)
    return EaterEnd(num("t"), int(num("allocated_kb")), int(num("touched_pages")), reason)


def parse_output(data: str | bytes) -> EaterLog:
    """All events in ``data``; a last line without its newline is left out and flagged."""
    lines, truncated = split_lines(as_text(data))
    if truncated:
        lines = lines[:-1]
    events = [e for n, line in enumerate(lines, 1) if (e := parse_line(line, n)) is not None]
    return EaterLog(tuple(events), truncated)
