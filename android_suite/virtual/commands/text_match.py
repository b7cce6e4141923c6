"""Toybox grep and a deliberately small sed (``s/a/b/g`` and ``-n 'Np'``; anything else is loud)."""

from __future__ import annotations

import re

from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.commands.textutil import bad_option, getopts, posix_regex, raw, stream_lines, text


def _grep_regex(patterns: list[str], flags: set[str]) -> re.Pattern[str] | str:
    """One alternation of all -e patterns; a str result is the regex error."""
    pieces = []
    for pattern in patterns:
        if "F" in flags:
            piece = re.escape(pattern)
        else:
            try:
                piece = posix_regex(pattern, extended="E" in flags)
            except re.error as exc:
                return str(exc)
        if "w" in flags:
            piece = rf"(?<!\w)(?:{piece})(?!\w)"
        if "x" in flags:
            piece = rf"^(?:{piece})$"
        pieces.append(f"(?:{piece})")
    try:
        return re.compile("|".join(pieces), re.IGNORECASE if "i" in flags else 0)
    except re.error as exc:
        return str(exc)


async def grep(ctx: CommandContext) -> int:
    if ctx.argv[0].endswith("egrep"):
        ctx.argv = [ctx.argv[0], "-E", *ctx.argv[1:]]
    opts = getopts(ctx.argv, "EFvcqionlLwxsHhr", "e")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    if opts.flags & {"r", "L"}:
        return await ctx.unsupported()
    args = list(opts.args)
    patterns = opts.values.get("e") or ([args.pop(0)] if args else [])
    if not patterns:
        return await ctx.fail("Needs 1 argument", 2)
    regex = _grep_regex(patterns, opts.flags)
    if isinstance(regex, str):
        return await ctx.fail(f"bad regex: {regex}", 2)
    names = args or ["-"]
    prefix = (len(names) > 1 or "H" in opts.flags) and "h" not in opts.flags
    matched, errors = False, False
    for name in names:
        source = await stream_lines(ctx, name)
        if source is None:
            errors = True
            continue
        count, number = 0, 0
        async for data in source:
            number += 1
            line = text(data).rstrip("\n")
            hits = list(regex.finditer(line)) if "o" in opts.flags else None
            found = bool(hits) if hits is not None else regex.search(line) is not None
            if found == ("v" in opts.flags):
                continue
            matched = True
            count += 1
            if "q" in opts.flags:
                return 0  # -q: the first match settles it, even after errors
            if opts.flags & {"c", "l"}:
                continue
            lead = (f"{name}:" if prefix else "") + (f"{number}:" if "n" in opts.flags else "")
            shown = [m.group() for m in hits if m.group()] if hits is not None and "v" not in opts.flags else [line]
            await ctx.io.write_out(raw("".join(f"{lead}{piece}\n" for piece in shown)))
        if "c" in opts.flags:
            await ctx.out((f"{name}:" if prefix else "") + f"{count}\n")
        elif "l" in opts.flags and count:
            await ctx.out(f"{name}\n")
    if errors and "s" not in opts.flags:
        return 2
    return 0 if matched else 1 if not errors else 2


def _sed_substitution(script: str, extended: bool) -> tuple[re.Pattern[str], str, int, bool] | None:
    """``s/RE/REPL/FLAGS`` (any delimiter) -> (regex, python replacement, count, print)."""
    if len(script) < 4 or script[0] != "s" or script[1] in "\\\n":
        return None
    delim = script[1]
    pieces: list[str] = []
    current: list[str] = []
    i = 2
    while i < len(script) and len(pieces) < 2:
        ch = script[i]
        if ch == "\\" and i + 1 < len(script):
            nxt = script[i + 1]
            current.append(nxt if nxt == delim else ch + nxt)
            i += 2
            continue
        if ch == delim:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    if len(pieces) < 2:
        return None
    flags = script[i:]
    if not re.fullmatch(r"[gpI]*\d*", flags):
        return None
    try:
        regex = re.compile(posix_regex(pieces[0], extended=extended), re.IGNORECASE if "I" in flags else 0)
    except re.error:
        return None
    repl = _python_replacement(pieces[1])
    count = 0 if "g" in flags else 1
    return regex, repl, count, "p" in flags


def _python_replacement(sed_repl: str) -> str:
    """sed's ``&`` is the whole match and ``\\1``..``\\9`` the groups; Python spells them ``\\g<0>``."""
    out: list[str] = []
    i = 0
    while i < len(sed_repl):
        ch = sed_repl[i]
        nxt = sed_repl[i + 1] if i + 1 < len(sed_repl) else ""
        if ch == "\\" and nxt:
            out.append(f"\\g<{nxt}>" if nxt.isdigit() else "\n" if nxt == "n" else "\\\\" if nxt == "\\" else nxt)
            i += 2
            continue
        out.append("\\g<0>" if ch == "&" else "\\\\" if ch == "\\" else ch)
        i += 1
    return "".join(out)


async def sed(ctx: CommandContext) -> int:
    opts = getopts(ctx.argv, "nEri", "e")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    if "i" in opts.flags:
        return await ctx.unsupported()  # in-place editing: not modelled
    args = list(opts.args)
    scripts = opts.values.get("e") or ([args.pop(0)] if args else [])
    if len(scripts) != 1:
        return await ctx.unsupported()
    script = scripts[0].strip().rstrip(";")
    quiet = "n" in opts.flags
    substitution = _sed_substitution(script, extended=bool(opts.flags & {"E", "r"}))
    line_print = re.fullmatch(r"(\d+|\$)p", script) if quiet else None
    if substitution is None and line_print is None:
        return await ctx.unsupported()
    names = args or ["-"]
    chunks: list[str] = []
    status = 0
    for name in names:
        source = await stream_lines(ctx, name)
        if source is None:
            status = 1
            continue
        number = 0
        async for data in source:
            number += 1
            line = text(data)
            if line_print is not None:
                target = line_print.group(1)
                if target == "$":
                    chunks = [line]
                elif number == int(target):
                    await ctx.io.write_out(raw(line))
                continue
            assert substitution is not None
            regex, repl, count, also_print = substitution
            body, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
            new, made = regex.subn(repl, body, count=count)
            if not quiet:
                await ctx.io.write_out(raw(new + newline))
            if made and also_print:
                await ctx.io.write_out(raw(new + newline))
    for line in chunks:
        await ctx.io.write_out(raw(line))
    return status


COMMANDS: dict[str, CommandFn] = {"grep": grep, "egrep": grep, "sed": sed}
