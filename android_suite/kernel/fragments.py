"""Kernel config fragments (``kernel_config/fragments/*.config``): load and parse.

A fragment is what ``scripts/kconfig/merge_config.sh`` takes: ``CONFIG_X=value``
and ``# CONFIG_X is not set`` lines plus comments. One project convention on
top: a comment line ``# @marker: why`` right before a setting says the symbol
is this project's marker (kcompressd v1 and Kcompressd-Unofficial have no
Kconfig of their own; see :mod:`android_suite.virtual.sim.kimage`), not an
upstream Kconfig symbol. Kconfig itself ignores that comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from android_suite.errors import ConfigError, ParseError
from android_suite.parsers.text import as_text, split_lines

# The clone's kernel_config/ (the package is installed editable from the clone).
KERNEL_CONFIG_DIR = Path(__file__).resolve().parents[2] / "kernel_config"
FRAGMENTS_DIR = KERNEL_CONFIG_DIR / "fragments"

_SET = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$")
_MARKER = re.compile(r"^#\s*@marker\b:?\s*(.*)$")


@dataclass(frozen=True)
class Setting:
    """One line of a fragment.

    Attributes:
        symbol: ``CONFIG_X``.
        value: as written (``y``, ``m``, ``"lz4"``); ``n`` for ``is not set``.
        fragment: the fragment's name (file name without ``.config``).
        line: 1-based line number in the fragment.
        marker: a project marker rather than an upstream Kconfig symbol.
        note: the text after ``@marker:``.
    """

    symbol: str
    value: str
    fragment: str
    line: int
    marker: bool = False
    note: str = ""


@dataclass(frozen=True)
class Fragment:
    """A parsed fragment file."""

    name: str
    path: Path
    settings: tuple[Setting, ...]

    def as_config(self) -> dict[str, str]:
        """CONFIG_X -> value, in file order (what the fragment asks of a .config)."""
        return {s.symbol: s.value for s in self.settings}


def parse_fragment(text: str | bytes, name: str) -> tuple[Setting, ...]:
    """The settings of one fragment; pure.

    Raises:
        ParseError: (source ``name``) a line that is not a setting, comment or
            blank; a symbol set twice; an ``@marker`` not followed by a setting.
    """
    lines, _ = split_lines(as_text(text))
    out: list[Setting] = []
    seen: dict[str, int] = {}
    marker: tuple[int, str] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        m = _SET.match(line) or _UNSET.match(line)
        if m is None:
            if marker is not None:
                raise ParseError(name, "@marker must be followed directly by a setting", marker[0])
            if mm := _MARKER.match(line):
                marker = (number, mm.group(1).strip())
            elif line and not line.startswith("#"):
                raise ParseError(name, f"not a config line: {line[:120]!r}", number)
            continue
        symbol = m.group(1)
        value = m.group(2) if m.re is _SET else "n"
        if symbol in seen:
            raise ParseError(name, f"{symbol} already set on line {seen[symbol]}", number)
        seen[symbol] = number
        note = marker[1] if marker else ""
        out.append(Setting(symbol, value, name, number, marker=marker is not None, note=note))
        marker = None
    if marker is not None:
        raise ParseError(name, "@marker at the end of the file", marker[0])
    return tuple(out)


def available_fragments(directory: Path | None = None) -> list[str]:
    """Names of the fragments in ``directory`` (default: the clone's kernel_config/fragments)."""
    folder = directory or FRAGMENTS_DIR
    return sorted(p.stem for p in folder.glob("*.config"))


def load_fragment(name_or_path: str | Path, directory: Path | None = None) -> Fragment:
    """A fragment by name (``psi`` or ``psi.config``, looked up in ``directory``) or by path.

    Raises:
        ConfigError: no such fragment, or it does not parse.
    """
    text = str(name_or_path)
    folder = directory or FRAGMENTS_DIR
    if "/" in text or Path(text).is_file():
        path = Path(text)
    else:
        path = folder / (text if text.endswith(".config") else f"{text}.config")
    if not path.is_file():
        known = ", ".join(available_fragments(folder)) or "none"
        raise ConfigError(f"kernel config fragment {text!r} not found (looked for {path}); known: {known}")
    name = path.name.removesuffix(".config")
    try:
        settings = parse_fragment(path.read_bytes(), name)
    except ParseError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return Fragment(name, path, settings)
