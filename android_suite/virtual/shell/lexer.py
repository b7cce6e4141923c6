"""Tokeniser: words (with their quoting kept), operators, redirections and here-documents.

Quoting follows POSIX as mksh implements it, which is what ``shlex.quote``
targets: single quotes are literal; inside double quotes a backslash only
escapes ``$ ` " \\`` and newline, and ``$VAR`` still expands; outside quotes a
backslash makes the next character literal and ``\\<newline>`` joins lines.

The lexer is pulled one token at a time by the parser, because two things
depend on parse state: ``$(...)`` is parsed recursively (a ``case`` pattern's
``)`` inside it must not end it), and a here-document's body starts after the
newline that ends the line holding its ``<<WORD``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from android_suite.virtual.shell.nodes import Body, HereDoc, Part, ShellSyntaxError, Unsupported, Word

# (source, start, closing) -> (body, end): parse from start; with closing, up to and past a ")".
SubParse = Callable[[str, int, bool], tuple[Body, int]]


@dataclass(frozen=True)
class Token:
    kind: Literal["word", "op", "redir", "eof"]
    text: str = ""  # operator text or redirection operator
    word: Word = ()
    fd: int = -1  # redirections: the fd being redirected


_OPERATORS = ("&&", "||", ";;", "|", ";", "&", "(", ")", "\n")
_REDIRS = ("<<-", "<<", ">>", ">&", ">|", "<&", "<>", ">", "<")
_META = frozenset(" \t\n;&|<>()")
_SPECIAL_PARAMS = frozenset("?$#!@*-0123456789")
# ${X<op>word}; longer operators first.
_BRACE_OPS = (":-", ":=", ":+", ":?", "##", "%%", "-", "=", "+", "?", "#", "%")


class _Parts:
    """Accumulates a word's parts, merging adjacent literals of the same quoting."""

    def __init__(self) -> None:
        self.items: list[Part] = []

    def lit(self, text: str, quoted: bool) -> None:
        last = self.items[-1] if self.items else None
        if last is not None and last.kind == "lit" and last.quoted == quoted:
            self.items[-1] = Part(last.text + text, "lit", quoted)
        else:
            self.items.append(Part(text, "lit", quoted))


class Lexer:
    def __init__(self, source: str, subparse: SubParse, pos: int = 0) -> None:
        self._s = source
        self._i = pos
        self._subparse = subparse
        self._heredocs: list[HereDoc] = []

    @property
    def pos(self) -> int:
        return self._i

    def add_heredoc(self, doc: HereDoc) -> None:
        """Its body is read after the next newline token."""
        self._heredocs.append(doc)

    def next(self) -> Token:
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
            if self._heredocs:
                raise ShellSyntaxError(f"here document '{self._heredocs[0].delimiter}' unclosed")
            return Token("eof")
        for op in _REDIRS:
            if s.startswith(op, self._i):
                return self._redir(op, -1)
        for op in _OPERATORS:
            if s.startswith(op, self._i):
                self._i += len(op)
                if op == "\n" and self._heredocs:
                    self._read_heredocs()
                return Token("op", op)
        start = self._i
        word = tuple(self._scan("word", quoted=False))
        raw = s[start : self._i]
        # "2>" : an all-digit word glued to a redirection is its fd number.
        if raw.isdigit() and self._i < len(s) and s[self._i] in "<>":
            for op in _REDIRS:
                if s.startswith(op, self._i):
                    return self._redir(op, int(raw))
        return Token("word", word=word)

    def _redir(self, op: str, fd: int) -> Token:
        if op == "<>":
            raise Unsupported(f"redirection '{op}'")
        self._i += len(op)
        if fd < 0:
            fd = 0 if op.startswith("<") else 1
        return Token("redir", ">" if op == ">|" else op, fd=fd)

    def _read_heredocs(self) -> None:
        s = self._s
        for doc in self._heredocs:
            lines: list[str] = []
            while True:
                if self._i >= len(s):
                    raise ShellSyntaxError(f"here document '{doc.delimiter}' unclosed")
                end = s.find("\n", self._i)
                line = s[self._i : end if end >= 0 else len(s)]
                self._i = end + 1 if end >= 0 else len(s)
                if doc.strip_tabs:
                    line = line.lstrip("\t")
                if line == doc.delimiter:
                    break
                lines.append(line + "\n")
            text = "".join(lines)
            doc.body = (Part(text, "lit", True),) if doc.quoted else self._sub_parts(text)
            doc.filled = True
        self._heredocs = []

    def _sub_parts(self, text: str) -> Word:
        """``text`` as a here-document body / arithmetic: ``$`` and backquotes live, quotes literal."""
        return tuple(Lexer(text, self._subparse)._scan("heredoc", quoted=True))

    def _scan(self, mode: Literal["word", "dq", "brace", "heredoc"], *, quoted: bool) -> list[Part]:
        s = self._s
        out = _Parts()
        while self._i < len(s):
            ch = s[self._i]
            if (mode == "word" and ch in _META) or (mode == "dq" and ch == '"') or (mode == "brace" and ch == "}"):
                break
            if ch == "\\":
                self._backslash(out, mode, quoted)
            elif ch == "'" and not quoted:
                end = s.find("'", self._i + 1)
                if end < 0:
                    raise ShellSyntaxError("no closing quote")
                out.lit(s[self._i + 1 : end], True)
                self._i = end + 1
            elif ch == '"' and mode != "heredoc" and (mode != "dq"):
                self._i += 1
                inner = self._scan("dq", quoted=True)
                if self._i >= len(s):
                    raise ShellSyntaxError("no closing quote")
                self._i += 1
                if not inner:
                    out.lit("", True)  # "" is an (empty) argument of its own
                for part in inner:
                    if part.kind == "lit":
                        out.lit(part.text, True)
                    else:
                        out.items.append(part)
            elif ch == "$":
                self._dollar(out, quoted)
            elif ch == "`":
                self._backquote(out, quoted, in_dq=mode == "dq")
            else:
                out.lit(ch, quoted)
                self._i += 1
        if mode == "dq" and self._i >= len(s):
            raise ShellSyntaxError("no closing quote")
        return out.items

    def _backslash(self, out: _Parts, mode: str, quoted: bool) -> None:
        s = self._s
        nxt = s[self._i + 1] if self._i + 1 < len(s) else ""
        if nxt == "\n":
            self._i += 2  # line continuation
        elif quoted:
            # In ${X%pat} a backslash also quotes the pattern characters ("${v%\\*}").
            escapable = '$`\\"' if mode == "dq" else '$`\\}"*?[' if mode == "brace" else "$`\\"
            if nxt and nxt in escapable:
                out.lit(nxt, True)
                self._i += 2
            else:
                out.lit("\\", True)
                self._i += 1
        elif nxt:
            out.lit(nxt, True)
            self._i += 2
        else:
            out.lit("\\", False)
            self._i += 1

    def _dollar(self, out: _Parts, quoted: bool) -> None:
        s, i = self._s, self._i + 1
        nxt = s[i] if i < len(s) else ""
        if s.startswith("((", i):
            end = _arith_end(s, i + 2)
            if end >= 0:
                expr = s[i + 2 : end]
                self._i = end + 2
                out.items.append(Part(expr, "arith", quoted, arg=self._sub_parts(expr)))
                return
        if nxt == "(":
            body, end = self._subparse(s, i + 1, True)
            out.items.append(Part(s[i + 1 : end - 1], "cmd", quoted, body=body))
            self._i = end
            return
        if nxt == "{":
            self._i = i
            out.items.append(self._braced(quoted))
            return
        if nxt and nxt in _SPECIAL_PARAMS:
            out.items.append(Part(nxt, "var", quoted))
            self._i = i + 1
            return
        j = _name_end(s, i)
        if j == i:
            out.lit("$", quoted)  # a lone "$" is literal
            self._i = i
            return
        out.items.append(Part(s[i:j], "var", quoted))
        self._i = j

    def _braced(self, quoted: bool) -> Part:
        s, i = self._s, self._i  # s[i] == "{"
        start = i + 1
        if s.startswith("#", start) and start + 1 < len(s) and s[start + 1] != "}":
            j = _param_end(s, start + 1)
            if j > start + 1 and s.startswith("}", j):
                self._i = j + 1
                return Part(s[start + 1 : j], "var", quoted, op="len")
        j = _param_end(s, start)
        name = s[start:j]
        if name and s.startswith("}", j):
            self._i = j + 1
            return Part(name, "var", quoted)
        if name:
            for op in _BRACE_OPS:
                if s.startswith(op, j):
                    self._i = j + len(op)
                    arg = self._scan("brace", quoted=quoted)
                    if self._i >= len(s):
                        raise ShellSyntaxError("no closing quote")
                    self._i += 1
                    return Part(name, "var", quoted, op=op, arg=tuple(arg))
        close = s.find("}", start)
        if close < 0:
            raise ShellSyntaxError("no closing quote")
        raise Unsupported(f"parameter expansion '${{{s[start:close]}}}'")

    def _backquote(self, out: _Parts, quoted: bool, *, in_dq: bool) -> None:
        s, j = self._s, self._i + 1
        escapable = '$`\\"' if in_dq else "$`\\"
        buf: list[str] = []
        while j < len(s) and s[j] != "`":
            if s[j] == "\\" and j + 1 < len(s) and s[j + 1] in escapable:
                buf.append(s[j + 1])
                j += 2
            else:
                buf.append(s[j])
                j += 1
        if j >= len(s):
            raise ShellSyntaxError("no closing quote")
        self._i = j + 1
        source = "".join(buf)
        body, _ = self._subparse(source, 0, False)
        out.items.append(Part(source, "cmd", quoted, body=body))


def _arith_end(s: str, start: int) -> int:
    """Index of the "))" closing ``$((`` (nested parentheses balanced), or -1."""
    depth = 0
    for j in range(start, len(s)):
        if s[j] == "(":
            depth += 1
        elif s[j] == ")":
            if depth == 0:
                return j if s.startswith("))", j) else -1
            depth -= 1
    return -1


def _name_end(s: str, i: int) -> int:
    if i >= len(s) or not (s[i].isalpha() or s[i] == "_") or not s[i].isascii():
        return i
    j = i
    while j < len(s) and (s[j].isalnum() or s[j] == "_") and s[j].isascii():
        j += 1
    return j


def _param_end(s: str, i: int) -> int:
    """End of a parameter name inside ``${...}``: a name, digits, or one special character."""
    if i < len(s) and s[i].isdigit():
        j = i
        while j < len(s) and s[j].isdigit():
            j += 1
        return j
    if i < len(s) and s[i] in _SPECIAL_PARAMS:
        return i + 1
    return _name_end(s, i)
