"""tidy_samples: parsers applied per source, skips reported, never zero-filled."""

from __future__ import annotations

from android_suite.collect.sampler_types import Sample
from android_suite.collect.tidy import TidyStats, reader_for, tidy_samples

VMSTAT = "nr_free_pages 100\npgsteal_anon 40\npgsteal_file 2\nallocstall_normal 3\nallocstall_movable 4\n"
PSI = "some avg10=1.50 avg60=0.50 avg300=0.10 total=1234\nfull avg10=0.20 avg60=0.10 avg300=0.00 total=99\n"


def tick(seq: int, t: float | None, **sources: str | None) -> Sample:
    return Sample(seq, 0, t, None, 0.0, sources, {}, 250)


def test_known_sources_become_metrics_with_units() -> None:
    paths = {"vm": "/proc/vmstat", "psi": "/proc/pressure/memory", "odd": "/proc/loadavg"}
    stats = TidyStats()
    rows = tidy_samples(
        [tick(0, 10.0, vm=VMSTAT, psi=PSI, odd="0.1 0.2 0.3 1/2 3\n")],
        paths,
        device="d",
        variant="on",
        iteration=1,
        stats=stats,
    )
    by_name = {r.metric: r for r in rows}
    assert by_name["allocstall_total"].value == 7
    assert by_name["pgsteal_anon"].unit == "count"
    assert by_name["nr_free_pages"].unit == "pages"
    assert by_name["some_avg10"].value == 1.5
    assert by_name["full_total"].unit == "us"
    assert by_name["sampler_cpu_s"].value == 2.5
    assert {r.t for r in rows} == {10.0}
    assert stats.unknown == {"odd"}


def test_missing_unparsable_and_untimed_ticks_are_counted_not_zeroed() -> None:
    paths = {"vm": "/proc/vmstat"}
    stats = TidyStats()
    rows = tidy_samples(
        [tick(0, 1.0, vm=None), tick(1, 2.0, vm="this is not vmstat\n"), tick(2, None, vm=VMSTAT)],
        paths,
        device="d",
        variant="off",
        iteration=0,
        stats=stats,
    )
    assert [r.metric for r in rows] == ["sampler_cpu_s", "sampler_cpu_s"]
    assert stats.missing == {"vm": 1}
    assert stats.unparsed == {"vm": 1}
    assert stats.untimed == 1


def test_reader_paths() -> None:
    assert reader_for("/proc/1234/stat") is not None
    assert reader_for("/proc/1234/task/1240/stat") is not None
    assert reader_for("/sys/block/zram1/mm_stat") is not None
    assert reader_for("/proc/pressure/io") is not None
    assert reader_for("/proc/uptime") is None
