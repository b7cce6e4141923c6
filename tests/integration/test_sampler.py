"""The streaming sampler over the real adb server: timekeeping on one stream, drops, stop and drain.

The long run samples every handset of the session at once (one sampler and
one adb stream each), so its 30 s are paid once, not per profile. The
10-minute acceptance run is ``benchmarks/sampler_vs_naive.py --acceptance``.
"""

from __future__ import annotations

import time

import pytest

from android_suite.collect.sampler import Sampler
from android_suite.collect.sampler_timing import summarize
from android_suite.collect.sampler_types import Sample, SamplerConfig
from android_suite.device.adb import AdbTransport
from android_suite.device.device import Device
from android_suite.session import HandsetSession, Target

SOURCES = {
    "vmstat": "/proc/vmstat",
    "meminfo": "/proc/meminfo",
    "psi_memory": "/proc/pressure/memory",
    "loadavg": "/proc/loadavg",
}
PERIOD = 0.1
RUN_S = 30.0


def _take(sampler: Sampler, n: int, timeout: float) -> list[Sample]:
    """The next ``n`` samples, failing with the sampler's state if they do not come in time."""
    got: list[Sample] = []
    deadline = time.monotonic() + timeout
    while len(got) < n and time.monotonic() < deadline:
        sample = sampler.get(timeout=max(0.0, deadline - time.monotonic()))
        if sample is not None:
            got.append(sample)
    assert len(got) == n, f"{len(got)}/{n} samples in {timeout} s; {sampler.stats()}"
    return got


def test_every_handset_sampled_30s_at_100ms_on_one_stream(handset_session: HandsetSession) -> None:
    cfg = SamplerConfig(sources=SOURCES, period_s=PERIOD)
    samplers = [
        Sampler(Device(AdbTransport(t.serial, port=handset_session.adb_port)), cfg) for t in handset_session.targets
    ]
    try:
        for s in samplers:
            s.start()
        deadline = time.monotonic() + RUN_S
        while time.monotonic() < deadline and all(s.running for s in samplers):
            time.sleep(0.5)  # the samplers work on their own threads; this only waits out the run
    finally:
        for s in samplers:
            s.stop()
    for sampler in samplers:
        got = list(sampler)
        stats = sampler.stats()
        timing = summarize(got, PERIOD)
        where = f"{sampler.device.serial}: {stats}\n{timing}"
        assert stats.streams == 1 and stats.gaps == () and stats.error is None, where
        assert stats.torn_frames == 0 and stats.junk_lines == 0, where
        assert stats.pacing == "deadline", where
        assert len(got) >= 0.95 * RUN_S / PERIOD, where
        assert [s.seq for s in got] == list(range(len(got))), where  # nothing lost, in order
        assert timing.drift is not None and abs(timing.drift) < 0.01, where
        assert timing.late_ticks <= len(got) // 100, where
        assert got[0].sources["meminfo"] and "MemTotal:" in got[0].sources["meminfo"]
        assert got[0].device_t is not None and got[-1].device_t is not None
        assert got[-1].device_t - got[0].device_t == pytest.approx(timing.span_s, abs=0.05)


@pytest.mark.virtual_only
def test_drop_mid_run_is_reconnected_and_recorded(device: Device, handset: Target) -> None:
    assert handset.control is not None and handset.virtual is not None
    sampler = Sampler(device, SamplerConfig(sources=SOURCES, period_s=PERIOD)).start()
    try:
        before = _take(sampler, 10, timeout=20)
        handset.control.drop(handset.virtual.name)
        after: list[Sample] = []
        deadline = time.monotonic() + 30
        while not any(s.stream == 1 for s in after) and time.monotonic() < deadline:
            sample = sampler.get(timeout=1.0)
            if sample is not None:
                after.append(sample)
        after += _take(sampler, 5, timeout=20)
    finally:
        sampler.stop()
    stats = sampler.stats()
    [gap] = stats.gaps
    assert stats.streams == 2 and stats.error is None, stats
    assert "dropped" in gap.reason or "ended" in gap.reason, gap
    assert gap.start_device_t is not None and gap.end_device_t is not None
    assert gap.end_device_t > gap.start_device_t
    last_before = [s for s in before + after if s.stream == 0][-1]
    first_after = next(s for s in after if s.stream == 1)
    assert (gap.start_device_t, gap.end_device_t) == (last_before.device_t, first_after.device_t)
    assert first_after.seq == 0  # a new loop on a new stream


def test_stop_drains_everything(device: Device) -> None:
    sampler = Sampler(device, SamplerConfig(sources=SOURCES, period_s=0.05)).start()
    head = _take(sampler, 20, timeout=20)
    sampler.stop()
    tail = list(sampler)
    got = head + tail
    stats = sampler.stats()
    assert [s.seq for s in got] == list(range(len(got)))
    assert stats.frames == len(got) and stats.torn_frames == 0, stats
    assert not sampler.running
