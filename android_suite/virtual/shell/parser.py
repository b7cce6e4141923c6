"""Parser for the subset of mksh (Android's /system/bin/sh) that adb clients and the suite send.

Grammar (POSIX shell, trimmed)::

    list     := and_or ((';' | '&' | NEWLINE) and_or)*
    and_or   := pipeline (('&&' | '||') NEWLINE* pipeline)*
    pipeline := ['!'] command ('|' NEWLINE* command)*
    command  := simple | compound redirect* | NAME '(' ')' compound
    compound := if | while | until | for | case | '{' list '}' | '(' list ')'
    simple   := (ASSIGNMENT | WORD | redirect)+

Reserved words count only where a command starts. Anything outside the
subset (``[[``, ``select``, ``time``, ``((...))``, ``<>``, ``${x/a/b}``) raises
:class:`Unsupported`: the fake says so instead of guessing.
"""

from __future__ import annotations

from android_suite.virtual.shell.lexer import Lexer, Token
from android_suite.virtual.shell.nodes import (
    AndOr,
    Body,
    Case,
    CaseArm,
    Command,
    For,
    FuncDef,
    Group,
    HereDoc,
    If,
    Item,
    Loop,
    Node,
    Part,
    Pipeline,
    Redirect,
    Script,
    ShellSyntaxError,
    Unsupported,
    Word,
)

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
_UNSUPPORTED_WORDS = frozenset(["select", "time", "[["])


def literal_text(word: Word) -> str | None:
    """The word's text if it is one unquoted literal (reserved words, assignments)."""
    if len(word) == 1 and word[0].kind == "lit" and not word[0].quoted:
        return word[0].text
    return None


def _is_name(text: str) -> bool:
    return bool(text) and (text[0].isalpha() or text[0] == "_") and text.replace("_", "a").isalnum() and text.isascii()


class Parser:
    def __init__(self, source: str, pos: int = 0) -> None:
        self._lexer = Lexer(source, _subparse, pos)
        self._buffer: list[Token] = []

    # -- tokens ----------------------------------------------------------------
    def _peek(self, ahead: int = 0) -> Token:
        while len(self._buffer) <= ahead:
            self._buffer.append(self._lexer.next())
        return self._buffer[ahead]

    def _next(self) -> Token:
        tok = self._peek()
        self._buffer.pop(0)
        return tok

    def _is_op(self, text: str, ahead: int = 0) -> bool:
        tok = self._peek(ahead)
        return tok.kind == "op" and tok.text == text

    def _keyword(self) -> str | None:
        tok = self._peek()
        text = literal_text(tok.word) if tok.kind == "word" else None
        return text if text in RESERVED else None

    def _skip_newlines(self) -> None:
        while self._is_op("\n"):
            self._next()

    def _unexpected(self, tok: Token) -> ShellSyntaxError:
        if tok.kind == "eof":
            return ShellSyntaxError("syntax error: unexpected EOF")
        shown = "".join(p.text for p in tok.word) if tok.kind == "word" else "newline" if tok.text == "\n" else tok.text
        return ShellSyntaxError(f"syntax error: unexpected '{shown}'")

    def _expect_word(self, word: str) -> None:
        if self._keyword() != word:
            raise self._unexpected(self._peek())
        self._next()

    # -- lists -------------------------------------------------------------------
    def parse(self) -> Script:
        body = self.parse_list(frozenset())
        if self._peek().kind != "eof":
            raise self._unexpected(self._peek())
        return body

    def parse_list(self, stop_words: frozenset[str], stop_ops: frozenset[str] = frozenset()) -> Body:
        items: Body = []
        self._skip_newlines()
        while True:
            tok = self._peek()
            if tok.kind == "eof" or (tok.kind == "op" and tok.text in stop_ops) or self._keyword() in stop_words:
                return items
            and_or = self._and_or()
            if self._is_op(";") or self._is_op("\n"):
                self._next()
                items.append(Item(and_or))
                self._skip_newlines()
            elif self._is_op("&"):
                self._next()
                items.append(Item(and_or, background=True))
                self._skip_newlines()
            else:
                items.append(Item(and_or))
                return items

    def _required_list(self, stop_words: frozenset[str], stop_ops: frozenset[str] = frozenset()) -> Body:
        body = self.parse_list(stop_words, stop_ops)
        if not body:
            raise self._unexpected(self._peek())
        return body

    def _and_or(self) -> AndOr:
        items: AndOr = [("", self._pipeline())]
        while self._is_op("&&") or self._is_op("||"):
            op = self._next().text
            self._skip_newlines()
            items.append((op, self._pipeline()))
        return items

    def _pipeline(self) -> Pipeline:
        negate = False
        if self._keyword() == "!":
            self._next()
            negate = True
        commands = [self._command()]
        while self._is_op("|"):
            self._next()
            self._skip_newlines()
            commands.append(self._command())
        return Pipeline(commands, negate)

    # -- commands ------------------------------------------------------------------
    def _command(self) -> Node:
        keyword = self._keyword()
        if keyword in _UNSUPPORTED_WORDS:
            raise Unsupported(f"shell keyword '{keyword}'")
        compound: Node | None = None
        if keyword == "if":
            compound = self._if()
        elif keyword in ("while", "until"):
            self._next()
            cond = self._required_list(frozenset(["do"]))
            compound = Loop(keyword == "until", cond, self._do_group())
        elif keyword == "for":
            compound = self._for()
        elif keyword == "case":
            compound = self._case()
        elif keyword == "{":
            self._next()
            body = self._required_list(frozenset(["}"]))
            self._expect_word("}")
            compound = Group(body, subshell=False)
        elif keyword == "function":
            self._next()
            tok = self._next()
            name = literal_text(tok.word) if tok.kind == "word" else None
            if name is None or not _is_name(name):
                raise self._unexpected(tok)
            return FuncDef(name, self._command())
        elif self._is_op("("):
            self._next()
            if self._is_op("("):
                raise Unsupported("arithmetic command '(( ... ))'")
            body = self._required_list(frozenset(), frozenset([")"]))
            if not self._is_op(")"):
                raise self._unexpected(self._peek())
            self._next()
            compound = Group(body, subshell=True)
        elif keyword is not None and keyword != "!":
            raise self._unexpected(self._peek())
        if compound is not None:
            assert not isinstance(compound, (Command, FuncDef))
            while self._peek().kind == "redir":
                compound.redirects.append(self._redirect())
            return compound
        tok = self._peek()
        name = literal_text(tok.word) if tok.kind == "word" else None
        if name is not None and _is_name(name) and self._is_op("(", 1) and self._is_op(")", 2):
            for _ in range(3):
                self._next()
            self._skip_newlines()
            return FuncDef(name, self._command())
        return self._simple()

    def _do_group(self) -> Body:
        self._skip_newlines()
        self._expect_word("do")
        body = self._required_list(frozenset(["done"]))
        self._expect_word("done")
        return body

    def _if(self) -> If:
        self._next()
        clauses: list[tuple[Body, Body]] = []
        otherwise: Body | None = None
        while True:
            cond = self._required_list(frozenset(["then"]))
            self._expect_word("then")
            clauses.append((cond, self._required_list(frozenset(["elif", "else", "fi"]))))
            keyword = self._keyword()
            self._next()
            if keyword == "elif":
                continue
            if keyword == "else":
                otherwise = self._required_list(frozenset(["fi"]))
                self._expect_word("fi")
            return If(clauses, otherwise)

    def _for(self) -> For:
        self._next()
        tok = self._next()
        name = literal_text(tok.word) if tok.kind == "word" else None
        if name is None or not _is_name(name):
            raise self._unexpected(tok)
        words: list[Word] | None = None
        self._skip_newlines()
        if self._keyword() == "in":
            self._next()
            words = []
            while self._peek().kind == "word":
                words.append(self._next().word)
            if not (self._is_op(";") or self._is_op("\n")):
                raise self._unexpected(self._peek())
            self._next()
        elif self._is_op(";"):
            self._next()
        return For(name, words, self._do_group())

    def _case(self) -> Case:
        self._next()
        tok = self._next()
        if tok.kind != "word":
            raise self._unexpected(tok)
        self._skip_newlines()
        self._expect_word("in")
        self._skip_newlines()
        arms: list[CaseArm] = []
        while self._keyword() != "esac":
            if self._is_op("("):
                self._next()
            patterns = [self._case_pattern()]
            while self._is_op("|"):
                self._next()
                patterns.append(self._case_pattern())
            if not self._is_op(")"):
                raise self._unexpected(self._peek())
            self._next()
            body = self.parse_list(frozenset(["esac"]), frozenset([";;"]))
            arms.append(CaseArm(patterns, body))
            if self._is_op(";;"):
                self._next()
                self._skip_newlines()
            elif self._keyword() != "esac":
                raise self._unexpected(self._peek())
        self._next()
        return Case(tok.word, arms)

    def _case_pattern(self) -> Word:
        tok = self._next()
        if tok.kind != "word":
            raise self._unexpected(tok)
        return tok.word

    def _redirect(self) -> Redirect:
        tok = self._next()
        target = self._peek()
        if target.kind != "word":
            raise self._unexpected(target)
        self._next()
        if tok.text in ("<<", "<<-"):
            delimiter = "".join(p.text if p.kind == "lit" else "$" + p.text for p in target.word)
            doc = HereDoc(delimiter, tok.text == "<<-", any(p.quoted for p in target.word))
            # Registered before the next token is lexed: the body starts after this line's newline.
            self._lexer.add_heredoc(doc)
            return Redirect(tok.fd, "<<", target.word, doc)
        return Redirect(tok.fd, tok.text, target.word)

    def _simple(self) -> Command:
        cmd = Command()
        while True:
            tok = self._peek()
            if tok.kind == "word":
                self._next()
                self._add_word(cmd, tok.word)
            elif tok.kind == "redir":
                cmd.redirects.append(self._redirect())
            else:
                break
        if not cmd.words and not cmd.assigns and not cmd.redirects:
            raise self._unexpected(self._peek())
        return cmd

    def _add_word(self, cmd: Command, word: Word) -> None:
        text = literal_text(word[:1]) if word else None
        if not cmd.words and text is not None:
            name, eq, rest = text.partition("=")
            if eq and _is_name(name):
                value = ((Part(rest, "lit", False),) if rest else ()) + word[1:]
                cmd.assigns.append((name, value))
                return
        cmd.words.append(word)


def _subparse(source: str, pos: int, closing: bool) -> tuple[Body, int]:
    """Parse ``$(...)`` (closing=True: stop at and consume its ")") or a backquoted script."""
    parser = Parser(source, pos)
    if not closing:
        return parser.parse(), len(source)
    body = parser.parse_list(frozenset(), frozenset([")"]))
    if not parser._is_op(")"):
        tok = parser._peek()
        raise ShellSyntaxError("no closing quote") if tok.kind == "eof" else parser._unexpected(tok)
    # The ")" was the last token lexed (one-token lookahead), so the lexer sits right after it.
    return body, parser._lexer.pos


__all__ = ["Command", "Redirect", "Script", "ShellSyntaxError", "Unsupported", "Word", "literal_text", "parse"]


def parse(source: str) -> Script:
    """Parse a command line; raises ShellSyntaxError or Unsupported."""
    return Parser(source).parse()
