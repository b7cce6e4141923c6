"""Parse pressure-stall information (Documentation/accounting/psi.rst).

``/proc/pressure/{memory,io,cpu}`` and cgroup ``*.pressure`` files::

    some avg10=0.12 avg60=0.05 avg300=0.01 total=123456
    full avg10=0.00 avg60=0.00 avg300=0.00 total=65432

avg10/avg60/avg300 are percentages of wall time over 10 s, 60 s and 300 s;
total is the cumulative stall time in microseconds. The cpu file has no
``full`` line before 5.13 (since then it prints one, all zeros at system
level); ``full`` is None when the line is absent. Fields are read by name.
Android kernels carry PSI from 4.9/4.14 backports on (lmkd needs it).

A final line without a newline is kept when it parses (the file is short and
shells strip the newline) but flags the record ``truncated``: its total may
have been cut. A final line that does not parse is dropped, likewise flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_SOURCE = "pressure (PSI)"
_LINE = re.compile(r"^\s*(some|full)((?:\s+\w+=\S*)+)\s*$")
_AVG = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class PsiLine:
    """One ``some`` or ``full`` line.

    Attributes:
        avg10 / avg60 / avg300: share of time stalled, in percent.
        total_us: cumulative stall time, microseconds.
    """

    avg10: float
    avg60: float
    avg300: float
    total_us: int


@dataclass(frozen=True)
class Psi:
    """A PSI file.

    Attributes:
        some: at least one task stalled (None only if the capture was cut
            inside this line).
        full: all non-idle tasks stalled at once; None when the kernel prints
            no ``full`` line (cpu before 5.13) or the capture was cut.
        truncated: the last line had no newline.
    """

    some: PsiLine | None
    full: PsiLine | None = None
    truncated: bool = False


def _parse_line(line: str, number: int) -> tuple[str, PsiLine]:
    match = _LINE.match(line)
    if match is None:
        raise ParseError(
            _SOURCE, f"not a 'some|full avg10=.. avg60=.. avg300=.. total=..' line: {line[:120]!r}", number
        )
    pairs = dict(token.split("=", 1) for token in match.group(2).split())
    try:
        avgs = [pairs[k] for k in ("avg10", "avg60", "avg300")]
        total = pairs["total"]
    except KeyError as missing:
        raise ParseError(_SOURCE, f"{match.group(1)} line lacks {missing.args[0]}", number) from None
    if not all(_AVG.match(a) for a in avgs) or not total.isdigit():
        raise ParseError(_SOURCE, f"bad number in {line[:120]!r}", number)
    return match.group(1), PsiLine(float(avgs[0]), float(avgs[1]), float(avgs[2]), int(total))


def parse_psi(text: str | bytes) -> Psi:
    """Parse ``/proc/pressure/memory`` (or ``cpu``, ``io``, a cgroup's ``*.pressure``).

    Raises:
        ParseError: empty, no ``some`` line first, a line given twice, or a
            complete line that is malformed (1-based line number).
    """
    lines, unterminated = split_lines(as_text(text))
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    found: dict[str, PsiLine] = {}
    for i, (number, line) in enumerate(numbered):
        try:
            kind, parsed = _parse_line(line, number)
        except ParseError:
            if unterminated and i == len(numbered) - 1:
                break  # cut inside the last line: drop it, flagged below
            raise
        if kind in found:
            raise ParseError(_SOURCE, f"second {kind!r} line (two captures joined?)", number)
        if kind == "full" and "some" not in found:
            raise ParseError(_SOURCE, "'full' line before any 'some' line", number)
        found[kind] = parsed
    if not found and not unterminated:
        raise ParseError(_SOURCE, "empty capture: no 'some' line")
    return Psi(some=found.get("some"), full=found.get("full"), truncated=unterminated)
