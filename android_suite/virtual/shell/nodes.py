"""The syntax tree the parser builds and the interpreter walks.

Words keep their quoting as :class:`Part` tuples so that expansion knows what
to split and glob; command substitutions are parsed once, at parse time, and
kept as a :data:`Body` inside their part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


class ShellSyntaxError(Exception):
    """A parse error; the message reads like mksh's (``syntax error: unexpected ';'``)."""


class Unsupported(Exception):
    """Valid shell the virtual handset does not implement (fails loudly)."""


@dataclass(frozen=True)
class Part:
    """A piece of a word.

    Attributes:
        text: the literal text, the parameter name, or the source of ``$((...))``.
        kind: ``lit``, ``var`` (``$X``, ``${X...}``), ``cmd`` (``$(...)``, backquotes)
            or ``arith`` (``$((...))``).
        quoted: quoted parts are neither field-split nor globbed.
        op: for ``var``: "" or one of ``:- - := = :+ + :? ? # ## % %% len``.
        arg: the word after ``op`` (``${X:-word}``), or the parts of ``$((...))``.
        body: for ``cmd``: the parsed script.
    """

    text: str
    kind: Literal["lit", "var", "cmd", "arith"]
    quoted: bool
    op: str = ""
    arg: tuple[Part, ...] = ()
    body: Body | None = None


Word = tuple[Part, ...]


@dataclass
class HereDoc:
    """``<<EOF`` / ``<<-EOF`` / ``<<'EOF'``: the lexer fills ``body`` once the line ends."""

    delimiter: str
    strip_tabs: bool
    quoted: bool  # a quoted delimiter turns off expansion in the body
    body: Word = ()
    filled: bool = False


@dataclass(frozen=True)
class Redirect:
    fd: int
    op: str  # ">", ">>", "<", ">&" (dup or file), "<&", "<<"
    target: Word
    heredoc: HereDoc | None = None


@dataclass
class Command:
    """A simple command: ``A=1 cmd arg >file``."""

    assigns: list[tuple[str, Word]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class If:
    clauses: list[tuple[Body, Body]]  # (condition, then-part) for if and each elif
    otherwise: Body | None
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Loop:
    until: bool
    cond: Body
    body: Body
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class For:
    name: str
    words: list[Word] | None  # None: `for x; do` iterates over "$@"
    body: Body
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class CaseArm:
    patterns: list[Word]
    body: Body


@dataclass
class Case:
    word: Word
    arms: list[CaseArm]
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Group:
    """``{ ...; }`` (runs in this shell) or ``( ... )`` (a subshell: own variables, cwd)."""

    body: Body
    subshell: bool
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class FuncDef:
    name: str
    body: Node


Node = Command | If | Loop | For | Case | Group | FuncDef


@dataclass
class Pipeline:
    commands: list[Node]
    negate: bool = False


AndOr = list[tuple[str, Pipeline]]  # (connector, pipeline); the first connector is ""


@dataclass
class Item:
    """One entry of a command list; ``background`` for ``cmd &``."""

    and_or: AndOr
    background: bool = False


Body = list[Item]
Script = Body
