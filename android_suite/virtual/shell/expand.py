"""Word expansion: parameters, ``$(...)``, ``$((...))``, field splitting, globbing.

Order as POSIX/mksh: parameter, command and arithmetic expansion first; then
unquoted results are split on ``$IFS``; then each field is globbed against the
vfs; quotes are gone by then (each chunk remembers whether it was quoted, so a
quoted ``*`` stays literal).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

from android_suite.virtual.api import FileSystem
from android_suite.virtual.shell.nodes import Body, Part, Word
from android_suite.virtual.shell.patterns import glob, has_glob, pattern_regex

Chunk = tuple[str, bool]  # (text, quoted)


class ExpansionError(Exception):
    """Fatal in a non-interactive mksh: the message is printed and the shell exits 1."""


class Env(Protocol):
    """What expansion needs from the shell (the interpreter's frame provides it)."""

    @property
    def fs(self) -> FileSystem: ...

    @property
    def cwd(self) -> str: ...

    def get(self, name: str) -> str | None:
        """The value; under ``set -u`` an unset name raises ExpansionError."""
        ...

    def peek(self, name: str) -> str | None:
        """The value, unset or not (``${X:-default}`` is fine under ``set -u``)."""
        ...

    def set(self, name: str, value: str) -> None: ...

    def positional(self) -> list[str]: ...

    async def substitute(self, body: Body) -> str:
        """Run ``body`` in a subshell; its stdout with trailing newlines stripped."""
        ...

    def arith(self, expr: str) -> int: ...


class _Fields:
    def __init__(self, ifs: str, *, join: bool = False) -> None:
        self.join = join  # one field only: "$@" joins with spaces (x="$@", patterns)
        self.fields: list[list[Chunk]] = []
        self.current: list[Chunk] = []
        self.present = False  # a quoted part keeps even an empty field ("" is an argument)
        self.ifs = ifs
        self.delim = ifs_regex(ifs)
        other = "".join(c for c in ifs if c not in " \t\n")
        self.other = other

    def add(self, text: str, quoted: bool) -> None:
        self.current.append((text, quoted))
        self.present = self.present or quoted or bool(text)

    def flush(self) -> None:
        if self.join:
            self.current.append((" ", True))
            return
        if self.present:
            self.fields.append(self.current)
        self.current, self.present = [], False

    def add_split(self, value: str) -> None:
        """An unquoted expansion: split on IFS (POSIX 2.6.5)."""
        if not value:
            return
        if not self.ifs:
            self.add(value, False)
            return
        pos = 0
        for m in self.delim.finditer(value):
            piece = value[pos : m.start()]
            if piece:
                self.add(piece, False)
            if any(c in self.other for c in m.group()):
                self.present = True  # "a::b" with IFS=: has an empty middle field
            self.flush()
            pos = m.end()
        if pos < len(value):
            self.add(value[pos:], False)


@lru_cache(maxsize=32)
def ifs_regex(ifs: str) -> re.Pattern[str]:
    """One field delimiter: a run of IFS white space, or one other IFS character with white around it."""
    white = "".join(c for c in " \t\n" if c in ifs)
    other = "".join(c for c in ifs if c not in " \t\n")
    ws = f"[{re.escape(white)}]" if white else ""
    if other:
        core = f"[{re.escape(other)}]"
        return re.compile(f"{ws}*{core}{ws}*|{ws}+" if white else core)
    return re.compile(f"{ws}+" if white else "(?!)")


def _ifs(env: Env) -> str:
    ifs = env.get("IFS")
    return " \t\n" if ifs is None else ifs


async def _parts(parts: Word, env: Env, out: _Fields, force_quoted: bool = False) -> None:
    for part in parts:
        quoted = part.quoted or force_quoted
        if part.kind == "lit":
            out.add(part.text, quoted)
        elif part.kind == "var" and part.op == "" and part.text in ("@", "*"):
            params = env.positional()
            if quoted and part.text == "*":
                out.add(_ifs(env)[:1].join(params), True)
                continue
            for index, param in enumerate(params):
                if index:
                    out.flush()
                if quoted:
                    out.add(param, True)
                else:
                    out.add_split(param)
        elif part.kind == "var" and part.op in (":-", "-", ":+", "+", ":=", "="):
            value = env.peek(part.text)
            unset = value is None or (part.op.startswith(":") and value == "")
            kind = part.op[-1]
            out.present = out.present or quoted  # "${u:+x}" is an (empty) argument even when u is unset
            if kind == "=" and unset:
                env.set(part.text, await expand_value(part.arg, env))
                value = env.peek(part.text)
            elif (kind == "-" and unset) or (kind == "+" and not unset):
                await _parts(part.arg, env, out, quoted)
                continue
            if value is not None and kind != "+":
                if quoted:
                    out.add(value, True)
                else:
                    out.add_split(value)
        else:
            value = await _scalar(part, env)
            if quoted:
                out.add(value, True)
            else:
                out.add_split(value)


async def _scalar(part: Part, env: Env) -> str:
    if part.kind == "cmd":
        assert part.body is not None
        return await env.substitute(part.body)
    if part.kind == "arith":
        return str(env.arith(await expand_value(part.arg, env)))
    name, op = part.text, part.op
    if op == "len":
        if name in ("@", "*", "#"):
            return str(len(env.positional())) if name != "#" else str(len(env.get("#") or ""))
        return str(len(env.get(name) or ""))
    value = env.peek(name) if op in (":?", "?") else env.get(name)
    if op in (":?", "?"):
        if value is None or (op == ":?" and value == ""):
            message = await expand_value(part.arg, env) or ("parameter null or not set")
            raise ExpansionError(f"{name}: {message}")
        return value
    if op in ("#", "##", "%", "%%"):
        return _trim(value or "", op, pattern_regex(await _chunks(part.arg, env)))
    return value or ""


def _trim(value: str, op: str, pattern: re.Pattern[str]) -> str:
    """``${X#p}`` shortest / ``${X##p}`` longest prefix; ``%`` / ``%%`` the same for suffixes."""
    # Shortest prefix / longest suffix: try cuts from the left; the other two from the right.
    cuts = list(range(len(value) + 1))
    order = cuts if op in ("#", "%%") else cuts[::-1]
    for cut in order:
        if op.startswith("#") and pattern.fullmatch(value[:cut]):
            return value[cut:]
        if op.startswith("%") and pattern.fullmatch(value[cut:]):
            return value[:cut]
    return value


async def _chunks(word: Word, env: Env) -> list[Chunk]:
    """A pattern word: expanded, not split, quoting kept per chunk."""
    out = _Fields("", join=True)
    await _parts(word, env, out)
    return out.current


async def expand_pattern(word: Word, env: Env) -> re.Pattern[str]:
    """A ``case`` pattern as a compiled regex (quoted characters match literally)."""
    return pattern_regex(await _chunks(word, env))


async def expand_value(word: Word, env: Env) -> str:
    """An assignment's right-hand side, a here-doc body, a redirection target: never split or globbed."""
    if len(word) == 1 and word[0].kind == "lit":
        return word[0].text
    return "".join(text for text, _ in await _chunks(word, env))


async def expand_word(word: Word, env: Env) -> list[str]:
    """One word -> zero or more argv fields, as the shell builds them."""
    if len(word) == 1 and word[0].kind == "lit":
        part = word[0]  # fast path: the common plain word
        if part.quoted or not has_glob(part.text):
            return [part.text] if part.text or part.quoted else []
    out = _Fields(_ifs(env))
    await _parts(word, env, out)
    out.flush()
    fields: list[str] = []
    for chunks in out.fields:
        text = "".join(t for t, _ in chunks)
        if any(not quoted and has_glob(t) for t, quoted in chunks):
            # No match leaves the word as typed (mksh has no nullglob by default).
            fields.extend(glob(chunks, env.fs, env.cwd) or [text])
        else:
            fields.append(text)
    return fields
