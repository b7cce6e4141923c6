"""Helpers shared by the toybox text commands: option parsing, inputs, streaming lines, regexes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from android_suite.virtual.api import FsError
from android_suite.virtual.commands.context import CommandContext


@dataclass
class Opts:
    """Parsed toybox-style options: flags anywhere until ``--``; ``values`` keeps every ``-e X``."""

    flags: set[str] = field(default_factory=set)
    values: dict[str, list[str]] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)

    def value(self, flag: str, default: str | None = None) -> str | None:
        found = self.values.get(flag)
        return found[-1] if found else default


def getopts(argv: list[str], flags: str, with_arg: str = "", *, numbers: bool = False) -> Opts | str:
    """Split argv[1:]; a str result is the unknown flag or one missing its argument.

    With ``numbers`` a negative number is an operand (toybox's "?" optstring prefix, as seq has).
    """
    opts = Opts()
    rest = argv[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if arg == "--":
            opts.args.extend(rest[i:])
            break
        if not arg.startswith("-") or arg == "-" or (numbers and re.fullmatch(r"-\.?\d[\d.eE+-]*", arg)):
            opts.args.append(arg)
            continue
        j = 1
        while j < len(arg):
            ch = arg[j]
            if ch in with_arg:
                value = arg[j + 1 :]
                if not value:
                    if i >= len(rest):
                        return ch
                    value = rest[i]
                    i += 1
                opts.flags.add(ch)
                opts.values.setdefault(ch, []).append(value)
                break
            if ch not in flags:
                return ch
            opts.flags.add(ch)
            j += 1
    return opts


async def bad_option(ctx: CommandContext, flag: str) -> int:
    return await ctx.fail(f"Unknown option '{flag}' (see \"{ctx.name} --help\")")


async def read_input(ctx: CommandContext, name: str) -> bytes | None:
    """A whole file (or stdin for "-"); None after printing toybox's error line."""
    if name == "-":
        return await ctx.read_stdin()
    try:
        return ctx.services.fs.read(ctx.path(name))
    except FsError as exc:
        # toybox names the file as the user typed it, not the resolved path.
        await ctx.fail(exc.message.replace(ctx.path(name), name, 1))
        return None


async def stream_lines(ctx: CommandContext, name: str) -> AsyncIterator[bytes] | None:
    """Lines (with their newline) as they arrive: filters on an endless pipe must stream."""
    if name != "-":
        data = await read_input(ctx, name)
        if data is None:
            return None
        return _split(data)
    return _stdin_lines(ctx)


async def _split(data: bytes) -> AsyncIterator[bytes]:
    for line in data.splitlines(keepends=True):
        yield line


async def _stdin_lines(ctx: CommandContext) -> AsyncIterator[bytes]:
    pending = b""
    while chunk := await ctx.io.read_stdin():
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line + b"\n"
    if pending:
        yield pending


def text(data: bytes) -> str:
    return data.decode(errors="surrogateescape")


def raw(value: str) -> bytes:
    return value.encode(errors="surrogateescape")


_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": r" \t\n\r\f\v",
    "blank": r" \t",
    "xdigit": "0-9A-Fa-f",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
}


def _bracket(pattern: str, i: int) -> tuple[str, int]:
    """Copy a POSIX bracket expression starting at pattern[i] == "[" into Python syntax."""
    j = i + 1
    out = ["["]
    if j < len(pattern) and pattern[j] in "^!":
        out.append("^")
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        out.append(r"\]")
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        m = re.match(r"\[:(\w+):\]", pattern[j:])
        if m and m.group(1) in _CLASSES:
            out.append(_CLASSES[m.group(1)])
            j += m.end()
            continue
        out.append("\\\\" if pattern[j] == "\\" else "\\[" if pattern[j] == "[" else pattern[j])
        j += 1
    if j >= len(pattern):
        raise re.error("unterminated [")
    out.append("]")
    return "".join(out), j + 1


def posix_regex(pattern: str, *, extended: bool) -> str:
    """A POSIX BRE/ERE as a Python regex (kept simple: groups, intervals, classes, anchors)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "[":
            piece, i = _bracket(pattern, i)
            out.append(piece)
            continue
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            i += 2
            if nxt in "<>":
                out.append(r"\b")
            elif not extended and nxt in "(){}|+?":
                out.append(nxt)  # BRE: \( \) \{ \} are the operators (\| \+ \? are GNU's)
            else:
                out.append("\\" + nxt)
            continue
        if not extended and ch in "(){}|+?":
            out.append("\\" + ch)  # BRE: bare ones are literal
        elif not extended and ch == "*" and (not out or out[-1] in ("^", "(")):
            out.append(r"\*")  # a leading * is literal in a BRE
        else:
            out.append(ch)
        i += 1
    return "".join(out)


_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_ESCAPES |= {"\\": "\\", '"': '"', "'": "'"}


class Stop(Exception):
    """``\\c``: stop all output now (echo -e and printf)."""


def unescape(fmt: str, *, in_arg: bool) -> str:
    """Backslash escapes as toybox decodes them for printf formats (``\\NNN`` octal)
    and for ``%b`` arguments and ``echo -e`` (``in_arg``: ``\\0NNN`` octal); both take
    ``\\xHH``. ``\\c`` raises :class:`Stop` with the text before it."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "\\" or i + 1 >= len(fmt):
            out.append(ch)
            i += 1
            continue
        nxt = fmt[i + 1]
        if nxt == "c":
            raise Stop("".join(out))
        if m := re.match(r"x([0-9a-fA-F]{1,2})", fmt[i + 1 :]):
            out.append(chr(int(m.group(1), 16)))
            i += 1 + m.end()
        elif m := re.match(r"0?([0-7]{1,3})" if in_arg else r"([0-7]{1,3})", fmt[i + 1 :]):
            out.append(chr(int(m.group(1), 8) & 0xFF))
            i += 1 + m.end()
        else:
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
    return "".join(out)
