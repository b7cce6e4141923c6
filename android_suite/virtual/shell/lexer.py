"""Tokeniser: words (with their quoting kept), operators and redirections.

Quoting follows POSIX as mksh implements it, which is what ``shlex.quote``
targets: single quotes are literal; inside double quotes a backslash only
escapes ``$ ` " \\`` and newline, and ``$VAR`` still expands; outside quotes a
backslash makes the next character literal and ``\\<newline>`` joins lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


class ShellSyntaxError(Exception):
    """A parse error; the message reads like mksh's (``syntax error: unexpected ';'``)."""


class Unsupported(Exception):
    """Valid shell the virtual handset does not implement (fails loudly)."""


@dataclass(frozen=True)
class Part:
    """A piece of a word: literal text or a parameter expansion.

    ``quoted`` parts are neither field-split nor globbed. For ``${X:-word}``
    ``default`` holds ``word`` and ``colon`` says whether an empty X counts as unset.
    """

    text: str  # the literal, or the parameter name
    kind: Literal["lit", "var"]
    quoted: bool
    default: str | None = None
    colon: bool = False


@dataclass(frozen=True)
class Token:
    kind: Literal["word", "op", "redir", "eof"]
    text: str = ""  # operator text or redirection operator
    word: tuple[Part, ...] = ()
    fd: int = -1  # redirections: the fd being redirected


# The ``lit(text, quoted)`` helper that appends literal text to the word being built.
_LitFn = Callable[[str, bool], None]

_OPERATORS = ("&&", "||", ";;", "|", ";", "&", "(", ")", "\n")
_REDIRS = (">>", ">&", ">|", "<<", "<&", "<>", ">", "<")
_META = set(" \t\n;&|<>()")
_SPECIAL_PARAMS = set("?$#!@*-0123456789")
_DQ_ESCAPABLE = set('$`"\\\n')


class Lexer:
    def __init__(self, source: str) -> None:
        self._s = source
        self._i = 0

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            tok = self._token()
            out.append(tok)
            if tok.kind == "eof":
                return out

    def _token(self) -> Token:
        s = self._s
        while self._i < len(s):
            ch = s[self._i]
            if ch in " \t":
                self._i += 1
            elif s.startswith("\\\n", self._i):
                self._i += 2
            elif ch == "#":
                while self._i < len(s) and s[self._i] != "\n":
                    self._i += 1
            else:
                break
        if self._i >= len(s):
            return Token("eof")
        for op in _REDIRS:
            if s.startswith(op, self._i):
                return self._redir(op, -1)
        for op in _OPERATORS:
            if s.startswith(op, self._i):
                self._i += len(op)
                return Token("op", op)
        start = self._i
        word = self._word()
        raw = s[start : self._i]
        # "2>" : an all-digit word glued to a redirection is its fd number.
        if raw.isdigit() and self._i < len(s) and s[self._i] in "<>":
            for op in _REDIRS:
                if s.startswith(op, self._i):
                    return self._redir(op, int(raw))
        return Token("word", word=word)

    def _redir(self, op: str, fd: int) -> Token:
        if op in ("<<", "<>", ">|"):
            raise Unsupported(f"redirection '{op}'")
        self._i += len(op)
        if fd < 0:
            fd = 0 if op.startswith("<") else 1
        return Token("redir", op, fd=fd)

    def _word(self) -> tuple[Part, ...]:
        s = self._s
        parts: list[Part] = []

        def lit(text: str, quoted: bool) -> None:
            if parts and parts[-1].kind == "lit" and parts[-1].quoted == quoted:
                parts[-1] = Part(parts[-1].text + text, "lit", quoted)
            else:
                parts.append(Part(text, "lit", quoted))

        while self._i < len(s) and s[self._i] not in _META:
            ch = s[self._i]
            if ch == "'":
                end = s.find("'", self._i + 1)
                if end < 0:
                    raise ShellSyntaxError("no closing quote")
                lit(s[self._i + 1 : end], True)
                self._i = end + 1
            elif ch == '"':
                self._i += 1
                self._double_quoted(parts, lit)
            elif ch == "\\":
                if s.startswith("\\\n", self._i):
                    self._i += 2
                elif self._i + 1 < len(s):
                    lit(s[self._i + 1], True)
                    self._i += 2
                else:
                    lit("\\", False)
                    self._i += 1
            elif ch == "$":
                self._dollar(parts, lit, quoted=False)
            elif ch == "`":
                raise Unsupported("command substitution with backquotes")
            else:
                lit(ch, False)
                self._i += 1
        return tuple(parts)

    def _double_quoted(self, parts: list[Part], lit: _LitFn) -> None:
        s = self._s
        lit("", True)  # "" is an (empty) argument of its own
        while True:
            if self._i >= len(s):
                raise ShellSyntaxError("no closing quote")
            ch = s[self._i]
            if ch == '"':
                self._i += 1
                return
            if ch == "\\" and self._i + 1 < len(s) and s[self._i + 1] in _DQ_ESCAPABLE:
                if s[self._i + 1] != "\n":
                    lit(s[self._i + 1], True)
                self._i += 2
            elif ch == "$":
                self._dollar(parts, lit, quoted=True)
            elif ch == "`":
                raise Unsupported("command substitution with backquotes")
            else:
                lit(ch, True)
                self._i += 1

    def _dollar(self, parts: list[Part], lit: _LitFn, *, quoted: bool) -> None:
        s, i = self._s, self._i + 1
        nxt = s[i] if i < len(s) else ""
        if nxt == "(":
            raise Unsupported("command substitution '$(...)'")
        if nxt == "{":
            end = s.find("}", i)
            if end < 0:
                raise ShellSyntaxError("no closing quote")
            body = s[i + 1 : end]
            self._i = end + 1
            parts.append(_braced(body, quoted))
            return
        if nxt and nxt in _SPECIAL_PARAMS:
            parts.append(Part(nxt, "var", quoted))
            self._i = i + 1
            return
        j = i
        while j < len(s) and (s[j].isalnum() or s[j] == "_") and s[j].isascii():
            j += 1
        if j == i or s[i].isdigit():
            lit("$", quoted)  # a lone "$" is literal
            self._i = i
            return
        parts.append(Part(s[i:j], "var", quoted))
        self._i = j


def _braced(body: str, quoted: bool) -> Part:
    name = body
    for op in (":-", "-"):
        if op in body:
            name, _, default = body.partition(op)
            if _is_name(name):
                return Part(name, "var", quoted, default=default, colon=op == ":-")
    if _is_name(name) or (len(name) == 1 and name in _SPECIAL_PARAMS):
        return Part(name, "var", quoted)
    raise Unsupported(f"parameter expansion '${{{body}}}'")


def _is_name(text: str) -> bool:
    return bool(text) and not text[0].isdigit() and text.replace("_", "a").isalnum() and text.isascii()
