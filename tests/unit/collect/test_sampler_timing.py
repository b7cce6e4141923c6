"""summarize(): drift, jitter, late ticks, lost frames and CPU from synthetic samples."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from android_suite.collect.sampler_timing import percentile, summarize
from android_suite.collect.sampler_types import Sample


def sample(seq: int, wall: float | None, *, stream: int = 0, up: float = 0.0, cpu: int | None = None) -> Sample:
    empty = MappingProxyType({})
    return Sample(seq, stream, up, wall, 0.0, empty, empty, cpu)


def test_perfect_schedule_has_no_drift_or_jitter() -> None:
    run = [sample(i, 1000 + i * 0.1, cpu=10 + i) for i in range(101)]
    t = summarize(run, 0.1)
    assert (t.clock, t.ticks, t.late_ticks, t.lost_frames) == ("wall", 100, 0, 0)
    assert t.drift == pytest.approx(0, abs=1e-9)
    assert t.jitter_p99_s == pytest.approx(0, abs=1e-9)
    assert t.rate_hz == pytest.approx(10)
    assert t.device_cpu_fraction == pytest.approx(0.1)  # 100 ticks = 1 s of CPU (USER_HZ 100) in 10 s


def test_sleep_after_work_drifts() -> None:
    run = [sample(i, 1000 + i * 0.102) for i in range(51)]  # 2 ms of work added to every tick
    t = summarize(run, 0.1)
    assert t.drift == pytest.approx(0.02)
    assert t.jitter_p50_s == pytest.approx(0.002)


def test_late_tick_and_lost_frame_are_counted() -> None:
    walls = [0.0, 0.1, 0.2, 0.45, 0.5]
    run = [sample(i, w) for i, w in enumerate(walls)] + [sample(6, 0.7)]
    t = summarize(run, 0.1)
    assert t.late_ticks == 1
    assert t.lost_frames == 1


def test_streams_are_measured_apart_and_uptime_is_the_fallback_clock() -> None:
    a = [sample(i, None, up=10 + i * 0.1) for i in range(11)]
    b = [sample(i, None, stream=1, up=50 + i * 0.1) for i in range(11)]  # the gap is not an interval
    t = summarize(a + b, 0.1)
    assert (t.clock, t.ticks, t.late_ticks) == ("uptime", 20, 0)
    assert t.span_s == pytest.approx(2.0)
    assert t.device_cpu_fraction is None


def test_unpaced_has_no_drift() -> None:
    t = summarize([sample(i, i * 0.002) for i in range(10)], 0)
    assert t.drift is None
    assert t.rate_hz == pytest.approx(500)


def test_percentile() -> None:
    assert percentile([3, 1, 2], 50) == 2
    assert percentile(list(range(1, 101)), 99) == 99
    assert percentile([], 50) != percentile([], 50)  # NaN
