"""Parse ``/proc/meminfo`` (Documentation/filesystems/proc.rst)::

    MemTotal:        7812344 kB
    MemAvailable:    3021556 kB
    HugePages_Total:       0

One ``Key: value [kB]`` per line. Most values are kB; the ``HugePages_*``
counts have no unit (their names are kept in ``no_unit``). Android kernels
add vendor keys (``ION_heap``, ``GPUTotal``, ``KReclaimable`` ...), so every
key is kept by name; the usual ones also get a typed field, None when this
kernel does not print the key (``MemAvailable`` appeared in 3.14, for one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_SOURCE = "/proc/meminfo"
_LINE = re.compile(r"^\s*([^:\s][^:]*?)\s*:\s*(-?\d+)\s*(kB)?\s*$")
# Typed field -> meminfo key.
_FIELDS = {
    "mem_total_kb": "MemTotal",
    "mem_free_kb": "MemFree",
    "mem_available_kb": "MemAvailable",
    "buffers_kb": "Buffers",
    "cached_kb": "Cached",
    "swap_cached_kb": "SwapCached",
    "active_anon_kb": "Active(anon)",
    "inactive_anon_kb": "Inactive(anon)",
    "active_file_kb": "Active(file)",
    "inactive_file_kb": "Inactive(file)",
    "swap_total_kb": "SwapTotal",
    "swap_free_kb": "SwapFree",
    "anon_pages_kb": "AnonPages",
    "mapped_kb": "Mapped",
    "shmem_kb": "Shmem",
    "slab_kb": "Slab",
}


@dataclass(frozen=True)
class Meminfo:
    """A ``/proc/meminfo`` capture.

    Attributes:
        values: every key as printed (kB, except the keys in ``no_unit``).
        no_unit: keys printed without a unit (``HugePages_Total`` ...).
        truncated: the last line had no newline and was dropped.
        duplicates: keys printed more than once (the first value is kept).
        mem_total_kb ... slab_kb: the usual keys in kB, None when absent.
    """

    values: dict[str, int] = field(default_factory=dict)
    no_unit: tuple[str, ...] = ()
    truncated: bool = False
    duplicates: tuple[str, ...] = ()
    mem_total_kb: int | None = field(init=False)
    mem_free_kb: int | None = field(init=False)
    mem_available_kb: int | None = field(init=False)
    buffers_kb: int | None = field(init=False)
    cached_kb: int | None = field(init=False)
    swap_cached_kb: int | None = field(init=False)
    active_anon_kb: int | None = field(init=False)
    inactive_anon_kb: int | None = field(init=False)
    active_file_kb: int | None = field(init=False)
    inactive_file_kb: int | None = field(init=False)
    swap_total_kb: int | None = field(init=False)
    swap_free_kb: int | None = field(init=False)
    anon_pages_kb: int | None = field(init=False)
    mapped_kb: int | None = field(init=False)
    shmem_kb: int | None = field(init=False)
    slab_kb: int | None = field(init=False)

    def __post_init__(self) -> None:
        # Fields rather than properties so that dataclasses.asdict carries them.
        for name, key in _FIELDS.items():
            object.__setattr__(self, name, self.values.get(key))

    def __getitem__(self, key: str) -> int:
        return self.values[key]

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def get(self, key: str) -> int | None:
        """The value of ``key`` as printed, or None when absent."""
        return self.values.get(key)

    @property
    def swap_used_kb(self) -> int | None:
        """SwapTotal - SwapFree, None when either is absent."""
        if self.swap_total_kb is None or self.swap_free_kb is None:
            return None
        return self.swap_total_kb - self.swap_free_kb


def parse_meminfo(text: str | bytes) -> Meminfo:
    """Parse a ``/proc/meminfo`` capture.

    Raises:
        ParseError: the capture is empty, or a complete line is not
            ``Key: N [kB]`` (source "/proc/meminfo", 1-based line number).
    """
    lines, unterminated = split_lines(as_text(text))
    if unterminated:
        lines = lines[:-1]  # "MemFree: 12" may be the start of "MemFree: 1234 kB"
    values: dict[str, int] = {}
    no_unit: list[str] = []
    duplicates: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise ParseError(_SOURCE, f"not a 'Key: N kB' line: {line[:120]!r}", line=number)
        key = match.group(1)
        if key in values:
            duplicates.append(key)
            continue
        values[key] = int(match.group(2))
        if match.group(3) is None:
            no_unit.append(key)
    if not values and not unterminated:
        raise ParseError(_SOURCE, "empty capture: no fields")
    return Meminfo(values=values, no_unit=tuple(no_unit), truncated=unterminated, duplicates=tuple(duplicates))
