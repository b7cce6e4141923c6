"""parse_am_start: every release's block, warnings, errors, timeouts, truncation."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.am_start import parse_am_start, parse_am_start_all

DATA = Path(__file__).parents[2] / "data" / "am_start"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_android10_plus_block() -> None:
    r = parse_am_start(load("android10_cold.txt"))
    assert (r.status, r.launch_state, r.activity) == ("ok", "COLD", "com.example.feed/.MainActivity")
    assert (r.this_time_ms, r.total_time_ms, r.wait_time_ms) == (None, 593, 601)
    assert r.complete and not r.truncated and r.error is None and r.warning is None
    assert r.intent == "Intent { cmp=com.example.feed/.MainActivity }"


def test_pre_android10_has_this_time_and_no_launch_state() -> None:
    r = parse_am_start(load("android7_trampoline.txt"))
    assert (r.this_time_ms, r.total_time_ms, r.wait_time_ms) == (301, 688, 702)
    assert r.launch_state is None and r.status == "ok" and r.complete


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("android11_warm.txt", "WARM"),
        ("android12_hot_brought_to_front.txt", "HOT"),
        ("android14_timeout.txt", "COLD"),
        ("android15_relaunch.txt", "RELAUNCH"),
        ("android13_no_total_time.txt", "UNKNOWN (0)"),
    ],
)
def test_launch_states(name: str, state: str) -> None:
    assert parse_am_start(load(name)).launch_state == state


def test_brought_to_front_warning_still_reports() -> None:
    r = parse_am_start(load("android9_brought_to_front.txt"))
    assert r.warning == "Activity not started, its current task has been brought to the front"
    assert r.status == "ok" and r.total_time_ms == 0 and r.complete


def test_total_time_may_be_absent() -> None:
    r = parse_am_start(load("android13_no_total_time.txt"))
    assert r.total_time_ms is None and r.wait_time_ms == 9 and not r.truncated


def test_timeout_is_a_result_not_an_exception() -> None:
    r = parse_am_start(load("android14_timeout.txt"))
    assert r.status == "timeout" and r.total_time_ms is None and r.wait_time_ms == 10027 and r.complete


@pytest.mark.parametrize(
    ("name", "error", "error_type"),
    [
        ("error_class_not_found.txt", "Activity class {com.example.feed/com.example.feed.Missing} does not exist.", 3),
        ("error_unresolved.txt", "Activity not started, unable to resolve Intent", None),
        ("error_security_exception.txt", "java.lang.SecurityException: Permission Denial", None),
    ],
)
def test_errors(name: str, error: str, error_type: int | None) -> None:
    r = parse_am_start(load(name))
    assert r.status == "error" and r.error is not None and r.error.startswith(error)
    assert r.error_type == error_type and not r.complete and not r.truncated
    assert r.total_time_ms is None and r.wait_time_ms is None


def test_repeat_blocks() -> None:
    runs = parse_am_start_all(load("android16_repeat.txt"))
    assert [r.total_time_ms for r in runs] == [702, 655]
    assert parse_am_start(load("android16_repeat.txt")) == runs[0]


def test_stop_first_and_vendor_lines_are_ignored() -> None:
    assert parse_am_start(load("android8_stop_first.txt")).total_time_ms == 655
    assert parse_am_start(load("android13_vendor_line.txt")) == parse_am_start(load("android10_cold.txt"))


@pytest.mark.parametrize(
    ("odd", "plain"),
    [("android14_utf16le_bom.txt", "android12_hot_brought_to_front.txt")],
)
def test_utf16_and_crlf(odd: str, plain: str) -> None:
    assert parse_am_start(load(odd)) == parse_am_start(load(plain))
    crlf = parse_am_start(load("android6_crlf.txt"))
    assert (crlf.this_time_ms, crlf.wait_time_ms, crlf.complete) == (901, 933, True)


def test_truncated() -> None:
    r = parse_am_start(load("android12_truncated.txt"))
    assert r.truncated and not r.complete and r.total_time_ms == 593 and r.wait_time_ms is None


def test_cut_number_is_not_read() -> None:
    r = parse_am_start("Starting: Intent { }\nStatus: ok\nTotalTime: 59")
    assert r.truncated and r.total_time_ms is None


def test_complete_without_trailing_newline_is_fine() -> None:
    r = parse_am_start("Status: ok\nTotalTime: 5\nWaitTime: 6\nComplete")
    assert r.complete and not r.truncated


def test_without_wait_flag() -> None:
    r = parse_am_start("Starting: Intent { cmp=a/.B }\n")
    assert r.status is None and not r.truncated and r.intent == "Intent { cmp=a/.B }"


@pytest.mark.parametrize(
    ("text", "line"),
    [("Status: ok\nTotalTime: fast\nComplete\n", 2), ("Starting: x\nStatus: ok\nWaitTime: 1.5\n", 3)],
)
def test_bad_numbers_raise(text: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_am_start(text)
    assert err.value.line == line


def test_not_am_start_output_raises() -> None:
    with pytest.raises(ParseError):
        parse_am_start("usage: am [subcommand]\n")
