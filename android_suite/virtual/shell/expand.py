"""Word expansion: parameters, field splitting and pathname globbing against the vfs."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable

from android_suite.virtual.api import FileSystem, FsError
from android_suite.virtual.shell.lexer import Part

Lookup = Callable[[str], str | None]  # parameter name -> value, None if unset

_GLOB_CHARS = "*?["
_IFS_RE = re.compile(r"[ \t\n]+")


def _value(part: Part, lookup: Lookup) -> str:
    if part.kind == "lit":
        return part.text
    value = lookup(part.text)
    if part.default is not None and (value is None or (part.colon and value == "")):
        return part.default
    return value or ""


def expand_value(word: tuple[Part, ...], lookup: Lookup) -> str:
    """An assignment's right-hand side: expanded, but never split or globbed."""
    return "".join(_value(p, lookup) for p in word)


def expand_word(word: tuple[Part, ...], lookup: Lookup, fs: FileSystem, cwd: str) -> list[str]:
    """One word -> zero or more argv fields, as the shell builds them."""
    fields: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []  # (text, may glob)
    present = False  # a quoted part keeps even an empty field ("" is an argument)

    def flush() -> None:
        nonlocal current, present
        if present:
            fields.append(current)
        current, present = [], False

    for part in word:
        value = _value(part, lookup)
        if part.quoted:
            current.append((value, False))
            present = True
        elif part.kind == "lit":
            current.append((value, True))
            present = present or bool(value)
        else:
            # Unquoted expansions split on IFS whitespace (default IFS).
            for index, piece in enumerate(_IFS_RE.split(value) if value else []):
                if index:
                    flush()
                if piece:
                    current.append((piece, True))
                    present = True
    flush()
    out: list[str] = []
    for chunks in fields:
        text = "".join(t for t, _ in chunks)
        if any(g and any(c in t for c in _GLOB_CHARS) for t, g in chunks):
            pattern = "".join(t if g else _escape(t) for t, g in chunks)
            # No match leaves the word as typed (mksh has no nullglob by default).
            out.extend(glob(pattern, fs, cwd) or [text])
        else:
            out.append(text)
    return out


def _escape(text: str) -> str:
    return "".join(f"[{c}]" if c in _GLOB_CHARS else c for c in text)


def _unescape(pattern: str) -> str:
    return re.sub(r"\[([*?[])\]", r"\1", pattern)


def _has_magic(component: str) -> bool:
    return any(c in _GLOB_CHARS for c in re.sub(r"\[[*?[]\]", "", component))


def glob(pattern: str, fs: FileSystem, cwd: str) -> list[str]:
    """Paths matching ``pattern`` (relative patterns give relative paths), sorted."""
    absolute = pattern.startswith("/")
    candidates = ["/" if absolute else ""]
    for component in [c for c in pattern.split("/") if c]:
        nxt: list[str] = []
        for base in candidates:
            if not _has_magic(component):
                nxt.append(posixpath.join(base, _unescape(component)))
                continue
            try:
                entries = fs.listdir(posixpath.join(cwd, base) if base else cwd)
            except FsError:
                continue
            for name, _ in entries:
                # Dot files match only a pattern that starts with a dot.
                if name.startswith(".") and not component.startswith("."):
                    continue
                if fnmatch.fnmatchcase(name, component):
                    nxt.append(posixpath.join(base, name))
        candidates = nxt
    found = [c for c in candidates if fs.stat(posixpath.join(cwd, c) if c else cwd) is not None]
    return sorted(found)
