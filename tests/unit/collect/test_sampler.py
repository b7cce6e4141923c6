"""Sampler over the strict FakeTransport: delivery, drops and gaps, stalls, stop and drain."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from android_suite.collect.sampler import Sampler
from android_suite.collect.sampler_types import SamplerConfig
from android_suite.collect.script import sampler_argv
from android_suite.device.device import Device
from android_suite.device.fake import FakeShellStream, FakeTransport
from android_suite.errors import DeviceDisconnectedError, DeviceNotFoundError, DeviceTimeoutError
from tests.unit.collect.frames import NONCE, frame, hello

SOURCES = {"vmstat": "/proc/vmstat", "mm_stat": "/sys/block/zram0/mm_stat"}
TEXT = {"vmstat": "nr_free_pages 1\n", "mm_stat": "1 2 3\n"}
CFG = SamplerConfig(sources=SOURCES, period_s=0.1, poll_s=0.05, reconnect_deadline_s=5.0)
ARGV = sampler_argv(CFG, NONCE)
DROP = DeviceDisconnectedError("adb: device offline", serial="FAKE")
IDLE = DeviceTimeoutError("quiet")


@pytest.fixture
def fake() -> Iterator[FakeTransport]:
    t = FakeTransport("FAKE")
    yield t
    t.assert_all_consumed()


def frames(seqs: range, base: float = 100.0) -> bytes:
    return b"".join(frame(i, TEXT, uptime=base + i / 10) for i in seqs)


def make(fake: FakeTransport, cfg: SamplerConfig = CFG) -> Sampler:
    return Sampler(Device(fake), cfg, nonce=NONCE)


def test_samples_arrive_in_order_and_iteration_ends_after_stop(fake: FakeTransport) -> None:
    data = hello() + frames(range(5))
    stream = FakeShellStream([data[:77], data[77:300], data[300:]], end=None)
    fake.expect_stream(ARGV, stream)
    sampler = make(fake).start()
    got = [sampler.get(timeout=5) for _ in range(5)]
    sampler.stop()
    assert [s.seq for s in got if s] == [0, 1, 2, 3, 4]
    assert list(sampler) == []  # stopped and drained: iteration ends
    assert stream.closed
    stats = sampler.stats()
    assert (stats.frames, stats.torn_frames, stats.streams, stats.gaps, stats.error) == (5, 0, 1, (), None)
    assert stats.pacing == "deadline"
    assert fake.calls[0].op == "stream"


def test_context_manager_and_stop_drains_everything(fake: FakeTransport) -> None:
    fake.expect_stream(ARGV, FakeShellStream([frames(range(50))], end=None))
    with make(fake) as sampler:
        first = sampler.get(timeout=5)
    assert first is not None and first.seq == 0
    rest = list(sampler)  # all 49 others, buffered before stop, still delivered
    assert [s.seq for s in rest] == list(range(1, 50))


def test_stop_waits_for_the_frame_in_flight(fake: FakeTransport) -> None:
    one = frames(range(1))
    # The stop comes while frame 0 is half read: the rest is already on its way.
    stream = FakeShellStream([one[:40], IDLE, one[40:]], end=None)
    fake.expect_stream(ARGV, stream)
    sampler = make(fake).start()
    sampler.stop()
    assert [s.seq for s in sampler] == [0]
    assert sampler.stats().torn_frames == 0


def test_drop_is_reconnected_and_recorded_as_a_gap(fake: FakeTransport) -> None:
    first = frames(range(3), base=100.0)
    torn = frames(range(3, 4))[:30]
    fake.expect_stream(ARGV, FakeShellStream([hello() + first + torn], end=DROP))
    fake.expect_stream(ARGV, DeviceDisconnectedError("adb: device offline"))  # still down: retried
    fake.expect_stream(ARGV, FakeShellStream([frames(range(2), base=101.5)], end=None))
    sampler = make(fake).start()
    got = [sampler.get(timeout=10) for _ in range(5)]
    sampler.stop()
    assert [(s.stream, s.seq) for s in got if s] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
    [gap] = sampler.gaps
    assert (gap.start_device_t, gap.end_device_t) == (pytest.approx(100.2), pytest.approx(101.5))
    assert "device offline" in gap.reason
    assert gap.torn_bytes == 30
    assert gap.end_host_t is not None and gap.end_host_t >= gap.start_host_t
    stats = sampler.stats()
    assert (stats.torn_frames, stats.streams, stats.error) == (1, 2, None)


def test_stream_ending_by_itself_is_a_drop_with_its_stderr(fake: FakeTransport) -> None:
    fake.expect_stream(ARGV, FakeShellStream([frames(range(1))], end=2, stderr=b"sh: syntax error"))
    fake.expect_stream(ARGV, FakeShellStream([frames(range(1), base=200)], end=None))
    sampler = make(fake).start()
    assert sampler.get(timeout=5) is not None and sampler.get(timeout=5) is not None
    sampler.stop()
    [gap] = sampler.gaps
    assert "exit status 2" in gap.reason and "sh: syntax error" in gap.reason


def test_reboot_shows_as_uptime_going_backwards(fake: FakeTransport) -> None:
    fake.expect_stream(ARGV, FakeShellStream([frames(range(1), base=5000)], end=DROP))
    fake.expect_stream(ARGV, FakeShellStream([frames(range(1), base=20)], end=None))
    sampler = make(fake).start()
    sampler.get(timeout=5), sampler.get(timeout=5)
    sampler.stop()
    assert "rebooted" in sampler.gaps[0].reason


def test_silence_longer_than_stall_timeout_counts_as_a_drop(fake: FakeTransport) -> None:
    cfg = SamplerConfig(sources=SOURCES, period_s=0.1, poll_s=0.02, stall_timeout_s=0.1)
    argv = sampler_argv(cfg, NONCE)
    wedged = FakeShellStream([frames(range(1))], end=None)  # then nothing, forever
    fake.expect_stream(argv, wedged)
    fake.expect_stream(argv, FakeShellStream([frames(range(1), base=300)], end=None))
    sampler = make(fake, cfg).start()
    assert sampler.get(timeout=5) is not None
    assert sampler.get(timeout=5) is not None
    sampler.stop()
    assert "stalled" in sampler.gaps[0].reason
    assert wedged.closed


def test_gives_up_after_the_reconnect_deadline() -> None:
    fake = FakeTransport("FAKE")  # not the fixture: how many retries fit in 0.2 s depends on the machine
    cfg = SamplerConfig(sources=SOURCES, period_s=0.1, poll_s=0.02, reconnect_deadline_s=0.2)
    argv = sampler_argv(cfg, NONCE)
    fake.expect_stream(argv, FakeShellStream([frames(range(1))], end=DROP))
    gone = DeviceNotFoundError("no device 'FAKE'")
    for _ in range(5):  # 0.1 + 0.2 s of backoff > 0.2 s deadline: three attempts, give or take
        fake.expect_stream(argv, gone)
    sampler = make(fake, cfg).start()
    got = list(sampler)  # ends by itself once the sampler gives up
    assert [s.seq for s in got] == [0]
    stats = sampler.stats()
    assert stats.error is not None and "could not reconnect" in stats.error
    assert stats.gaps[0].end_device_t is None
    assert not sampler.running
    sampler.stop()  # harmless afterwards
    assert 2 <= sum(c.op == "stream" for c in fake.calls) <= 5


def test_first_connect_failure_raises_from_start(fake: FakeTransport) -> None:
    fake.expect_stream(ARGV, DeviceNotFoundError("no device 'FAKE'"))
    sampler = make(fake)
    with pytest.raises(DeviceNotFoundError):
        sampler.start()
    sampler.stop()  # never raises, even when never started
    assert list(sampler) == []


def test_root_wraps_the_loop(fake: FakeTransport) -> None:
    cfg = SamplerConfig(sources=SOURCES, period_s=0.1, poll_s=0.05, root=True)
    fake.expect(["id", "-u"], "0\n")
    fake.expect_stream(sampler_argv(cfg, NONCE), FakeShellStream([frames(range(1))], end=None))
    with make(fake, cfg) as sampler:
        assert sampler.get(timeout=5) is not None


def test_full_buffer_slows_the_reader_but_loses_nothing(fake: FakeTransport) -> None:
    fake.expect_stream(ARGV, FakeShellStream([frames(range(i, i + 1)) for i in range(20)], end=None))
    sampler = Sampler(Device(fake), CFG, nonce=NONCE, max_buffer=3).start()
    got = [sampler.get(timeout=5) for _ in range(20)]
    sampler.stop()
    assert [s.seq for s in got if s] == list(range(20))


def test_drain_returns_what_is_buffered_without_waiting(fake: FakeTransport) -> None:
    fake.expect_stream(ARGV, FakeShellStream([frames(range(3))], end=None))
    sampler = make(fake).start()
    assert sampler.get(timeout=5) is not None
    sampler.stop()
    assert [s.seq for s in sampler.drain()] == [1, 2]
    assert sampler.drain() == []
