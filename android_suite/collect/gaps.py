"""Bookkeeping of a sampler's gaps: opened at a drop, closed by the first sample after it."""

from __future__ import annotations

from android_suite.collect.sampler_types import Gap, Sample


class GapLog:
    """The gaps of one sampler run. Not thread-safe: the sampler holds its lock around calls."""

    def __init__(self) -> None:
        self._closed: list[Gap] = []
        self._open: Gap | None = None
        self._last: Sample | None = None

    def seen(self, samples: list[Sample]) -> None:
        """Samples were delivered: the first one ends an open gap."""
        if not samples:
            return
        gap, first = self._open, samples[0]
        if gap is not None:
            note = ""
            if gap.start_device_t is not None and first.device_t is not None and first.device_t < gap.start_device_t:
                note = " (device uptime went backwards: the device rebooted)"
            reason = gap.reason + note
            self._closed.append(
                Gap(gap.start_device_t, first.device_t, reason, gap.start_host_t, first.host_t, gap.torn_bytes)
            )
            self._open = None
        self._last = samples[-1]

    def begin(self, reason: str, torn_bytes: int, now: float) -> None:
        """The stream was lost: a gap starts after the last sample seen."""
        last = self._last
        start_host = last.host_t if last else now
        self._open = Gap(last.device_t if last else None, None, reason, start_host, None, torn_bytes)

    def give_up(self, why: str) -> None:
        """Sampling will not resume: the open gap stays without an end, with ``why`` added."""
        g = self._open
        if g is not None:
            self._open = Gap(g.start_device_t, None, f"{g.reason}; {why}", g.start_host_t, None, g.torn_bytes)

    def gaps(self) -> tuple[Gap, ...]:
        """Closed gaps, then the open one (with no end) if any."""
        return (*self._closed, *([self._open] if self._open else []))
