"""Parse system-wide ``dumpsys meminfo`` (the per-package table is :mod:`dumpsys_meminfo`).

System-wide (``ActivityManagerService`` memory dump): the ``Total RAM``,
``Free RAM``, ``Used RAM``, ``Lost RAM`` and ``ZRAM`` lines, written
``1,234,567K`` since Android 7 and ``1234567 kB`` before, and the optional
``Total PSS by process:`` / ``Total PSS by OOM adjustment:`` lists.
Every value is in kB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from android_suite.errors import ParseError
from android_suite.parsers.dumpsys_meminfo import KB_PATTERN as _KB
from android_suite.parsers.dumpsys_meminfo import kb as _kb
from android_suite.parsers.dumpsys_meminfo import timeout_note as _timeout
from android_suite.parsers.text import as_text, split_lines

_SYS = "dumpsys meminfo (summary)"

_TOTAL_RAM = re.compile(rf"^\s*Total RAM:\s*{_KB}(?:\s*\(status (\w+)\))?")
_PLAIN = re.compile(rf"^\s*(Free RAM|Used RAM|Lost RAM):\s*{_KB}\s*(?:\((.*)\))?\s*$")
_PART = re.compile(rf"{_KB}\s+([a-z][a-z ]*?)\s*(?:\+|$)")
_ZRAM = re.compile(rf"^\s*ZRAM:\s*{_KB}\s*physical used for\s*{_KB}\s*in swap\s*\(\s*{_KB}\s*total swap\s*\)")
_LIST = re.compile(r"^\s*Total (PSS|RSS) by (process|OOM adjustment):\s*$")
_ENTRY = re.compile(rf"^(\s*){_KB}:\s+(.+?)(?:\s+\(pid (\d+)[^)]*\))?(?:\s+\(\s*{_KB}\s+in swap\s*\))?\s*$")
_PARTS = {
    "cached pss": "free_cached_pss_kb",
    "cached kernel": "free_cached_kernel_kb",
    "free": "free_free_kb",
    "used pss": "used_pss_kb",
    "kernel": "used_kernel_kb",
}


@dataclass(frozen=True)
class MeminfoEntry:
    """One line of a "Total PSS by ..." list (kB). pid is None for categories."""

    kb: int
    name: str
    pid: int | None = None
    swap_kb: int | None = None


@dataclass(frozen=True)
class MeminfoSummary:
    """The system-wide ``dumpsys meminfo`` tail, in kB; None when not printed.

    Attributes:
        status: memory factor from "(status normal|moderate|low|critical)".
        free_*: the "Free RAM" breakdown; used_*: the "Used RAM" one.
        lost_ram_kb: may be negative (accounting overlap), as printed.
        zram_physical_kb, zram_swap_used_kb, zram_total_swap_kb: the ZRAM line.
        pss_by_process, pss_by_oom_adj, rss_by_process: the optional lists;
            OOM adjustment keeps its top-level categories only.
        truncated: the capture stopped before the Total/Free/Used RAM lines.
    """

    total_ram_kb: int | None = None
    status: str | None = None
    free_ram_kb: int | None = None
    free_cached_pss_kb: int | None = None
    free_cached_kernel_kb: int | None = None
    free_free_kb: int | None = None
    used_ram_kb: int | None = None
    used_pss_kb: int | None = None
    used_kernel_kb: int | None = None
    lost_ram_kb: int | None = None
    zram_physical_kb: int | None = None
    zram_swap_used_kb: int | None = None
    zram_total_swap_kb: int | None = None
    pss_by_process: tuple[MeminfoEntry, ...] = ()
    pss_by_oom_adj: tuple[MeminfoEntry, ...] = ()
    rss_by_process: tuple[MeminfoEntry, ...] = ()
    truncated: bool = False


def parse_meminfo_summary(text: str | bytes) -> MeminfoSummary:
    """Parse system-wide ``dumpsys meminfo``.

    Raises:
        ParseError: no "Total RAM" line in a complete capture.
    """
    lines, unterminated = split_lines(as_text(text))
    if unterminated:
        lines = lines[:-1]
    values: dict[str, object] = {}
    lists: dict[str, list[MeminfoEntry]] = {}
    current: str | None = None
    ref: tuple[int, int] | None = None  # (indent, ":" column) of a list's first entry
    for line in lines:
        if m := _LIST.match(line):
            current = f"{m.group(1).lower()}_by_{'process' if m.group(2) == 'process' else 'oom_adj'}"
            lists[current] = []
            ref = None
            continue
        if current is not None:
            em = _ENTRY.match(line) if line.strip() else None
            if em is not None:
                # OOM categories list their processes 4 columns deeper. Since
                # Android 7 sizes are right-aligned ("%,9dK"), so a short top-level
                # size is indented more but ends its ":" in the same column;
                # nested entries are both more indented and end further right.
                where = (len(em.group(1)), em.end(2))
                ref = where if ref is None else ref
                nested = where[0] >= ref[0] + 4 and where[1] > ref[1]
                if not (current.endswith("oom_adj") and nested):
                    pid = int(em.group(4)) if em.group(4) else None
                    swap = _kb(em.group(5)) if em.group(5) else None
                    lists[current].append(MeminfoEntry(_kb(em.group(2)), em.group(3), pid, swap))
                continue
            current = None  # a blank or non-entry line ends the list
        _summary_line(line, values)
    for key, entries in lists.items():
        if key in ("pss_by_process", "pss_by_oom_adj", "rss_by_process"):
            values[key] = tuple(entries)
    complete = all(k in values for k in ("total_ram_kb", "free_ram_kb", "used_ram_kb"))
    if "total_ram_kb" not in values and not unterminated:
        raise ParseError(_SYS, _timeout(lines) or "no 'Total RAM:' line: not system-wide dumpsys meminfo output")
    return MeminfoSummary(truncated=not complete, **values)  # type: ignore[arg-type]


def _summary_line(line: str, values: dict[str, object]) -> None:
    if m := _TOTAL_RAM.match(line):
        values["total_ram_kb"] = _kb(m.group(1))
        if m.group(2):
            values["status"] = m.group(2)
    elif m := _PLAIN.match(line):
        values[m.group(1).lower().replace(" ", "_") + "_kb"] = _kb(m.group(2))
        for number, label in _PART.findall(m.group(3) or ""):
            if label in _PARTS:
                values[_PARTS[label]] = _kb(number)
    elif m := _ZRAM.match(line):
        values["zram_physical_kb"], values["zram_swap_used_kb"], values["zram_total_swap_kb"] = (
            _kb(m.group(1)),
            _kb(m.group(2)),
            _kb(m.group(3)),
        )
