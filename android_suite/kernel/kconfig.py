"""Parse a kernel ``.config`` (what ``/proc/config.gz`` decompresses to).

Three kinds of line (scripts/kconfig/confdata.c): ``CONFIG_X=value``,
``# CONFIG_X is not set`` and other ``#`` comments; blank lines separate
menus. Values keep their spelling (``y``, ``m``, ``24``, ``"lz4"``); an unset
option maps to ``"n"`` so "explicitly off" and "absent from this kernel" stay
apart (absent keys are simply missing).
"""

from __future__ import annotations

import re

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_SOURCE = "/proc/config.gz"
_SET = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$")


def parse_kernel_config(text: str | bytes) -> dict[str, str]:
    """CONFIG_* -> value from ``.config`` text.

    Raises:
        ParseError: a line that is neither an option, a comment nor blank
            (source "/proc/config.gz", 1-based line).
    """
    lines, _ = split_lines(as_text(text))
    out: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if m := _SET.match(line):
            out[m.group(1)] = m.group(2)
        elif m := _UNSET.match(line):
            out[m.group(1)] = "n"
        elif line and not line.startswith("#"):
            raise ParseError(_SOURCE, f"not a config line: {line[:120]!r}", number)
    return out


def config_string(config: dict[str, str] | None, symbol: str) -> str | None:
    """A string option without its quotes (``CONFIG_ZRAM_DEF_COMP="lz4"`` -> ``lz4``)."""
    if config is None or symbol not in config:
        return None
    value = config[symbol]
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
