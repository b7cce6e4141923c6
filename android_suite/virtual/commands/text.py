"""Toybox text commands: head, tail, wc, cut, tr, sort, uniq (grep/sed and the rest in siblings).

Output formats follow toybox 0.8.x as Android 14 ships it. Filters that scripts
put after an endless loop (``head``, ``cut``, ``tr``, ``uniq``, ``grep``,
``sed``) stream stdin line by line; ``head`` stops reading once it has enough,
so the producer gets SIGPIPE as on a device. awk is deliberately absent: the
shell reports it as not found (127), loudly.
"""

from __future__ import annotations

import re

from android_suite.virtual.commands import text_match, text_misc
from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.commands.textutil import bad_option, getopts, raw, read_input, stream_lines, text


def _legacy_count(argv: list[str]) -> list[str]:
    """``head -5`` / ``tail -5``: the old form of ``-n 5``."""
    if len(argv) > 1 and re.fullmatch(r"-\d+", argv[1]):
        return [argv[0], "-n", argv[1][1:], *argv[2:]]
    return argv


async def head(ctx: CommandContext) -> int:
    opts = getopts(_legacy_count(ctx.argv), "qv", "nc")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    names = opts.args or ["-"]
    lines, count = int(opts.value("n", "10") or 10), opts.value("c")
    status, shown = 0, 0
    headers = (len(names) > 1 and "q" not in opts.flags) or "v" in opts.flags
    for name in names:
        source = await stream_lines(ctx, name)
        if source is None:
            status = 1  # toybox prints no header for a file it could not open
            continue
        if headers:
            await ctx.out(("\n" if shown else "") + f"==> {name} <==\n")
        shown += 1
        if count is not None:
            data = b"".join([line async for line in source])
            await ctx.io.write_out(data[: int(count)])
            continue
        left = lines
        if left <= 0:
            continue
        async for line in source:
            await ctx.io.write_out(line)
            left -= 1
            if left <= 0:
                break  # stop reading: an endless producer upstream now gets SIGPIPE
    return status


async def tail(ctx: CommandContext) -> int:
    opts = getopts(_legacy_count(ctx.argv), "qvf", "nc")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    if "f" in opts.flags:
        return await ctx.unsupported()  # following a growing file needs inotify-like plumbing
    names = opts.args or ["-"]
    status, shown = 0, 0
    for name in names:
        data = await read_input(ctx, name)
        if data is None:
            status = 1
            continue
        if (len(names) > 1 and "q" not in opts.flags) or "v" in opts.flags:
            await ctx.out(("\n" if shown else "") + f"==> {name} <==\n")
        shown += 1
        spec = opts.value("c")
        by_bytes = spec is not None
        spec = spec if spec is not None else opts.value("n", "10") or "10"
        number = int(spec.lstrip("+-"))
        if by_bytes:
            await ctx.io.write_out(data[number - 1 :] if spec.startswith("+") else data[-number:] if number else b"")
            continue
        lines = data.splitlines(keepends=True)
        chosen = lines[max(number - 1, 0) :] if spec.startswith("+") else lines[-number:] if number else []
        await ctx.io.write_out(b"".join(chosen))
    return status


async def wc(ctx: CommandContext) -> int:
    opts = getopts(ctx.argv, "lwcmL")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    shown = [f for f in "lwmcL" if f in opts.flags] or ["l", "w", "c"]
    names = opts.args or ["-"]
    # toybox pads to 7 columns unless it counts one file, or stdin with a single column.
    width = 0 if (not opts.args and len(shown) == 1) or len(opts.args) == 1 else 7
    totals = dict.fromkeys(shown, 0)
    status = 0
    for name in names:
        data = await read_input(ctx, name)
        if data is None:
            status = 1
            continue
        decoded = text(data)
        counts = {
            "l": data.count(b"\n"),
            "w": len(data.split()),
            "m": len(decoded),
            "c": len(data),
            "L": max((len(line) for line in decoded.split("\n")), default=0),
        }
        for flag in shown:
            totals[flag] = max(totals[flag], counts[flag]) if flag == "L" else totals[flag] + counts[flag]
        await ctx.out(_wc_line([counts[f] for f in shown], width, name if opts.args else None))
    if len(opts.args) > 1:
        await ctx.out(_wc_line([totals[f] for f in shown], width, "total"))
    return status


def _wc_line(values: list[int], width: int, name: str | None) -> str:
    line = " ".join(f"{v:>{width}}" for v in values)
    return line + (f" {name}" if name is not None else "") + "\n"


def _ranges(spec: str) -> list[tuple[int, int]] | None:
    """cut's LIST ("1,3-5,7-"): 1-based inclusive ranges; None if malformed."""
    out: list[tuple[int, int]] = []
    for piece in spec.split(","):
        m = re.fullmatch(r"(\d*)(-?)(\d*)", piece)
        if m is None or not (m.group(1) or m.group(3)):
            return None
        start = int(m.group(1) or 1)
        end = int(m.group(3)) if m.group(3) else (1 << 30 if m.group(2) else start)
        out.append((start, end))
    return out


async def cut(ctx: CommandContext) -> int:
    opts = getopts(ctx.argv, "sn", "dfcb")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    spec = opts.value("f") or opts.value("c") or opts.value("b")
    ranges = _ranges(spec) if spec else None
    if ranges is None:
        return await ctx.fail("Needs -bcf" if not spec else f"bad list '{spec}'")
    by_field = "f" in opts.flags
    delim = opts.value("d", "\t") or "\t"
    status = 0
    for name in opts.args or ["-"]:
        source = await stream_lines(ctx, name)
        if source is None:
            status = 1
            continue
        async for line in source:
            body = text(line).rstrip("\n")
            if by_field:
                if delim not in body:
                    if "s" not in opts.flags:
                        await ctx.out(body + "\n")
                    continue
                items = body.split(delim)
                picked = [items[i - 1] for i in range(1, len(items) + 1) if any(a <= i <= b for a, b in ranges)]
                await ctx.io.write_out(raw(delim.join(picked) + "\n"))
            else:
                chars = [body[i - 1] for i in range(1, len(body) + 1) if any(a <= i <= b for a, b in ranges)]
                await ctx.io.write_out(raw("".join(chars) + "\n"))
    return status


_TR_CLASSES = {
    "alpha": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "digit": "0123456789",
    "space": " \t\n\r\f\v",
    "blank": " \t",
}
_TR_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _tr_set(spec: str) -> list[str] | None:
    chars: list[str] = []
    i = 0
    while i < len(spec):
        m = re.match(r"\[:(\w+):\]", spec[i:])
        if m:
            if m.group(1) not in _TR_CLASSES:
                return None
            chars.extend(_TR_CLASSES[m.group(1)])
            i += m.end()
            continue
        ch = spec[i]
        if ch == "\\" and i + 1 < len(spec):
            octal = re.match(r"[0-7]{1,3}", spec[i + 1 :])
            if octal:
                ch, i = chr(int(octal.group(), 8)), i + 1 + octal.end()
            else:
                ch, i = _TR_ESCAPES.get(spec[i + 1], spec[i + 1]), i + 2
        else:
            i += 1
        if i + 1 < len(spec) and spec[i] == "-":
            end = spec[i + 1]
            chars.extend(chr(c) for c in range(ord(ch), ord(end) + 1))
            i += 2
        else:
            chars.append(ch)
    return chars


async def tr(ctx: CommandContext) -> int:
    opts = getopts(ctx.argv, "dsc")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    if "c" in opts.flags or not opts.args or len(opts.args) > 2:
        return await ctx.unsupported()
    first = _tr_set(opts.args[0])
    second = _tr_set(opts.args[1]) if len(opts.args) > 1 else []
    if first is None or second is None:
        return await ctx.unsupported()
    delete = "d" in opts.flags
    if not delete and not second and "s" not in opts.flags:
        return await ctx.fail("Needs 2 arguments")
    table: dict[int, int | None] = {}
    for index, ch in enumerate(first):
        table[ord(ch)] = None if delete else ord((second or first)[min(index, len(second or first) - 1)])
    squeeze = set(second if (delete or second) else first) if "s" in opts.flags else set()
    source = await stream_lines(ctx, "-")
    assert source is not None
    last = ""
    async for line in source:
        out: list[str] = []
        for ch in text(line).translate(table):
            if ch in squeeze and ch == last:
                continue
            out.append(ch)
            last = ch
        await ctx.io.write_out(raw("".join(out)))
    return 0


def _sort_key(line: str, opts_flags: set[str], key: str | None, sep: str | None) -> str:
    if key is None:
        return line
    m = re.fullmatch(r"(\d+)(?:\.\d+)?[a-z]*(?:,(\d+)(?:\.\d+)?[a-z]*)?", key)
    if m is None:
        return line
    start, end = int(m.group(1)), int(m.group(2) or 0)
    # Without -t a field is its leading blanks plus a run of non-blanks (POSIX sort).
    fields = line.split(sep) if sep is not None else re.findall(r"\s*\S+", line)
    chosen = fields[start - 1 : end if end else None]
    return (sep or "").join(chosen)


def _leading_number(value: str) -> float:
    m = re.match(r"\s*([-+]?(?:\d+\.?\d*|\.\d+))", value)
    return float(m.group(1)) if m else 0.0


async def sort(ctx: CommandContext) -> int:
    opts = getopts(ctx.argv, "nrufb", "kto")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    if "o" in opts.flags:
        return await ctx.unsupported()
    lines: list[str] = []
    status = 0
    for name in opts.args or ["-"]:
        data = await read_input(ctx, name)
        if data is None:
            status = 2
            continue
        lines.extend(text(data).splitlines())
    key, sep = opts.value("k"), opts.value("t")

    def keyed(line: str) -> tuple[float, str, str]:
        field = _sort_key(line, opts.flags, key, sep)
        if "f" in opts.flags:
            field = field.upper()
        number = _leading_number(field) if "n" in opts.flags else 0.0
        # Equal keys fall back to comparing whole lines, as toybox does without -s.
        return (number, field if "n" not in opts.flags else "", line)

    ordered = sorted(lines, key=keyed, reverse="r" in opts.flags)
    if "u" in opts.flags:
        seen: set[tuple[float, str]] = set()
        unique: list[str] = []
        for line in ordered:
            mark = keyed(line)[:2]
            if mark not in seen:
                seen.add(mark)
                unique.append(line)
        ordered = unique
    await ctx.io.write_out(raw("".join(line + "\n" for line in ordered)))
    return status


async def uniq(ctx: CommandContext) -> int:
    opts = getopts(ctx.argv, "cdui")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    source = await stream_lines(ctx, opts.args[0] if opts.args else "-")
    if source is None:
        return 1
    previous: str | None = None
    repeats = 0

    async def emit(line: str, count: int) -> None:
        if ("u" in opts.flags and count > 1) or ("d" in opts.flags and count == 1):
            return
        await ctx.io.write_out(raw((f"{count:7d} " if "c" in opts.flags else "") + line))

    async for data in source:
        line = text(data) if data.endswith(b"\n") else text(data) + "\n"
        same = previous is not None and (line.lower() == previous.lower() if "i" in opts.flags else line == previous)
        if same:
            repeats += 1
            continue
        if previous is not None:
            await emit(previous, repeats)
        previous, repeats = line, 1
    if previous is not None:
        await emit(previous, repeats)
    return 0


COMMANDS: dict[str, CommandFn] = {
    "head": head,
    "tail": tail,
    "wc": wc,
    "cut": cut,
    "tr": tr,
    "sort": sort,
    "uniq": uniq,
    **text_match.COMMANDS,
    **text_misc.COMMANDS,
}
