"""FrameParser: frames split anywhere, missing sources, torn frames, CRLF, CPU and clocks."""

from __future__ import annotations

import random

import pytest

from android_suite.collect.framing import FrameParser
from tests.unit.collect.frames import NONCE, frame, hello

SOURCES = {"vmstat": "nr_free_pages 100\npgsteal_anon 5\n", "mm_stat": "1 2 3"}


def parser(**kw: object) -> FrameParser:
    return FrameParser(NONCE, list(SOURCES), clock=lambda: 7.0, **kw)  # type: ignore[arg-type]


def test_one_frame_round_trips_content_byte_for_byte() -> None:
    p = parser()
    [s] = p.feed(hello() + frame(3, SOURCES, uptime=123.45, wall="1700000000.012345"))
    assert (s.seq, s.stream, s.device_t, s.device_wall, s.host_t) == (3, 0, 123.45, 1700000000.012345, 7.0)
    assert dict(s.sources) == SOURCES  # including "1 2 3" with no final newline
    assert dict(s.failed) == {}
    assert s.cpu_ticks == 3 + 4 + 5 + 6  # utime+stime+cutime+cstime
    assert s.cpu_s == pytest.approx(0.18)
    assert (p.pacing, p.shell_pid, p.frames, p.torn_frames, p.junk_lines) == ("deadline", 4242, 1, 0, 0)


@pytest.mark.parametrize("seed", range(5))
def test_any_split_gives_the_same_samples(seed: int) -> None:
    data = b"".join(frame(i, SOURCES, uptime=100 + i / 10) for i in range(20))
    whole = parser().feed(data)
    rng = random.Random(seed)
    p = parser()
    got = []
    at = 0
    while at < len(data):  # WRTE boundaries land anywhere, even inside a marker
        n = rng.randint(1, 40)
        got += p.feed(data[at : at + n])
        at += n
    assert got == whole and len(got) == 20
    assert not p.in_frame


def test_byte_at_a_time() -> None:
    p = parser()
    data = frame(0, SOURCES) + frame(1, SOURCES)
    got = [s for i in range(len(data)) for s in p.feed(data[i : i + 1])]
    assert [s.seq for s in got] == [0, 1]


def test_missing_source_is_none_with_its_status_never_silence() -> None:
    [s] = parser().feed(frame(0, {"vmstat": SOURCES["vmstat"], "mm_stat": None}))
    assert s.sources["mm_stat"] is None
    assert dict(s.failed) == {"mm_stat": 1}


def test_empty_file_is_empty_text_not_missing() -> None:
    [s] = parser().feed(frame(0, {"vmstat": "", "mm_stat": "x\n\n"}))
    assert s.sources["vmstat"] == ""
    assert s.sources["mm_stat"] == "x\n\n"


def test_unreadable_clock_and_cpu_are_none() -> None:
    [s] = parser().feed(frame(0, SOURCES, wall="", stat=None))
    assert s.device_wall is None
    assert s.cpu_ticks is None


def test_comm_with_spaces_and_parens_in_stat() -> None:
    stat = "77 (a) b (c) S 1 77 77 0 -1 0 0 0 0 0 10 20 30 40 20 0 1 0 9 0 0"
    [s] = parser().feed(frame(0, SOURCES, stat=stat))
    assert s.cpu_ticks == 100


def test_torn_frame_at_a_drop_is_discarded_and_counted() -> None:
    p = parser()
    data = frame(0, SOURCES) + frame(1, SOURCES)
    cut = len(frame(0, SOURCES)) + 50
    assert [s.seq for s in p.feed(data[:cut])] == [0]
    assert p.in_frame
    assert p.finish() == 50
    assert (p.torn_frames, p.in_frame) == (1, False)
    assert p.finish() == 0  # nothing left; not counted twice
    assert p.torn_frames == 1


def test_tick_inside_a_frame_drops_the_broken_one() -> None:
    p = parser()
    broken = frame(0, SOURCES)[:60]
    got = p.feed(broken + b"\n" + frame(1, SOURCES))
    assert [s.seq for s in got] == [1]
    assert p.torn_frames == 1


def test_frame_lacking_a_configured_source_is_torn() -> None:
    p = parser()
    assert p.feed(frame(0, {"vmstat": "a\n"})) == []
    assert p.torn_frames == 1


def test_end_with_wrong_seq_is_torn() -> None:
    p = parser()
    data = frame(4, SOURCES).replace(b"end 4", b"end 5")
    assert p.feed(data) == []
    assert p.torn_frames == 1


def test_junk_between_frames_is_counted_not_parsed() -> None:
    p = parser()
    got = p.feed(b"/system/bin/sh: oops\n" + frame(0, SOURCES) + b"stray\n")
    assert len(got) == 1
    assert p.junk_lines == 2


def test_other_nonce_is_content_or_junk() -> None:
    p = parser()
    assert p.feed(frame(0, SOURCES, nonce="deadbeef")) == []
    assert p.frames == 0


def test_crlf_from_a_pty_is_undone() -> None:
    data = frame(0, SOURCES).replace(b"\n", b"\r\n")
    [s] = parser(crlf=True).feed(data)
    assert dict(s.sources) == SOURCES


def test_stream_generation_is_stamped() -> None:
    [s] = parser(stream=3).feed(frame(0, SOURCES))
    assert s.stream == 3
