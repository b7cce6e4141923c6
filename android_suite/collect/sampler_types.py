"""Configuration and records of the streaming sampler (``collect/sampler.py``).

Times come from three clocks, kept apart on purpose:

* ``device_t``: the first field of ``/proc/uptime`` (CLOCK_BOOTTIME, so it
  keeps counting through suspend; 10 ms resolution, printed as centiseconds).
  The one monotonic clock a shell can read on Android without root:
  ``/proc/timer_list`` (ns) is mode 0400 root, and ``/proc/<pid>/sched``
  needs CONFIG_SCHED_DEBUG, which user builds often lack.
* ``device_wall``: mksh's ``$EPOCHREALTIME`` (gettimeofday: microseconds, no
  fork) but wall-clock, so NTP or the user can step it. It gives the fine
  intervals (jitter) and paces the loop; ``device_t`` anchors the samples.
* ``host_t``: ``time.monotonic()`` on the host when the frame was parsed
  (includes adb latency and buffering; useful to line up with host events).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from android_suite.errors import ConfigError

# USER_HZ: the unit of /proc/<pid>/stat times. It is part of the user ABI and
# 100 on every arm, arm64 and x86 Linux whatever CONFIG_HZ the kernel uses.
USER_HZ = 100
MIN_PERIOD_S = 0.05
MAX_PERIOD_S = 60.0  # keeps the on-device deadline arithmetic far inside 32 bits

# Useful defaults for memory-reclaim work; a missing file is reported as such.
DEFAULT_SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "vmstat": "/proc/vmstat",
        "meminfo": "/proc/meminfo",
        "psi_memory": "/proc/pressure/memory",
        "zram0_mm_stat": "/sys/block/zram0/mm_stat",
    }
)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class SamplerConfig:
    """What to sample and how often; validated on construction (ConfigError).

    Attributes:
        sources: name -> absolute device path, read whole every period (e.g.
            ``{"vmstat": "/proc/vmstat", "kswapd0": "/proc/123/stat"}``).
            Names are ``[A-Za-z0-9][A-Za-z0-9_.-]*``; a leading "_" is reserved.
        period_s: sampling period, 0.05-60 s; 0 means unpaced (loop as fast
            as the device can: for benchmarks, not for measurements).
        connect_timeout_s: bound on opening one stream.
        reconnect_deadline_s: after a drop, keep retrying this long, then give up.
        stall_timeout_s: no bytes for this long counts as a drop (None: 5
            periods, at least 5 s).
        poll_s: longest the reader blocks before looking at the stop flag.
        root: run the loop as root (for sources only root can read).
        reader: how files are read on the device: "builtin" (mksh's
            ``$(<file)``, no fork; trailing newlines normalised to one),
            "cat" (one toybox fork per file per tick; byte-exact), or "auto"
            (builtin when the shell supports it; the default).
    """

    sources: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SOURCES))
    period_s: float = 1.0
    connect_timeout_s: float = 15.0
    reconnect_deadline_s: float = 60.0
    stall_timeout_s: float | None = None
    poll_s: float = 0.25
    root: bool = False
    reader: str = "auto"

    def __post_init__(self) -> None:
        if not self.sources:
            raise ConfigError("sampler: no sources configured")
        for name, path in self.sources.items():
            if not _NAME.fullmatch(name):
                raise ConfigError(f"sampler: source name {name!r} must match {_NAME.pattern}")
            if not path.startswith("/") or any(c in path for c in "\n\r\0"):
                raise ConfigError(f"sampler: source {name!r} path {path!r} must be absolute, on one line")
        if self.period_s != 0 and not MIN_PERIOD_S <= self.period_s <= MAX_PERIOD_S:
            raise ConfigError(
                f"sampler: period_s={self.period_s} must be 0 (unpaced) or {MIN_PERIOD_S}-{MAX_PERIOD_S} s"
            )
        if self.reader not in ("auto", "builtin", "cat"):
            raise ConfigError(f"sampler: reader={self.reader!r} must be 'auto', 'builtin' or 'cat'")
        if min(self.connect_timeout_s, self.reconnect_deadline_s, self.poll_s) <= 0:
            raise ConfigError("sampler: timeouts and poll_s must be positive")
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))

    @property
    def stall_s(self) -> float:
        """Silence that counts as a dropped stream."""
        if self.stall_timeout_s is not None:
            return self.stall_timeout_s
        return max(5.0, 5 * self.period_s)


@dataclass(frozen=True)
class Sample:
    """One tick of the on-device loop.

    Attributes:
        seq: the loop's tick counter; restarts at 0 on every new stream.
        stream: 0 for the first stream, +1 per reconnect.
        device_t: ``/proc/uptime`` seconds at the tick (None if unreadable).
        device_wall: ``$EPOCHREALTIME`` seconds at the tick (None without it).
        host_t: host ``time.monotonic()`` when the frame was complete.
        sources: source name -> raw text exactly as read; None when missing.
        failed: source name -> ``cat`` exit status, for each missing source.
        cpu_ticks: cumulative CPU of the loop shell and its reaped children
            (utime+stime+cutime+cstime, USER_HZ ticks); None if unreadable.
    """

    seq: int
    stream: int
    device_t: float | None
    device_wall: float | None
    host_t: float
    sources: Mapping[str, str | None]
    failed: Mapping[str, int]
    cpu_ticks: int | None

    @property
    def cpu_s(self) -> float | None:
        """``cpu_ticks`` in seconds."""
        return None if self.cpu_ticks is None else self.cpu_ticks / USER_HZ


@dataclass(frozen=True)
class Gap:
    """A stretch with no samples because the stream dropped.

    Attributes:
        start_device_t: ``device_t`` of the last sample before the drop.
        end_device_t: ``device_t`` of the first sample after it (None if
            sampling never resumed).
        reason: what ended the stream and what happened to the next one.
        start_host_t, end_host_t: the same on the host clock.
        torn_bytes: bytes of the partial frame discarded at the drop.
    """

    start_device_t: float | None
    end_device_t: float | None
    reason: str
    start_host_t: float
    end_host_t: float | None
    torn_bytes: int = 0


@dataclass(frozen=True)
class SamplerStats:
    """Counters of one sampler run (``Sampler.stats()``)."""

    frames: int
    torn_frames: int
    junk_lines: int
    bytes_read: int
    streams: int
    gaps: tuple[Gap, ...]
    error: str | None
    pacing: str | None  # "deadline" ($EPOCHREALTIME), "sleep" (fixed), "unpaced"
