"""Parse ``dumpsys meminfo PKG`` (one app); system-wide ``dumpsys meminfo`` is :mod:`dumpsys_meminfo_summary`.

Per package (``ActivityThread.dumpMemInfoTable``): a table whose two header
lines name the columns (``Pss Total``, ``Private Dirty``, ``SwapPss Dirty``,
or ``Swap Dirty`` when the kernel cannot report swap PSS, ``Rss Total`` on
recent releases, ``Heap Size`` ...), a ``TOTAL`` row, then the App Summary::

                       Pss(KB)                        Rss(KB)
           Java Heap:     6408                          26216
             Unknown:                                    2104
           TOTAL PSS:    31768            TOTAL RSS:   120112       TOTAL SWAP PSS:        0

Releases before the RSS columns print ``TOTAL:`` and no Rss column. Table
columns come from the header, so ``-a`` tables and vendor columns work too.

Every value is in kB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_PKG = "dumpsys meminfo"
_SECTION = re.compile(r"^\s*\*\* MEMINFO in pid (\d+) \[(.*)\] \*\*\s*$")
KB_PATTERN = r"(-?\d[\d,]*)\s*(?:K|kB|KB)?"
_TOTAL_ROW = re.compile(r"^\s*TOTAL((?:\s+-?\d+)+)\s*$")
_SUMMARY_TOTAL = re.compile(r"(TOTAL(?: [A-Z]+)*(?: \(KB\))?):\s*(-?\d[\d,]*)")
_SUMMARY_ROW = re.compile(r"^\s*([A-Za-z][A-Za-z ]*):((?:\s+-?\d+)*)\s*$")
# Table column (two header words joined) -> MeminfoPackage field.
_COLUMNS = {
    "Pss Total": "pss_kb",
    "Private Dirty": "private_dirty_kb",
    "Private Clean": "private_clean_kb",
    "SwapPss Dirty": "swap_pss_kb",
    "Swap Dirty": "swapped_dirty_kb",
    "Swapped Dirty": "swapped_dirty_kb",
    "Rss Total": "rss_kb",
    "Heap Size": "heap_size_kb",
    "Heap Alloc": "heap_alloc_kb",
    "Heap Free": "heap_free_kb",
}
_TOTALS = {
    "TOTAL": "summary_total_pss_kb",
    "TOTAL PSS": "summary_total_pss_kb",
    "TOTAL RSS": "summary_total_rss_kb",
    "TOTAL SWAP PSS": "summary_total_swap_pss_kb",
    "TOTAL SWAP (KB)": "summary_total_swap_kb",
}


def kb(text: str) -> int:
    return int(text.replace(",", ""))


def timeout_note(lines: list[str]) -> str | None:
    # "*** SERVICE 'meminfo' DUMP TIMEOUT (10000ms) EXPIRED ***": dumpsys gave up.
    return next((ln.strip(" *") for ln in lines if "DUMP TIMEOUT" in ln), None)


@dataclass(frozen=True)
class MeminfoPackage:
    """One process of ``dumpsys meminfo PKG``; kB, None when not printed.

    Attributes:
        pid, process: from ``** MEMINFO in pid N [name] **``.
        columns: the table's column names ("Pss Total", "SwapPss Dirty"...).
        total: the TOTAL row by column name.
        pss_kb .. heap_free_kb: the usual TOTAL row cells. ``swap_pss_kb``
            is the "SwapPss Dirty" column; kernels without swap PSS print
            "Swap Dirty" (swapped-out size, not proportional) instead, kept
            apart as ``swapped_dirty_kb``. ``rss_kb`` needs a release with
            RSS columns.
        summary_pss, summary_rss: App Summary rows by label ("Java Heap").
        summary_total_*: the App Summary totals line.
        truncated: the capture stopped before the App Summary totals.
    """

    pid: int | None = None
    process: str | None = None
    columns: tuple[str, ...] = ()
    total: dict[str, int] = field(default_factory=dict)
    pss_kb: int | None = None
    private_dirty_kb: int | None = None
    private_clean_kb: int | None = None
    swap_pss_kb: int | None = None
    swapped_dirty_kb: int | None = None
    rss_kb: int | None = None
    heap_size_kb: int | None = None
    heap_alloc_kb: int | None = None
    heap_free_kb: int | None = None
    summary_pss: dict[str, int] = field(default_factory=dict)
    summary_rss: dict[str, int] = field(default_factory=dict)
    summary_total_pss_kb: int | None = None
    summary_total_rss_kb: int | None = None
    summary_total_swap_pss_kb: int | None = None
    summary_total_swap_kb: int | None = None
    truncated: bool = False


def parse_meminfo_package(text: str | bytes) -> MeminfoPackage:
    """Parse the first process section of ``dumpsys meminfo PKG``.

    Raises:
        ParseError: no table or summary (e.g. "No process found for: pkg"),
            a TOTAL row wider than its header, or an unreadable number.
    """
    return parse_meminfo_package_all(text)[0]


def parse_meminfo_package_all(text: str | bytes) -> list[MeminfoPackage]:
    """Every ``** MEMINFO in pid **`` section (a package may run several processes)."""
    lines, unterminated = split_lines(as_text(text))
    if unterminated:
        lines = lines[:-1]  # a cut number would be read as a smaller one
    starts = [(i, m) for i, line in enumerate(lines) if (m := _SECTION.match(line))]
    bounds: list[tuple[int, int | None, str | None]] = [(i, int(m.group(1)), m.group(2)) for i, m in starts]
    bounds = bounds or [(0, None, None)]
    out = []
    for k, (start, pid, name) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else len(lines)
        rec = _package_section(lines, start, end, pid, name)
        if rec is not None:
            out.append(rec)
    if not out:
        if unterminated:
            return [MeminfoPackage(truncated=True)]
        missing = next((ln.strip() for ln in lines if ln.strip().startswith("No process found")), None)
        raise ParseError(_PKG, missing or timeout_note(lines) or "no MEMINFO table or App Summary in the capture")
    return out


def _package_section(
    lines: list[str], start: int, end: int, pid: int | None, name: str | None
) -> MeminfoPackage | None:
    values: dict[str, object] = {}
    columns: list[str] = []
    total: dict[str, int] = {}
    summary_pss: dict[str, int] = {}
    summary_rss: dict[str, int] = {}
    pss_end = rss_end = None  # right edges of the App Summary header cells
    in_summary = False
    for i in range(start, end):
        line = lines[i]
        if not columns and not in_summary and _is_dashes(line) and i - start >= 2:
            columns = _header(lines[i - 2], lines[i - 1], line)
        elif columns and not total and (tm := _TOTAL_ROW.match(line)):
            cells = [int(c) for c in tm.group(1).split()]
            if len(cells) > len(columns):
                raise ParseError(_PKG, f"TOTAL row has {len(cells)} cells for {len(columns)} columns", i + 1)
            total = dict(zip(columns, cells, strict=False))
        elif line.strip() == "App Summary":
            in_summary = True
        elif in_summary and "Pss(KB)" in line:
            pss_end = line.index("Pss(KB)") + len("Pss(KB)")
            rss_end = line.index("Rss(KB)") + len("Rss(KB)") if "Rss(KB)" in line else None
        elif in_summary and line.lstrip().startswith("TOTAL"):
            for label, number in _SUMMARY_TOTAL.findall(line):
                if label in _TOTALS:
                    values[_TOTALS[label]] = kb(number)
            in_summary = False
        elif in_summary and (sm := _SUMMARY_ROW.match(line)) and sm.group(2).strip():
            label = sm.group(1).strip()
            for cell in re.finditer(r"-?\d+", sm.group(2)):
                right = sm.start(2) + cell.end()
                # "Unknown:" has only an RSS cell: assign by nearest header edge.
                is_rss = rss_end is not None and (pss_end is None or abs(right - rss_end) < abs(right - pss_end))
                (summary_rss if is_rss else summary_pss)[label] = int(cell.group())
    if not columns and not summary_pss and "summary_total_pss_kb" not in values:
        return None
    for column, number in total.items():
        if column in _COLUMNS:
            values.setdefault(_COLUMNS[column], number)
    truncated = "summary_total_pss_kb" not in values
    return MeminfoPackage(
        pid=pid,
        process=name,
        columns=tuple(columns),
        total=total,
        summary_pss=summary_pss,
        summary_rss=summary_rss,
        truncated=truncated,
        **values,  # type: ignore[arg-type]
    )


def _is_dashes(line: str) -> bool:
    cells = line.split()
    return len(cells) >= 2 and all(set(c) == {"-"} for c in cells)


def _header(top: str, bottom: str, dashes: str) -> list[str]:
    """Column names, pairing the two header words by their right edge (cells are right-aligned)."""
    top_words = {m.end(): m.group() for m in re.finditer(r"\S+", top)}
    names = []
    for m in re.finditer(r"\S+", bottom):
        names.append(f"{top_words.get(m.end(), '')} {m.group()}".strip())
    # Some releases print one dash cell too many: the header words decide.
    return names[: len(dashes.split())] if len(dashes.split()) < len(names) else names
