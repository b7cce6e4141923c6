"""Shell patterns (``*``, ``?``, ``[...]``, ``[!...]``): case arms, ``${X%pat}``, and globbing the vfs."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from android_suite.virtual.api import FileSystem, FsError

_GLOB_CHARS = "*?["


def has_glob(text: str) -> bool:
    return any(c in text for c in _GLOB_CHARS)


def _translate(text: str, quoted: bool) -> str:
    if quoted:
        return re.escape(text)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = _bracket_end(text, i)
            if end < 0:
                out.append(re.escape(ch))  # an unmatched "[" is literal
            else:
                body = text[i + 1 : end]
                negate = body[:1] in ("!", "^")
                body = body[1:] if negate else body
                escaped = body.replace("\\", "\\\\").replace("[", "\\[")
                out.append(f"[{'^' if negate else ''}{escaped}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _bracket_end(text: str, start: int) -> int:
    j = start + 1
    if j < len(text) and text[j] in "!^":
        j += 1
    if j < len(text) and text[j] == "]":
        j += 1  # "[]x]": a leading "]" is a member
    end = text.find("]", j)
    return end


def pattern_regex(chunks: Sequence[tuple[str, bool]]) -> re.Pattern[str]:
    """Compile a pattern given as (text, quoted) chunks; quoted text matches literally."""
    return re.compile("".join(_translate(t, q) for t, q in chunks), re.DOTALL)


def _component_regex(component: list[tuple[str, bool]]) -> re.Pattern[str] | None:
    """None when the path component has no unquoted glob character."""
    if not any(not q and has_glob(t) for t, q in component):
        return None
    return pattern_regex(component)


def _split_components(chunks: Sequence[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    components: list[list[tuple[str, bool]]] = [[]]
    for text, quoted in chunks:
        pieces = text.split("/")
        for index, piece in enumerate(pieces):
            if index:
                components.append([])
            if piece:
                components[-1].append((piece, quoted))
    return components


def glob(chunks: Sequence[tuple[str, bool]], fs: FileSystem, cwd: str) -> list[str]:
    """Paths matching the pattern (relative patterns give relative paths), sorted."""
    text = "".join(t for t, _ in chunks)
    absolute = text.startswith("/")
    candidates = ["/" if absolute else ""]
    for component in [c for c in _split_components(chunks) if c]:
        regex = _component_regex(component)
        literal = "".join(t for t, _ in component)
        nxt: list[str] = []
        for base in candidates:
            if regex is None:
                nxt.append(posixpath.join(base, literal))
                continue
            try:
                entries = fs.listdir(posixpath.join(cwd, base) if base else cwd)
            except FsError:
                continue
            for name, _ in entries:
                # Dot files match only a pattern that starts with a dot.
                if name.startswith(".") and not literal.startswith("."):
                    continue
                if regex.fullmatch(name):
                    nxt.append(posixpath.join(base, name))
        candidates = nxt
    found = [c for c in candidates if fs.stat(posixpath.join(cwd, c) if c else cwd) is not None]
    return sorted(found)
