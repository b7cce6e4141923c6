"""Parse ``/proc/vmstat``: one ``name value`` counter per line, read by name.

Names, never positions: Android kernels add vendor keys (``spf_*``,
``nr_ion_heap``) and every release adds or splits some (see "Counter history"
in shared/docs/kcompressd.md). The derived totals below hide those splits:

* ``allocstall_total``: ``allocstall`` (before 4.8) plus every
  ``allocstall_<zone>`` (4.8+).
* ``pgsteal_total``/``pgscan_total``: the sum over reclaimers. A reclaimer is
  ``kswapd``, ``direct``, ``khugepaged`` (split from direct in 6.2) or
  ``proactive`` (``memory.reclaim``, split from direct in 6.15, unverified); the kernel
  counts each reclaimed page under exactly one of them, so they add up without
  overlap. Before 4.8 each reclaimer is split per zone
  (``pgsteal_kswapd_normal`` ...) and its zone keys are summed instead.
  ``pgscan_direct_throttle`` counts throttling events, not pages, and is never
  included. The per-type keys ``pgsteal_anon``/``pgsteal_file`` (5.8+) split
  the *same* pages a second way (plus cgroup-limit reclaim, which the
  per-reclaimer keys leave out), so they are never added to the reclaimer sum;
  they are used only if a kernel has no reclaimer key at all.
* ``pgsteal_direct_total`` is what the kernel calls direct: since 6.2 it no
  longer includes khugepaged (``pgsteal_khugepaged_total``), since 6.15 no
  longer ``memory.reclaim``. Before 6.2 direct includes khugepaged, so
  compare it across kernels with ``pgsteal_khugepaged_total`` added back.
* ``workingset_refault_total``: ``workingset_refault`` (3.15-5.8) or
  ``_anon`` + ``_file`` (5.9+).

Each derived value is None when the kernel prints none of its source keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_SOURCE = "/proc/vmstat"
_LINE = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s+(-?\d+)\s*$")
# Zone name suffixes of the pre-4.8 per-zone reclaim keys (mm/vmstat.c
# TEXTS_FOR_ZONES; "high" is HighMem on 32-bit ARM).
_ZONES = ("dma", "dma32", "normal", "high", "movable", "device")
_RECLAIMERS = ("kswapd", "direct", "khugepaged", "proactive")


def _sum(values: Mapping[str, int], keys: list[str]) -> int | None:
    present = [values[k] for k in keys if k in values]
    return sum(present) if present else None


def _reclaimer(values: Mapping[str, int], prefix: str, reclaimer: str) -> int | None:
    """``<prefix>_<reclaimer>`` (4.8+), else the sum of its per-zone keys."""
    key = f"{prefix}_{reclaimer}"
    if key in values:
        return values[key]
    return _sum(values, [f"{key}_{zone}" for zone in _ZONES])


def _reclaim_total(values: Mapping[str, int], prefix: str) -> int | None:
    total = _sum_optional(_reclaimer(values, prefix, r) for r in _RECLAIMERS)
    if total is None:
        total = _sum(values, [f"{prefix}_anon", f"{prefix}_file"])
    return total


def _sum_optional(parts: Iterable[int | None]) -> int | None:
    found = [p for p in parts if p is not None]
    return sum(found) if found else None


@dataclass(frozen=True)
class Vmstat:
    """One ``/proc/vmstat`` capture.

    Attributes:
        values: every counter by name, as printed (pages or events).
        truncated: the last line had no newline and was dropped (it may have
            been cut in the middle of its number).
        duplicates: names printed more than once (the first value is kept).
        allocstall_total: direct-reclaim stalls, all zones.
        pgsteal_total / pgscan_total: pages reclaimed / scanned, all
            reclaimers (see the module docstring for exactly which keys).
        pgsteal_kswapd_total / pgsteal_direct_total / pgsteal_khugepaged_total:
            pages reclaimed by one reclaimer, zones summed before 4.8.
        pgscan_kswapd_total / pgscan_direct_total: pages scanned likewise.
        pgsteal_anon / pgsteal_file: pages reclaimed per type (5.8+).
        pswpin / pswpout: pages read from / written to swap.
        workingset_refault_total: refaults, anon and file.
        swpout_zero: zero-filled pages never written to swap (6.13+).
    """

    values: dict[str, int] = field(default_factory=dict)
    truncated: bool = False
    duplicates: tuple[str, ...] = ()
    allocstall_total: int | None = field(init=False)
    pgsteal_total: int | None = field(init=False)
    pgscan_total: int | None = field(init=False)
    pgsteal_kswapd_total: int | None = field(init=False)
    pgsteal_direct_total: int | None = field(init=False)
    pgsteal_khugepaged_total: int | None = field(init=False)
    pgscan_kswapd_total: int | None = field(init=False)
    pgscan_direct_total: int | None = field(init=False)
    pgsteal_anon: int | None = field(init=False)
    pgsteal_file: int | None = field(init=False)
    pswpin: int | None = field(init=False)
    pswpout: int | None = field(init=False)
    workingset_refault_total: int | None = field(init=False)
    swpout_zero: int | None = field(init=False)

    def __post_init__(self) -> None:
        v = self.values
        stalls = [n for n in v if n == "allocstall" or n.startswith("allocstall_")]
        refault = v.get("workingset_refault")
        if refault is None:
            refault = _sum(v, ["workingset_refault_anon", "workingset_refault_file"])
        derived = {
            "allocstall_total": _sum(v, stalls),
            "pgsteal_total": _reclaim_total(v, "pgsteal"),
            "pgscan_total": _reclaim_total(v, "pgscan"),
            "pgsteal_kswapd_total": _reclaimer(v, "pgsteal", "kswapd"),
            "pgsteal_direct_total": _reclaimer(v, "pgsteal", "direct"),
            "pgsteal_khugepaged_total": _reclaimer(v, "pgsteal", "khugepaged"),
            "pgscan_kswapd_total": _reclaimer(v, "pgscan", "kswapd"),
            "pgscan_direct_total": _reclaimer(v, "pgscan", "direct"),
            "pgsteal_anon": v.get("pgsteal_anon"),
            "pgsteal_file": v.get("pgsteal_file"),
            "pswpin": v.get("pswpin"),
            "pswpout": v.get("pswpout"),
            "workingset_refault_total": refault,
            "swpout_zero": v.get("swpout_zero"),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def __getitem__(self, name: str) -> int:
        return self.values[name]

    def __contains__(self, name: object) -> bool:
        return name in self.values

    def get(self, name: str) -> int | None:
        """The counter ``name``, or None when this kernel does not print it."""
        return self.values.get(name)


def parse_vmstat(text: str | bytes) -> Vmstat:
    """Parse a ``/proc/vmstat`` capture.

    Args:
        text: the file's content, as text or raw captured bytes (UTF-16 and
            CRLF captures are accepted).

    Returns:
        Every counter by name plus the derived totals.

    Raises:
        ParseError: the capture is empty, or a complete line is not
            ``name value`` (source "/proc/vmstat", 1-based line number).
    """
    lines, unterminated = split_lines(as_text(text))
    if unterminated:
        # The kernel ends every line with "\n": "pswpout 12" without one may
        # be the start of "pswpout 1234", so it is dropped, not trusted.
        lines = lines[:-1]
    values: dict[str, int] = {}
    duplicates: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise ParseError(_SOURCE, f"not a 'name value' line: {line[:120]!r}", line=number)
        name, value = match.group(1), int(match.group(2))
        if name in values:
            duplicates.append(name)
            continue
        values[name] = value
    if not values and not unterminated:
        raise ParseError(_SOURCE, "empty capture: no counters")
    return Vmstat(values=values, truncated=unterminated, duplicates=tuple(duplicates))
