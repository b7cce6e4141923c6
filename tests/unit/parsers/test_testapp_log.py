"""parse_testapp_log: the test app's v1 lines in every logcat layout, and their jank metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.parsers.registry import get_parser
from android_suite.parsers.testapp_log import (
    AppError,
    AppPause,
    AppResume,
    AppStart,
    AppStop,
    FrameBatch,
    frame_rows,
    jank_metrics,
    parse_testapp_log,
)

DATA = Path(__file__).parents[2] / "data" / "testapp_log"
A = "org.androidsuite.testapp.a01"
B = "org.androidsuite.testapp.a02"
SAME = ["threadtime.txt", "brief.txt", "process.txt", "raw.txt", "year_uid.txt", "crlf.txt", "utf16le_bom.txt"]


def parse(name: str):  # type: ignore[no-untyped-def]
    return parse_testapp_log((DATA / name).read_bytes())


@pytest.mark.parametrize("name", SAME)
def test_every_layout_gives_the_same_records(name: str) -> None:
    log = parse(name)
    base = parse("threadtime.txt")
    strip = [(type(r).__name__, {k: v for k, v in r.__dict__.items() if k not in ("line", "timestamp")})
             for r in log.records()]  # fmt: skip
    want = [(type(r).__name__, {k: v for k, v in r.__dict__.items() if k not in ("line", "timestamp")})
            for r in base.records()]  # fmt: skip
    assert strip == want
    assert not log.issues and not log.truncated
    assert log.packages == [A, B]


def test_records_and_their_fields() -> None:
    log = parse("threadtime.txt")
    start = log.records()[0]
    assert start == AppStart(A, 4001, 65536, 0.5, 57.6, 4, line=5, timestamp="11-14 22:15:00.160")
    assert isinstance(log.records()[1], AppResume) and log.records()[1].touch_kb == 32768
    kinds = [type(r).__name__ for r in log.of(A)]
    assert kinds[:6] == ["AppStart", "AppResume", "FrameBatch", "FrameBatch", "AppPause", "AppStop"]
    first_visit = [r for r in log.of(A)][:6]
    batches = [r for r in first_visit if isinstance(r, FrameBatch)]
    pause = next(r for r in first_visit if isinstance(r, AppPause))
    assert pause.frames == sum(len(b.dur_us) for b in batches) and pause.janky == sum(b.janky for b in batches)
    assert len(batches[0].dur_us) == 60 and batches[1].seq == 60
    # The year_uid capture keeps its year in the time stamp.
    assert parse("year_uid.txt").records()[0].timestamp == "2026-11-14 22:15:00.160"


def test_a_cut_last_line_is_dropped_and_reported() -> None:
    log = parse("truncated.txt")
    whole = parse("threadtime.txt")
    assert log.truncated
    assert [i.reason for i in log.issues] == ["last line cut short; ignored"]
    # Every record before the cut is kept; the cut frames line is the only one lost.
    assert log.records() == whole.records()[: len(log.records())]
    assert len(log.frames()) == len(whole.frames()) - 1


def test_odd_lines_are_reported_not_fatal() -> None:
    log = parse("odd_lines.txt")
    reasons = [i.reason for i in log.issues]
    assert reasons == [
        "unknown keys abi (kept the rest)",
        "frames of org.androidsuite.testapp.a03 jump from seq 3 to 63",
        "unknown format version v2 (this parser reads v1)",
        "unknown event 'vsync'",
        "dur_us='4000,oops' is not a valid value",
        "not an app event line",
    ]
    kinds = [type(r) for r in log.records()]
    assert kinds == [AppStart, AppError, AppResume, FrameBatch, FrameBatch, AppPause, AppStop]
    error = log.records()[1]
    assert isinstance(error, AppError) and error.detail == "ratio must be 0..0.9: 0.95 (from debug.asuite.ratio)"
    assert isinstance(log.records()[0], AppStart) and log.records()[0].page_kb == 16
    assert log.packages == ["org.androidsuite.testapp.a03"]  # the other app's line is not ours


def test_jank_metrics_match_the_suites_definitions() -> None:
    log = parse("odd_lines.txt")
    m = jank_metrics(log.frames())
    assert m is not None
    assert (m.frames, m.janky_frames, m.janky_frame_share) == (5, 1, 0.2)
    assert m.frame_time_ms == 4.2  # median of 4.0 4.1 4.2 4.3 9.0
    assert m.frame_time_p90_ms == pytest.approx(4.3 + (9.0 - 4.3) * 0.6)
    ms, janky = frame_rows(log.frames())
    assert ms == [4.0, 9.0, 4.1, 4.2, 4.3] and janky == [False, True, False, False, False]
    assert jank_metrics([]) is None
    assert set(m.as_dict()) >= {"janky_frame_share", "frame_time_p90_ms", "frame_time_p99_ms"}


def test_registered_for_android_suite_parse() -> None:
    assert get_parser("testapp_log") is parse_testapp_log
    assert not parse_testapp_log(b"").records()
