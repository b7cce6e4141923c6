"""Parse ``/proc/swaps`` (mm/swapfile.c ``swap_show``)::

    Filename                                Type            Size            Used            Priority
    /dev/block/zram0                        partition       4194300         1048576         -2

A header line (always printed, even with no swap), then one row per active
swap area. Size and Used are KiB. The kernel escapes space, tab, newline and
backslash in the file name as octal (``\\040``, ``\\011``, ``\\012``,
``\\134``); a deleted swap file shows as ``/data/swap\\040(deleted)``. Both
are decoded here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_SOURCE = "/proc/swaps"
_HEADER = ("Filename", "Type", "Size", "Used", "Priority")
_OCTAL = re.compile(r"\\([0-7]{3})")
_INT = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class SwapArea:
    """One row of ``/proc/swaps``.

    Attributes:
        filename: device or file path, octal escapes decoded.
        type: ``partition`` (zram and other block devices) or ``file``.
        size_kb: size in KiB.
        used_kb: KiB in use.
        priority: swap priority (negative when assigned by the kernel).
    """

    filename: str
    type: str
    size_kb: int
    used_kb: int
    priority: int


@dataclass(frozen=True)
class Swaps:
    """A ``/proc/swaps`` capture.

    Attributes:
        entries: the swap areas, in the kernel's order.
        truncated: the last line had no newline and was dropped.
        total_kb / used_kb: sums over the areas (0 with no swap).
    """

    entries: tuple[SwapArea, ...] = ()
    truncated: bool = False
    total_kb: int = field(init=False)
    used_kb: int = field(init=False)

    def __post_init__(self) -> None:
        # Fields rather than properties so that dataclasses.asdict (the CLI's
        # --json) carries them.
        object.__setattr__(self, "total_kb", sum(e.size_kb for e in self.entries))
        object.__setattr__(self, "used_kb", sum(e.used_kb for e in self.entries))


def _unescape(name: str) -> str:
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), name)


def parse_swaps(text: str | bytes) -> Swaps:
    """Parse a ``/proc/swaps`` capture.

    Raises:
        ParseError: no ``Filename Type Size Used Priority`` header first, or a
            complete row that is not ``name type size used priority`` with
            integer numbers (source "/proc/swaps", 1-based line number).
    """
    lines, unterminated = split_lines(as_text(text))
    if unterminated:
        lines = lines[:-1]  # "... 10485" may be the start of "... 1048576"
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        if unterminated:
            return Swaps(truncated=True)
        raise ParseError(_SOURCE, "empty capture: no header")
    first_no, first = numbered[0]
    if tuple(first.split()) != _HEADER:
        raise ParseError(
            _SOURCE, f"expected the 'Filename Type Size Used Priority' header, got {first[:120]!r}", first_no
        )
    entries = []
    for number, line in numbered[1:]:
        # rsplit: an unescaped space in a name (never from the kernel itself)
        # still leaves the four right-hand columns intact.
        parts = line.strip().rsplit(None, 4)
        if len(parts) != 5 or not all(_INT.match(p) for p in parts[2:]):
            raise ParseError(_SOURCE, f"not a 'name type size used priority' row: {line[:120]!r}", number)
        name, kind, size, used, prio = parts
        entries.append(SwapArea(_unescape(name), kind, int(size), int(used), int(prio)))
    return Swaps(entries=tuple(entries), truncated=unterminated)
