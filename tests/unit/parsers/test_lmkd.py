"""parse_lmkd_kills: every lmkd and kernel lowmemorykiller kill shape in mixed logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.lmkd import LmkdKill, parse_lmkd_kills

DATA = Path(__file__).parents[2] / "data" / "lmkd"


def kills(name: str) -> list[LmkdKill]:
    return parse_lmkd_kills((DATA / name).read_bytes())


def test_modern_line_all_fields() -> None:
    k = kills("android14_threadtime.txt")
    assert len(k) == 3  # ActivityManager "Killing" and lmkd's other lines are not kills
    first = k[0]
    assert (first.pid, first.process, first.uid, first.oom_score_adj) == (
        9876,
        "com.google.android.apps.photos",
        10145,
        905,
    )
    assert (first.rss_kb, first.swap_kb) == (98123, 45012)
    assert first.reason == "low watermark is breached and swap is low (12340kB < 314572kB)"
    assert (first.timestamp, first.killer, first.line) == ("06-14 10:22:33.018", "lmkd", 4)
    assert k[1].process is not None and k[1].process.endswith("SandboxedProcessService0:2")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("android12_threadtime_year.txt", [(9876, 905, 98123, 45012), (14321, 200, 301222, 120330)]),
        ("android13_brief.txt", [(9876, 905, 98123, 45012)]),
        ("android11_threadtime.txt", [(9876, 906, 98123, None)]),
        ("android10_threadtime.txt", [(9876, 906, 98123, None), (9901, 904, 22004, None)]),
        ("android9_threadtime.txt", [(9876, 906, 98123, None), (9901, 904, 22004, None)]),
        ("android8_two_line.txt", [(9876, 906, 98123, None)]),
        ("android7_kernel_logcat.txt", [(9876, 906, 98123, None)]),
        ("android6_dmesg.txt", [(9876, 1000, 98123, None), (2222, 529, 41000, None)]),
        ("android16_vendor_lines.txt", [(9876, 905, 98123, 45012)]),
    ],
)
def test_every_shape(name: str, expected: list[tuple[int, int, int | None, int | None]]) -> None:
    got = kills(name)
    assert [(k.pid, k.oom_score_adj, k.rss_kb, k.swap_kb) for k in got] == expected
    assert not got.truncated  # type: ignore[attr-defined]


def test_timestamps_and_reasons_by_format() -> None:
    assert kills("android12_threadtime_year.txt")[0].timestamp == "2024-06-14 10:22:33.018"
    assert kills("android13_brief.txt")[0].timestamp is None
    assert kills("android15_time.txt")[0].timestamp == "06-14 10:22:33.018"
    assert kills("android6_dmesg.txt")[0].timestamp == "[ 2345.678901]"
    assert kills("android10_threadtime.txt")[0].reason is None
    assert kills("android10_threadtime.txt")[1].reason == "device is not responding"
    assert kills("android8_two_line.txt")[0].reason == "because system is under low memory pressure oom_adj 900"


def test_kernel_driver() -> None:
    k = kills("android6_dmesg.txt")[0]
    assert (k.killer, k.uid, k.process) == ("lowmemorykiller", None, "id.apps.photos")
    assert (
        k.reason == "on behalf of 'kswapd0' (98) because cache 123456kB is below limit 184320kB for oom_score_adj 1000"
    )
    logcat = kills("android7_kernel_logcat.txt")[0]
    assert logcat.reason is not None and logcat.reason.endswith("for oom_score_adj 900")


def test_watchdog_kill() -> None:
    k = kills("android15_time.txt")
    assert [(x.pid, x.process, x.oom_score_adj, x.reason) for x in k][1] == (10555, None, 920, "watchdog")


def test_encodings() -> None:
    assert kills("android14_utf16le_bom.txt") == kills("android14_threadtime.txt")
    crlf = kills("android14_crlf.txt")
    assert len(crlf) == 1 and crlf[0].reason == "low watermark is breached"


def test_truncated_last_kill_is_flagged_not_raised() -> None:
    got = kills("android14_truncated.txt")
    assert len(got) == 1 and got.truncated  # type: ignore[attr-defined]


def test_no_kills() -> None:
    got = kills("no_kills.txt")
    assert got == [] and not got.truncated  # type: ignore[attr-defined]


def test_malformed_kill_raises() -> None:
    with pytest.raises(ParseError) as err:
        kills("malformed_kill.txt")
    assert err.value.source == "lmkd" and err.value.line == 1


def test_malformed_kill_in_the_middle_raises_even_if_file_is_cut() -> None:
    text = "I lmkd    : Kill 'x' (1), uid oops\nI lmkd    : Kill 'y' (2), uid 3, oom_score_adj 4 to f"
    with pytest.raises(ParseError) as err:
        parse_lmkd_kills(text)
    assert err.value.line == 1
