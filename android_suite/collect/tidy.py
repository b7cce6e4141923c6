"""Sampler ticks -> tidy metric records, through the pure parsers.

The sampler keeps each source's raw text; this module is the one place that
turns a tick into ``MetricSample`` rows (kernel names, units), so the store,
analysis and report never parse device text. Which parser reads a source is
decided by its device path, the way a user names sources in a config
(``/proc/vmstat``, ``/sys/block/zram0/mm_stat``, ``/proc/123/stat``).

A source whose text fails to parse is skipped for that tick and counted in
:class:`TidyStats`, never written as zeros.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from android_suite.analysis.frames import MetricSample
from android_suite.collect.sampler_types import USER_HZ, Sample
from android_suite.errors import ParseError
from android_suite.parsers.meminfo import parse_meminfo
from android_suite.parsers.procstat import parse_proc_stat
from android_suite.parsers.psi import parse_psi
from android_suite.parsers.vmstat import parse_vmstat
from android_suite.parsers.zram import parse_mm_stat

Metric = tuple[str, float, str]  # name, value, unit
Reader = Callable[[str], Iterator[Metric]]

# vmstat fields derived across kernel versions (see parsers/vmstat.py).
_VMSTAT_DERIVED = (
    "allocstall_total",
    "pgsteal_total",
    "pgscan_total",
    "pgsteal_kswapd_total",
    "pgsteal_direct_total",
    "pgscan_kswapd_total",
    "pgscan_direct_total",
    "workingset_refault_total",
)
_MM_STAT = ("orig_data_size", "compr_data_size", "mem_used_total", "mem_limit", "mem_used_max")
_MM_PAGES = ("same_pages", "pages_compacted", "huge_pages", "huge_pages_since")


def _vmstat(text: str) -> Iterator[Metric]:
    v = parse_vmstat(text)
    for name, value in v.values.items():
        # nr_* are gauges in pages; everything else is an event counter.
        yield name, float(value), "pages" if name.startswith("nr_") else "count"
    for name in _VMSTAT_DERIVED:
        value = getattr(v, name)
        if value is not None:
            yield name, float(value), "count"


def _meminfo(text: str) -> Iterator[Metric]:
    m = parse_meminfo(text)
    for name, value in m.values.items():
        yield f"meminfo_{name}", float(value), "count" if name in m.no_unit else "kB"


def _psi(prefix: str) -> Reader:
    def read(text: str) -> Iterator[Metric]:
        p = parse_psi(text)
        for kind, line in (("some", p.some), ("full", p.full)):
            if line is None:
                continue
            for avg in ("avg10", "avg60", "avg300"):
                yield f"{prefix}{kind}_{avg}", float(getattr(line, avg)), "%"
            yield f"{prefix}{kind}_total", float(line.total_us), "us"

    return read


def _mm_stat(prefix: str) -> Reader:
    def read(text: str) -> Iterator[Metric]:
        s = parse_mm_stat(text)
        for name in _MM_STAT:
            yield f"{prefix}{name}", float(getattr(s, name)), "bytes"
        for name in _MM_PAGES:
            value = getattr(s, name)
            if value is not None:
                yield f"{prefix}{name}", float(value), "pages"

    return read


def _task_stat(text: str) -> Iterator[Metric]:
    s = parse_proc_stat(text)
    # Thread names keep their kernel form (kswapd0, kcompressd0) as the metric prefix.
    name = re.sub(r"[^A-Za-z0-9_]", "_", s.comm)
    yield f"{name}_cpu_s", (s.utime + s.stime) / USER_HZ, "s"


def reader_for(path: str) -> Reader | None:
    """The reader for a source's device path; None when no parser knows it."""
    if path == "/proc/vmstat":
        return _vmstat
    if path == "/proc/meminfo":
        return _meminfo
    if m := re.fullmatch(r"/proc/pressure/(memory|cpu|io)", path):
        return _psi("" if m.group(1) == "memory" else f"{m.group(1)}_")
    if m := re.fullmatch(r"/sys/block/(zram\d+)/mm_stat", path):
        return _mm_stat("" if m.group(1) == "zram0" else f"{m.group(1)}_")
    if re.fullmatch(r"/proc/\d+(/task/\d+)?/stat", path):
        return _task_stat
    return None


@dataclass
class TidyStats:
    """What could not be turned into metrics (reported, never silently zero)."""

    missing: dict[str, int] = field(default_factory=dict)  # source -> ticks it was absent
    unparsed: dict[str, int] = field(default_factory=dict)  # source -> ticks it failed to parse
    unknown: set[str] = field(default_factory=set)  # sources no parser knows
    untimed: int = 0  # ticks without a device timestamp


def tidy_samples(
    samples: Iterable[Sample],
    sources: Mapping[str, str],
    *,
    device: str,
    variant: str,
    iteration: int,
    boot_id: str | None = None,
    stats: TidyStats | None = None,
) -> list[MetricSample]:
    """Tidy rows for every parsable source of every tick, stamped with the device clock.

    Args:
        samples: sampler ticks.
        sources: the sampler config's source name -> device path.
        stats: filled in with what was skipped, if given.
    """
    stats = stats if stats is not None else TidyStats()
    readers = {name: reader_for(path) for name, path in sources.items()}
    stats.unknown.update(name for name, r in readers.items() if r is None)
    rows: list[MetricSample] = []
    for sample in samples:
        if sample.device_t is None:
            stats.untimed += 1
            continue
        t = sample.device_t
        for name, text in sample.sources.items():
            reader = readers.get(name)
            if reader is None:
                continue
            if text is None:
                stats.missing[name] = stats.missing.get(name, 0) + 1
                continue
            try:
                metrics = list(reader(text))
            except ParseError:
                stats.unparsed[name] = stats.unparsed.get(name, 0) + 1
                continue
            rows.extend(MetricSample(device, variant, iteration, t, m, v, u, boot_id) for m, v, u in metrics)
        cpu = sample.cpu_s
        if cpu is not None:
            rows.append(MetricSample(device, variant, iteration, t, "sampler_cpu_s", cpu, "s", boot_id))
    return rows
