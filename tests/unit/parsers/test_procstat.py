"""/proc/<pid>/stat, ps tables and reclaim-thread discovery."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.procstat import (
    ProcStat,
    classify_reclaim_thread,
    find_reclaim_threads,
    parse_proc_stat,
    parse_proc_stats,
)
from android_suite.parsers.ps import parse_ps

DATA = Path(__file__).parents[2] / "data" / "procstat"


def stat(name: str) -> ProcStat:
    return parse_proc_stat((DATA / name).read_bytes())


def test_kswapd0_4_14() -> None:
    s = stat("stat_kswapd0_4.14.txt")
    assert (s.pid, s.comm, s.state, s.ppid) == (118, "kswapd0", "S", 2)
    assert (s.utime, s.stime, s.num_threads, s.starttime) == (0, 24_512, 1, 45)
    assert (s.vsize, s.rss, s.processor) == (0, 0, 5)
    assert not s.truncated


def test_comm_with_spaces_and_parentheses() -> None:
    s = stat("stat_sd_pam_parens.txt")
    assert s.comm == "(sd-pam) (x)" and s.pid == 1877 and s.ppid == 1871
    assert s.vsize == 10_895_360 and s.rss == 512
    j = stat("stat_jit_thread_pool_task.txt")
    assert j.comm == "Jit thread pool" and j.nice == -10 and j.priority == 10
    assert (j.minflt, j.majflt, j.utime, j.stime, j.num_threads) == (1523, 12, 2231, 410, 37)
    assert j.vsize == 15_023_562_752 and j.rss == 48_211 and j.processor == 4


def test_odd_shapes() -> None:
    assert stat("stat_kswapd0_4.14_crlf.txt") == stat("stat_kswapd0_4.14.txt")
    u = stat("stat_kswapd0_5.10_utf16le_bom.txt")
    assert (u.pid, u.comm, u.utime, u.stime) == (89, "kswapd0", 1, 64_018)


def test_short_unterminated_line_has_no_processor() -> None:
    s = stat("stat_truncated_after_rsslim.txt")
    assert s.truncated and s.processor is None and s.rss == 48_211


@pytest.mark.parametrize(
    "text",
    ["", "118 kswapd0 S 2\n", "118 (kswapd0) S 2 0 0\n", "x (a) S " + "0 " * 50 + "\n", "1 (a) S x" + " 0" * 50 + "\n"],
)
def test_malformed_stat(text: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_proc_stat(text)
    assert err.value.source == "/proc/<pid>/stat"


def test_many_stat_lines_and_reclaim_threads() -> None:
    stats = parse_proc_stats((DATA / "tasks_all_6.1.txt").read_bytes())
    assert [s.comm for s in stats][:4] == ["init", "kthreadd", "kswapd0", "kcompressd0"]
    r = find_reclaim_threads(stats)
    assert [t.name for t in r.kswapd] == ["kswapd0"] and [t.pid for t in r.kcompressd] == [97]
    assert r.kswapd_cpu_seconds == pytest.approx((3 + 183_211) / 100)
    assert r.kcompressd_cpu_seconds == pytest.approx(910.77)
    assert r.kcompressd_variant == "per-node" and r.kcompressd[0].node == 0
    json.dumps(asdict(r))


def test_clock_tick_rate_is_a_parameter() -> None:
    r = find_reclaim_threads([stat("stat_kswapd0_6.1.txt")], clock_ticks=250)
    assert r.kswapd_cpu_seconds == pytest.approx(183_214 / 250) and r.clock_ticks == 250
    with pytest.raises(ValueError):
        find_reclaim_threads([], clock_ticks=0)


def test_no_kcompressd_is_none_not_zero() -> None:
    r = find_reclaim_threads([stat("stat_kswapd0_4.14.txt"), stat("stat_sd_pam_parens.txt")])
    assert r.kcompressd == () and r.kcompressd_cpu_seconds is None and r.kcompressd_variant is None
    assert r.kswapd_cpu_seconds == pytest.approx(245.12)


def test_rfc_and_multi_kswapd_names() -> None:
    r = find_reclaim_threads(
        [stat("stat_kcompressd_rfc_6.6.txt"), stat("stat_kswapd0_1_4.19.txt"), stat("stat_truncated_after_rsslim.txt")]
    )
    assert r.kcompressd_variant == "rfc" and r.kcompressd[0].index == 0 and r.kcompressd[0].node is None
    assert (r.kswapd[0].node, r.kswapd[0].index) == (0, 1)
    assert r.truncated  # one input record was cut


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("kswapd0", ("kswapd", 0, None)),
        ("kswapd", ("kswapd", None, None)),
        ("kswapd1:2", ("kswapd", 1, 2)),
        ("[kswapd0]", ("kswapd", 0, None)),
        ("kcompressd0", ("kcompressd", 0, None)),
        ("kcompressd:3", ("kcompressd", None, 3)),
        ("kcompressd", None),
        ("kswapd0x", None),
        ("kworker/0:1", None),
    ],
)
def test_classify_reclaim_thread(name: str, expected: tuple[str, int | None, int | None] | None) -> None:
    assert classify_reclaim_thread(name) == expected


def test_ps_toybox_android14() -> None:
    t = parse_ps((DATA / "ps_A_toybox_android14.txt").read_bytes())
    assert len(t.entries) == 8 and not t.truncated
    assert t.reclaim_pids() == {"kswapd0": 96, "kcompressd0": 97}
    init = t.entries[0]
    assert (init.user, init.pid, init.ppid, init.state, init.name) == ("root", 1, 0, "S", "init")
    assert t.entries[2].state is None  # blank WCHAN: later columns are not trusted by position
    assert t.entries[2].name == "[kswapd0]"


def test_ps_toolbox_state_before_name() -> None:
    t = parse_ps((DATA / "ps_toolbox_android7.txt").read_bytes())
    assert [e.name for e in t.entries] == ["/init", "kthreadd", "kswapd0", "zygote64", "ps"]
    assert t.entries[4].state == "R" and t.reclaim_pids() == {"kswapd0": 118}


def test_ps_procps_and_threads() -> None:
    e = parse_ps((DATA / "ps_e_procps.txt").read_bytes())
    assert e.reclaim_pids() == {"kswapd0": 96, "kcompressd0": 97, "kcompressd:0": 4312}
    assert e.entries[0].ppid is None
    t = parse_ps((DATA / "ps_AT_toybox_rfc_threads.txt").read_bytes())
    assert t.entries[-1].name == "Jit thread pool" and t.entries[-1].tid == 5601
    assert t.reclaim_pids() == {"kswapd0": 89, "kcompressd:0": 4312, "kcompressd:1": 4313}


def test_ps_crlf_truncated() -> None:
    t = parse_ps((DATA / "ps_A_toybox_crlf_truncated.txt").read_bytes())
    assert t.truncated and [e.pid for e in t.entries] == [96]


@pytest.mark.parametrize(
    ("text", "line"),
    [("USER NAME\nroot init\n", 1), ("PID NAME\nabc init\n", 2), ("USER PID PPID NAME\nroot 1\n", 2)],
)
def test_ps_malformed(text: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_ps(text)
    assert err.value.source == "ps" and err.value.line == line


def test_bad_line_in_many_stats_names_its_line() -> None:
    good = (DATA / "stat_kswapd0_4.14.txt").read_text()
    with pytest.raises(ParseError) as err:
        parse_proc_stats(good + "\n" + "garbage\n")
    assert err.value.line == 3


def test_mixed_kcompressd_variants_are_reported() -> None:
    r = find_reclaim_threads([stat("stat_kcompressd0_6.1.txt"), stat("stat_kcompressd_rfc_6.6.txt")])
    assert r.kcompressd_variant == "mixed"
