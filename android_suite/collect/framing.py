"""Incremental parser of the sampler's frames (the format ``collect/script.py`` prints).

One frame per tick; every marker line starts with ``@@<nonce> `` (a random
per-run nonce, so no /proc text can be mistaken for a marker)::

    @@N hello deadline 4242 1        once per stream: pacing, shell pid, reader
    @@N tick 17 1700000000.123456    seq, $EPOCHREALTIME ("" without it)
    @@N src _up                      a source's content follows ...
    12345.67 54321.00
                                     ... plus one newline the loop always adds
    @@N rc _up 0                     cat's exit status: non-zero = missing
    ... the same for each configured source, then _cpu (/proc/$$/stat) ...
    @@N end 17

The extra newline before each ``rc`` marker keeps markers at the start of a
line even when a file does not end with one (many sysfs files); the parser
removes exactly that newline, so content comes back byte for byte. Bytes may
arrive split anywhere (adb WRTE boundaries); a frame that is cut off (a drop,
a stop) or broken is discarded and counted, never half-delivered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import MappingProxyType

from android_suite.collect.sampler_types import Sample

UPTIME = "_up"
CPU = "_cpu"


class FrameParser:
    """Bytes in, complete :class:`Sample` records out. No I/O.

    Args:
        nonce: the marker nonce the script was built with.
        sources: the configured source names (every frame must carry all).
        stream: stamped on each sample (reconnect generation).
        crlf: strip a CR before each LF (v1 shells on a pty, Android <= 6).
        clock: host clock for ``Sample.host_t``.
    """

    def __init__(
        self,
        nonce: str,
        sources: Sequence[str],
        *,
        stream: int = 0,
        crlf: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._prefix = f"@@{nonce} ".encode()
        self._names = tuple(sources)
        self._stream = stream
        self._crlf = crlf
        self._clock = clock
        self._pending = bytearray()  # an incomplete last line
        self._frame: _Frame | None = None
        self.torn_frames = 0
        self.junk_lines = 0
        self.frames = 0
        self.pacing: str | None = None
        self.shell_pid: int | None = None

    @property
    def in_frame(self) -> bool:
        """True between a tick marker and its end marker (or with a partial line)."""
        return self._frame is not None or bool(self._pending)

    def feed(self, data: bytes) -> list[Sample]:
        """Consume ``data``; return the samples whose frames it completed."""
        self._pending += data
        out: list[Sample] = []
        start = 0
        while (nl := self._pending.find(b"\n", start)) >= 0:
            at, line = start, bytes(self._pending[start:nl])
            start = nl + 1
            if self._crlf and line.endswith(b"\r"):
                line = line[:-1]
            sample = self._line(line)
            if sample is not None:
                out.append(sample)
            elif self._frame is not None:
                self._frame.size += start - at  # bytes of this frame so far (torn-byte count)
        del self._pending[:start]
        return out

    def finish(self) -> int:
        """The stream ended: discard a partial frame; return its size in bytes (0 if none)."""
        torn = len(self._pending) + (self._frame.size if self._frame else 0)
        if self._frame is not None or self._pending:
            self.torn_frames += 1
        self._frame = None
        self._pending.clear()
        return torn

    def _line(self, line: bytes) -> Sample | None:
        frame = self._frame
        if not line.startswith(self._prefix):
            if frame is not None and frame.current is not None:
                frame.lines.append(line)
            else:
                self.junk_lines += 1  # e.g. a shell error on a v1 stream (stderr merged)
            return None
        words = line[len(self._prefix) :].decode("utf-8", "replace").split(" ")
        kind, args = words[0], words[1:]
        if kind == "tick":
            if frame is not None:
                self.torn_frames += 1  # a tick before the previous end: broken frame
            self._frame = _Frame(args)
        elif kind == "hello":
            self.pacing = args[0] if args else None
            self.shell_pid = int(args[1]) if len(args) > 1 and args[1].isdigit() else None
        elif frame is None:
            self.junk_lines += 1
        elif kind == "src" and args and frame.current is None:
            frame.current, frame.lines = args[0], []
        elif kind == "rc" and len(args) == 2 and args[0] == frame.current:
            frame.close_source(args[1])
        elif kind == "end":
            self._frame = None
            return self._complete(frame, args)
        else:
            self._frame = None
            self.torn_frames += 1
        return None

    def _complete(self, frame: _Frame, args: list[str]) -> Sample | None:
        seq = frame.seq
        if frame.bad or seq is None or args != [str(seq)] or any(n not in frame.texts for n in self._names):
            self.torn_frames += 1
            return None
        self.frames += 1
        texts = {n: frame.texts[n] for n in self._names}
        return Sample(
            seq=seq,
            stream=self._stream,
            device_t=_uptime(frame.texts.get(UPTIME)),
            device_wall=frame.wall,
            host_t=self._clock(),
            sources=MappingProxyType(texts),
            failed=MappingProxyType({n: c for n, c in frame.status.items() if c != 0 and n in texts}),
            cpu_ticks=_cpu_ticks(frame.texts.get(CPU)),
        )


class _Frame:
    """The frame being assembled."""

    def __init__(self, tick_args: list[str]) -> None:
        self.seq = int(tick_args[0]) if tick_args and tick_args[0].isdigit() else None
        self.wall = _float(tick_args[1]) if len(tick_args) > 1 else None
        self.bad = self.seq is None
        self.current: str | None = None
        self.lines: list[bytes] = []
        self.texts: dict[str, str | None] = {}
        self.status: dict[str, int] = {}
        self.size = 0

    def close_source(self, status: str) -> None:
        assert self.current is not None
        name, self.current = self.current, None
        code = int(status) if status.isdigit() else -1
        self.status[name] = code
        # The loop echoed one newline after the content: lines end in "" from it.
        raw = b"\n".join(self.lines)
        self.texts[name] = raw.decode("utf-8", "replace") if code == 0 else None
        self.lines = []


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _uptime(text: str | None) -> float | None:
    """First field of /proc/uptime ("12345.67 54321.00")."""
    return _float(text.split()[0]) if text and text.split() else None


def _cpu_ticks(text: str | None) -> int | None:
    """utime+stime+cutime+cstime (fields 14-17) from a /proc/<pid>/stat line.

    The comm field (2) may contain spaces and parentheses, so fields are
    counted after the *last* ")". cutime/cstime matter here: nearly all of the
    loop's cost is in the ``cat`` and ``sleep`` children it forks and reaps.
    """
    if not text or ")" not in text:
        return None
    rest = text[text.rindex(")") + 1 :].split()
    try:
        return sum(int(v) for v in rest[11:15]) if len(rest) >= 15 else None
    except ValueError:
        return None
