"""Parse zram sysfs files (Documentation/admin-guide/blockdev/zram.rst).

All are one line under ``/sys/block/zram<id>/``:

* ``mm_stat``: 7 fields since 4.1 (the 6th and 7th were first called
  ``zero_pages`` and ``num_migrated``), ``huge_pages`` added in 4.18 (8; Android 4.14 trees may
  carry it),
  ``huge_pages_since`` in 5.11 (9). The first five are bytes, the rest pages.
* ``io_stat``: ``failed_reads failed_writes invalid_io notify_free``; since
  about 6.5 the kernel prints a literal 0 for ``invalid_io``. Vendor kernels
  append columns (hardware-compression counters): kept in ``extra``.
* ``bd_stat``: ``bd_count bd_reads bd_writes`` in 4 KiB units
  (``CONFIG_ZRAM_WRITEBACK``).
* ``comp_algorithm``: the available algorithms, the selected one in brackets.
* ``disksize`` (bytes) and ``max_comp_streams``: one integer each.

These files are read in one go by the kernel, and shells often strip the
final newline (``$(cat ...)``), so a missing newline is not an error. It does
mean the last number may have been cut, so the record is flagged
``truncated`` and its values kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_INT = re.compile(r"^-?\d+$")


def _one_line(source: str, text: str | bytes) -> tuple[str, bool]:
    """The single non-blank line of a sysfs file, and whether it ended unterminated."""
    lines, unterminated = split_lines(as_text(text))
    filled = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not filled:
        raise ParseError(source, "empty capture")
    if len(filled) > 1:
        raise ParseError(source, f"expected one line, got another: {filled[1][1][:120]!r}", line=filled[1][0])
    return filled[0][1], unterminated


def _ints(source: str, text: str | bytes, least: int) -> tuple[list[int], bool]:
    line, unterminated = _one_line(source, text)
    tokens = line.split()
    bad = next((t for t in tokens if not _INT.match(t)), None)
    if bad is not None:
        raise ParseError(source, f"not an integer: {bad[:40]!r} in {line[:120]!r}", line=1)
    if len(tokens) < least:
        cut = " (capture cut short?)" if unterminated else ""
        raise ParseError(source, f"expected at least {least} fields, got {len(tokens)}{cut}", line=1)
    return [int(t) for t in tokens], unterminated


@dataclass(frozen=True)
class ZramMmStat:
    """``mm_stat``: memory use of one zram device.

    Attributes:
        orig_data_size: uncompressed bytes stored.
        compr_data_size: compressed bytes stored.
        mem_used_total: bytes allocated, allocator overhead included.
        mem_limit: memory limit in bytes (0: none).
        mem_used_max: peak of mem_used_total, bytes.
        same_pages: same-element-filled pages (no memory allocated).
        pages_compacted: pages freed by compaction.
        huge_pages: incompressible pages stored now (None before 4.18).
        huge_pages_since: incompressible pages since set-up (None before 5.11).
        extra: vendor columns after the documented ones.
        truncated: the line had no final newline (last value may be cut).
    """

    orig_data_size: int
    compr_data_size: int
    mem_used_total: int
    mem_limit: int
    mem_used_max: int
    same_pages: int
    pages_compacted: int
    huge_pages: int | None = None
    huge_pages_since: int | None = None
    extra: tuple[int, ...] = ()
    truncated: bool = False


def parse_mm_stat(text: str | bytes) -> ZramMmStat:
    """Parse ``/sys/block/zram<id>/mm_stat`` (7, 8 or 9 fields, plus vendor ones).

    Raises:
        ParseError: empty, more than one line, a non-integer, or under 7 fields.
    """
    values, unterminated = _ints("zram mm_stat", text, 7)
    later = [*values[7:9], None, None]
    return ZramMmStat(
        orig_data_size=values[0],
        compr_data_size=values[1],
        mem_used_total=values[2],
        mem_limit=values[3],
        mem_used_max=values[4],
        same_pages=values[5],
        pages_compacted=values[6],
        huge_pages=later[0],
        huge_pages_since=later[1],
        extra=tuple(values[9:]),
        truncated=unterminated,
    )


@dataclass(frozen=True)
class ZramIoStat:
    """``io_stat``: I/O events the block layer does not count.

    Attributes:
        failed_reads / failed_writes: failed requests.
        invalid_io: non-page-aligned requests (printed as 0 since about 6.5).
        notify_free: pages freed by swap-slot-free notifications or discards.
        extra: vendor columns appended after the four documented ones.
        truncated: the line had no final newline (last value may be cut).
    """

    failed_reads: int
    failed_writes: int
    invalid_io: int
    notify_free: int
    extra: tuple[int, ...] = ()
    truncated: bool = False


def parse_io_stat(text: str | bytes) -> ZramIoStat:
    """Parse ``/sys/block/zram<id>/io_stat``.

    Raises:
        ParseError: empty, more than one line, a non-integer, or under 4 fields.
    """
    values, unterminated = _ints("zram io_stat", text, 4)
    failed_reads, failed_writes, invalid_io, notify_free = values[:4]
    return ZramIoStat(failed_reads, failed_writes, invalid_io, notify_free, tuple(values[4:]), unterminated)


@dataclass(frozen=True)
class ZramBdStat:
    """``bd_stat``: backing-device (writeback) counters, in 4 KiB units.

    Attributes:
        bd_count: data currently written to the backing device.
        bd_reads / bd_writes: reads from / writes to the backing device.
        truncated: the line had no final newline (last value may be cut).
    """

    bd_count: int
    bd_reads: int
    bd_writes: int
    truncated: bool = False

    @property
    def bd_count_bytes(self) -> int:
        """``bd_count`` in bytes."""
        return self.bd_count * 4096


def parse_bd_stat(text: str | bytes) -> ZramBdStat:
    """Parse ``/sys/block/zram<id>/bd_stat`` (exactly 3 fields).

    Raises:
        ParseError: empty, more than one line, a non-integer, or not 3 fields.
    """
    values, unterminated = _ints("zram bd_stat", text, 3)
    if len(values) != 3:
        raise ParseError("zram bd_stat", f"expected 3 fields, got {len(values)}", line=1)
    return ZramBdStat(values[0], values[1], values[2], truncated=unterminated)


@dataclass(frozen=True)
class ZramCompAlgorithm:
    """``comp_algorithm``: which compressors zram lists, and which is in use.

    Attributes:
        selected: the bracketed algorithm, or None when none is bracketed.
        available: every listed algorithm, in the kernel's order.
        truncated: the line had no final newline (last name may be cut).
    """

    selected: str | None
    available: list[str] = field(default_factory=list)
    truncated: bool = False


def parse_comp_algorithm(text: str | bytes) -> ZramCompAlgorithm:
    """Parse ``/sys/block/zram<id>/comp_algorithm``, e.g. ``lzo lzo-rle [lz4] zstd``.

    Raises:
        ParseError: empty, more than one line, a malformed bracket, or two
            names in brackets.
    """
    source = "zram comp_algorithm"
    line, unterminated = _one_line(source, text)
    selected: str | None = None
    available: list[str] = []
    for token in line.split():
        name = token
        if token.startswith("[") or token.endswith("]"):
            name = token[1:-1]
            if not (token.startswith("[") and token.endswith("]") and name):
                raise ParseError(source, f"malformed bracketed name: {token!r}", line=1)
            if selected is not None:
                raise ParseError(source, f"two selected algorithms: {selected!r} and {name!r}", line=1)
            selected = name
        available.append(name)
    return ZramCompAlgorithm(selected=selected, available=available, truncated=unterminated)


def _single_int(source: str, text: str | bytes) -> int:
    values, _ = _ints(source, text, 1)
    if len(values) != 1:
        raise ParseError(source, f"expected one integer, got {len(values)} fields", line=1)
    return values[0]


def parse_disksize(text: str | bytes) -> int:
    """Parse ``/sys/block/zram<id>/disksize``: the device size in bytes (0: not set up)."""
    return _single_int("zram disksize", text)


def parse_max_comp_streams(text: str | bytes) -> int:
    """Parse ``/sys/block/zram<id>/max_comp_streams`` (one stream per CPU since 4.7, whatever it says)."""
    return _single_int("zram max_comp_streams", text)
