"""Shared text handling for parsers: decoding captures, splitting lines.

Captures reach us as bytes from adb, as files users attach to bug reports
(saved by Windows tools as UTF-16 or with CRLF), or as str. Every parser
starts from :func:`as_text` and :func:`split_lines` so those shapes are
handled once.
"""

from __future__ import annotations

import codecs


def decode_text(data: bytes) -> str:
    """Decode captured bytes, honouring UTF-8/UTF-16 BOMs.

    Without a BOM, text that looks like UTF-16 (a NUL among the first bytes
    of an ASCII-heavy dump) is decoded as such, the NUL position telling the
    byte order; anything else is UTF-8 with undecodable bytes replaced rather
    than raised on.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith(codecs.BOM_UTF16_LE):
        return data[2:].decode("utf-16-le", errors="replace")
    if data.startswith(codecs.BOM_UTF16_BE):
        return data[2:].decode("utf-16-be", errors="replace")
    if len(data) >= 2 and b"\x00" in data[:64]:
        encoding = "utf-16-le" if data[1] == 0 else "utf-16-be"
        return data.decode(encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


def as_text(text: str | bytes) -> str:
    """str as is (minus a leading BOM), bytes through :func:`decode_text`."""
    if isinstance(text, bytes):
        return decode_text(text)
    return text.lstrip("\ufeff")


def split_lines(text: str) -> tuple[list[str], bool]:
    """Lines without their CR/LF, and whether the last line was cut short.

    Splits on "\\n" only: str.splitlines() would also split on \\x0b, \\x1c
    and U+2028, which may legitimately appear inside values. The second item
    is True when the text does not end with a newline, i.e. the capture may
    have been cut in the middle of its last line.
    """
    if not text:
        return [], False
    lines = text.split("\n")
    unterminated = lines[-1] != ""
    if not unterminated:
        lines.pop()
    return [line.rstrip("\r") for line in lines], unterminated
