"""logd's ring buffers as the framework model fills them, and logcat's line formats.

system_server logs (ActivityManager, ActivityTaskManager) go to the
``system`` buffer; native daemons such as lmkd log to ``main``. Times are
seconds since boot; the wall-clock time printed is ``wall_at_boot + t`` in
UTC (the handset does not model time zones).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace

BUFFERS = ("main", "system", "crash", "events", "radio", "kernel")
DEFAULT_BUFFERS = ("main", "system", "crash")  # what logcat reads without -b (Android 7+)
PRIORITIES = "VDIWEFS"
MAX_ENTRIES = 20000  # per buffer; logd's default 256 KiB per buffer holds a few thousand lines

# Where the framework's own lines come from (pids match the handset's static userspace).
SYSTEM_SERVER_PID = 1250
LMKD_PID = 560


@dataclass(frozen=True)
class LogEntry:
    """One log line before formatting."""

    t: float  # seconds since boot
    pid: int
    tid: int
    priority: str  # one of PRIORITIES
    tag: str
    message: str
    buffer: str = "main"
    serial: int = 0  # order of arrival (readers that stream ask for what came after)


class LogBuffer:
    """The handset's log buffers: append, clear, read back in time order."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._buffers: dict[str, deque[LogEntry]] = {name: deque(maxlen=max_entries) for name in BUFFERS}
        self.last_serial = 0

    def add(self, entry: LogEntry) -> None:
        self.last_serial += 1
        self._buffers[entry.buffer].append(replace(entry, serial=self.last_serial))

    def log(self, t: float, buffer: str, pid: int, tid: int, priority: str, tag: str, message: str) -> None:
        self.add(LogEntry(t, pid, tid, priority, tag, message, buffer))

    def clear(self, buffers: Iterable[str] = DEFAULT_BUFFERS) -> None:
        for name in buffers:
            self._buffers[name].clear()

    def entries(self, buffers: Iterable[str] = DEFAULT_BUFFERS) -> list[LogEntry]:
        """Entries of ``buffers`` merged in time order (logd merges the same way)."""
        chosen = [e for name in buffers for e in self._buffers[name]]
        return sorted(chosen, key=lambda e: e.t)


def _stamp(entry: LogEntry, wall_at_boot: float) -> str:
    wall = wall_at_boot + entry.t
    millis = int((wall - int(wall)) * 1000)
    return time.strftime("%m-%d %H:%M:%S", time.gmtime(wall)) + f".{millis:03d}"


def format_entry(entry: LogEntry, fmt: str, wall_at_boot: float) -> str:
    """One line in logcat's ``-v`` format (threadtime, time, brief, tag, process, raw)."""
    p, tag, msg = entry.priority, entry.tag, entry.message
    if fmt == "threadtime":
        # logcat pads the tag to 8 columns, then ": " (logprint.c).
        return f"{_stamp(entry, wall_at_boot)} {entry.pid:5d} {entry.tid:5d} {p} {tag:<8}: {msg}"
    if fmt == "time":
        return f"{_stamp(entry, wall_at_boot)} {p}/{tag}({entry.pid:5d}): {msg}"
    if fmt == "brief":
        return f"{p}/{tag}({entry.pid:5d}): {msg}"
    if fmt == "tag":
        return f"{p}/{tag}: {msg}"
    if fmt == "process":
        return f"{p}({entry.pid:5d}) {msg}  ({tag})"
    if fmt == "raw":
        return msg
    raise ValueError(f"unknown log format {fmt!r}")


FORMATS = ("threadtime", "time", "brief", "tag", "process", "raw")


def render(entries: list[LogEntry], fmt: str, wall_at_boot: float) -> str:
    """Lines as ``logcat -d`` prints them, with a ``beginning of`` marker per buffer."""
    out: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.buffer not in seen:
            seen.add(entry.buffer)
            out.append(f"--------- beginning of {entry.buffer}")
        out.append(format_entry(entry, fmt, wall_at_boot))
    return "".join(line + "\n" for line in out)
