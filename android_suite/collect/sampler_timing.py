"""How well a sampler kept time: drift, jitter, late ticks, its own CPU cost. Pure functions.

Intervals are measured on the device's clocks, between consecutive samples
of the same stream (a reconnect restarts the loop, so its gap is a
:class:`~android_suite.collect.sampler_types.Gap`, not jitter). The fine clock
is ``device_wall`` ($EPOCHREALTIME, µs); without it ``device_t`` (uptime, 10 ms
steps) is used and the clock is named in the summary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from android_suite.collect.sampler_types import USER_HZ, Sample


@dataclass(frozen=True)
class TimingSummary:
    """Timing of a run of samples.

    Attributes:
        samples: how many samples were summarised.
        clock: "wall" (``device_wall``) or "uptime" (``device_t``).
        span_s: summed first-to-last time of each stream.
        ticks: summed seq steps over those spans.
        drift: (span - ticks * period) / (ticks * period); None when unpaced.
        late_ticks: intervals longer than 1.5 periods (a missed or overrun tick).
        lost_frames: seq numbers that never arrived (torn or skipped frames).
        jitter_p50_s, jitter_p99_s: |interval - period| percentiles.
        rate_hz: ticks / span.
        device_cpu_fraction: the loop's CPU seconds per second (None if unknown).
    """

    samples: int
    clock: str
    span_s: float
    ticks: int
    drift: float | None
    late_ticks: int
    lost_frames: int
    jitter_p50_s: float
    jitter_p99_s: float
    rate_hz: float
    device_cpu_fraction: float | None


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


def _clock(samples: Sequence[Sample]) -> str:
    return "wall" if all(s.device_wall is not None for s in samples) else "uptime"


def _t(s: Sample, clock: str) -> float:
    t = s.device_wall if clock == "wall" else s.device_t
    return math.nan if t is None else t


def summarize(samples: Sequence[Sample], period_s: float) -> TimingSummary:
    """Summarise ``samples`` (in arrival order) taken with ``period_s`` (0: unpaced)."""
    clock = _clock(samples)
    by_stream: dict[int, list[Sample]] = {}
    for s in samples:
        by_stream.setdefault(s.stream, []).append(s)
    span = 0.0
    ticks = lost = 0
    intervals: list[float] = []
    cpu_s = 0.0
    cpu_known = True
    for run in by_stream.values():
        if len(run) < 2:
            continue
        span += _t(run[-1], clock) - _t(run[0], clock)
        ticks += run[-1].seq - run[0].seq
        for a, b in pairwise(run):
            steps = b.seq - a.seq
            lost += max(0, steps - 1)
            intervals.append((_t(b, clock) - _t(a, clock)) / max(steps, 1))
        first, last = run[0].cpu_ticks, run[-1].cpu_ticks
        if first is None or last is None:
            cpu_known = False
        else:
            cpu_s += (last - first) / USER_HZ
    nominal = period_s if period_s > 0 else (span / ticks if ticks else 0.0)
    jitter = [abs(i - nominal) for i in intervals]
    return TimingSummary(
        samples=len(samples),
        clock=clock,
        span_s=span,
        ticks=ticks,
        drift=(span - ticks * period_s) / (ticks * period_s) if period_s > 0 and ticks else None,
        late_ticks=sum(1 for i in intervals if nominal > 0 and i > 1.5 * nominal),
        lost_frames=lost,
        jitter_p50_s=percentile(jitter, 50),
        jitter_p99_s=percentile(jitter, 99),
        rate_hz=ticks / span if span > 0 else 0.0,
        device_cpu_fraction=cpu_s / span if cpu_known and span > 0 else None,
    )
