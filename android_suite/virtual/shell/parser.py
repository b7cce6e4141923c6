"""Lexer and parser for the subset of mksh (Android's /system/bin/sh) that adb clients send.

Grammar (POSIX shell, trimmed)::

    script   := and_or ((';' | NEWLINE) and_or)* [';']
    and_or   := pipeline (('&&' | '||') pipeline)*
    pipeline := command ('|' command)*
    command  := (ASSIGNMENT | WORD | redirect)+

Words keep their quoting as :class:`Part` lists so that expansion knows what
to split and glob. Anything outside the subset (``$(...)``, ``if``, ``&``,
here-documents) raises :class:`Unsupported`: the fake says so instead of
guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from android_suite.virtual.shell.lexer import Lexer, Part, ShellSyntaxError, Token, Unsupported

Word = tuple[Part, ...]

RESERVED = frozenset(
    [
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "case",
        "esac",
        "for",
        "select",
        "while",
        "until",
        "do",
        "done",
        "in",
        "function",
        "time",
        "{",
        "}",
        "!",
        "[[",
    ]
)


@dataclass(frozen=True)
class Redirect:
    fd: int
    op: str  # ">", ">>", "<", ">&" (dup or file), "<&"
    target: Word


@dataclass
class Command:
    assigns: list[tuple[str, Word]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


Pipeline = list[Command]
AndOr = list[tuple[str, Pipeline]]  # (connector, pipeline); the first connector is ""
Script = list[AndOr]


def literal_text(word: Word) -> str | None:
    """The word's text if it is one unquoted literal (reserved words, assignments)."""
    if len(word) == 1 and word[0].kind == "lit" and not word[0].quoted:
        return word[0].text
    return None


class Parser:
    def __init__(self, source: str) -> None:
        self._tokens = Lexer(source).tokens()
        self._pos = 0

    def _peek(self) -> Token:
        return self._tokens[self._pos]

    def _next(self) -> Token:
        tok = self._tokens[self._pos]
        self._pos += 1
        return tok

    def _skip_newlines(self) -> None:
        while self._peek().kind == "op" and self._peek().text == "\n":
            self._pos += 1

    def _unexpected(self, tok: Token) -> ShellSyntaxError:
        if tok.kind == "eof":
            return ShellSyntaxError("syntax error: unexpected EOF")
        shown = "newline" if tok.text == "\n" else tok.text
        return ShellSyntaxError(f"syntax error: unexpected '{shown}'")

    def parse(self) -> Script:
        script: Script = []
        self._skip_newlines()
        while self._peek().kind != "eof":
            script.append(self._and_or())
            tok = self._peek()
            if tok.kind == "op" and tok.text in (";", "\n"):
                self._next()
                self._skip_newlines()
            elif tok.kind == "op" and tok.text == "&":
                raise Unsupported("background jobs ('&')")
            elif tok.kind != "eof":
                raise self._unexpected(tok)
        return script

    def _and_or(self) -> AndOr:
        items: AndOr = [("", self._pipeline())]
        while self._peek().kind == "op" and self._peek().text in ("&&", "||"):
            op = self._next().text
            self._skip_newlines()
            items.append((op, self._pipeline()))
        return items

    def _pipeline(self) -> Pipeline:
        commands = [self._command()]
        while self._peek().kind == "op" and self._peek().text == "|":
            self._next()
            self._skip_newlines()
            commands.append(self._command())
        return commands

    def _command(self) -> Command:
        cmd = Command()
        while True:
            tok = self._peek()
            if tok.kind == "word":
                self._next()
                self._add_word(cmd, tok.word)
            elif tok.kind == "redir":
                self._next()
                target = self._peek()
                if target.kind != "word":
                    raise self._unexpected(target)
                self._next()
                cmd.redirects.append(Redirect(tok.fd, tok.text, target.word))
            else:
                break
        if not cmd.words and not cmd.assigns and not cmd.redirects:
            tok = self._peek()
            if tok.kind == "op" and tok.text in ("(", ")"):
                raise Unsupported("subshells '( ... )'")
            raise self._unexpected(tok)
        return cmd

    def _add_word(self, cmd: Command, word: Word) -> None:
        text = literal_text(word[:1]) if word else None
        if not cmd.words and text is not None:
            name, eq, rest = text.partition("=")
            if eq and name and (name[0].isalpha() or name[0] == "_") and name.replace("_", "a").isalnum():
                value = ((Part(rest, "lit", False),) if rest else ()) + word[1:]
                cmd.assigns.append((name, value))
                return
            if literal_text(word) in RESERVED:
                raise Unsupported(f"shell keyword '{literal_text(word)}'")
        cmd.words.append(word)


__all__ = ["Command", "Redirect", "Script", "ShellSyntaxError", "Unsupported", "Word", "parse"]


def parse(source: str) -> Script:
    """Parse a command line; raises ShellSyntaxError or Unsupported."""
    return Parser(source).parse()
