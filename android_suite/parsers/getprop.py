"""Parse the output of ``adb shell getprop`` (no arguments).

Format, one property per entry, sorted by name::

    [ro.board.platform]: [mt6771]
    [ro.build.version.sdk]: [28]

Quirks handled here, all seen on real handsets or their captured dumps:

* Values may contain newlines (``persist.*`` properties set by vendor scripts);
  such a value continues on the following lines until a line ending in ``]``
  that is followed by the next entry or the end of the text.
* Old adbd (Android 6 and earlier) runs commands on a pty, so lines end in
  ``\\r\\n`` (sometimes ``\\r\\r\\n``).
* Dumps saved on Windows (PowerShell ``>``) are UTF-16 with a BOM; editors
  add a UTF-8 BOM.
* A capture cut off mid-entry (timeout, dropped link) ends without the
  closing ``]``. That entry is reported as truncated, never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from android_suite.errors import ParseError
from android_suite.parsers.text import decode_text

_SOURCE = "getprop"
# Property names are [A-Za-z0-9_.:@-]; accept any non-space, non-"]" run so a
# vendor's odd name does not make the whole dump unreadable.
_ENTRY = re.compile(r"^\[([^\]\s]+)\]: \[(.*)$")


@dataclass(frozen=True)
class GetpropResult:
    """Properties read from one ``getprop`` dump.

    Attributes:
        props: property name -> value, for every complete entry.
        truncated: True when the text ended inside an entry.
        truncated_key: the name of that incomplete entry, if it got that far.
    """

    props: dict[str, str] = field(default_factory=dict)
    truncated: bool = False
    truncated_key: str | None = None


def _lines(text: str) -> list[str]:
    # Split on "\n" only: str.splitlines() would also split on \x0b, \x1c and
    # U+2028, which may legitimately appear inside a property value.
    lines = text.lstrip("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def parse_getprop(text: str | bytes) -> GetpropResult:
    """Parse a full ``getprop`` dump.

    Args:
        text: the dump, as text or as raw captured bytes.

    Returns:
        The properties and whether the dump was cut off mid-entry.

    Raises:
        ParseError: a line is neither an entry, a blank line nor the
            continuation of a multi-line value (source "getprop", with the
            1-based line number).
    """
    if isinstance(text, bytes):
        text = decode_text(text)
    lines = _lines(text)
    props: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        match = _ENTRY.match(line)
        if match is None:
            if i == len(lines) - 1 and _is_cut_entry(line):
                return GetpropResult(props, truncated=True, truncated_key=_partial_key(line))
            raise ParseError(_SOURCE, f"not a '[name]: [value]' line: {line[:120]!r}", line=i + 1)
        key = match.group(1)
        nxt = _next_entry(lines, i + 1)
        # The value ends on the last line before the next entry that ends in
        # "]": a multi-line value may contain lines ending in "]" itself.
        close = next((k for k in range(nxt - 1, i - 1, -1) if lines[k].endswith("]")), None)
        at_eof = nxt == len(lines)
        if close is None or (at_eof and any(x.strip() for x in lines[close + 1 :])):
            if at_eof:
                return GetpropResult(props, truncated=True, truncated_key=key)
            raise ParseError(_SOURCE, f"value of {key!r} has no closing ']'", line=i + 1)
        for k in range(close + 1, nxt):
            if lines[k].strip():
                raise ParseError(_SOURCE, f"not a '[name]: [value]' line: {lines[k][:120]!r}", line=k + 1)
        chunks = [match.group(2), *lines[i + 1 : close + 1]]
        props[key] = "\n".join(chunks)[:-1]  # drop the closing "]"
        i = nxt
    return GetpropResult(props)


def _next_entry(lines: list[str], start: int) -> int:
    """Index of the next line that starts an entry, or len(lines).

    A cut-off entry on the very last line counts as one, so the entry before
    it still closes normally.
    """
    for j in range(start, len(lines)):
        if _ENTRY.match(lines[j]) or (j == len(lines) - 1 and _is_cut_entry(lines[j])):
            return j
    return len(lines)


def _is_cut_entry(line: str) -> bool:
    # A prefix of "[name]: [": the capture stopped while the name was printed.
    return re.fullmatch(r"\[[^\]\s]*(\](:( \[?)?)?)?", line) is not None


def _partial_key(line: str) -> str | None:
    name = line[1:].split("]", 1)[0]
    return name or None
