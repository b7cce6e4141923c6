"""Toybox printf, date, seq, basename, dirname and a minimal xargs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
import re
import shlex

from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.commands.textutil import Stop, bad_option, getopts, raw, text, unescape

_SPEC = re.compile(r"%([-+ #0']*)(\*|\d*)(?:\.(\*|\d*))?([diouxXcsbfeEgG%])?")


def _int_arg(value: str) -> tuple[int, bool]:
    """strtoll(value, 0): (number, fully parsed); 'x / "x give the character's code."""
    if value[:1] in ("'", '"') and len(value) > 1:
        return ord(value[1]), True
    m = re.match(r"\s*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)", value)
    if m is None:
        return 0, value == ""
    digits = m.group(2)
    base = 16 if digits[:2].lower() == "0x" else 8 if digits.startswith("0") and len(digits) > 1 else 10
    number = int(digits, base) * (-1 if m.group(1) == "-" else 1)
    return number, m.end() == len(value)


def _float_arg(value: str) -> tuple[float, bool]:
    m = re.match(r"\s*[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)", value)
    if m is None:
        return 0.0, value == ""
    return float(m.group()), m.end() == len(value)


async def printf(ctx: CommandContext) -> int:
    if len(ctx.argv) < 2:
        return await ctx.fail("Needs 1 argument")
    fmt, args = ctx.argv[1], ctx.argv[2:]
    out: list[str] = []
    status = 0
    try:
        while True:
            consumed = False
            pos = 0
            while pos < len(fmt):
                spec = _SPEC.match(fmt, pos) if fmt[pos] == "%" else None
                if spec is None:
                    end = fmt.find("%", pos + 1) if fmt[pos] != "%" else pos + 1
                    end = len(fmt) if end < 0 else end
                    out.append(unescape(fmt[pos:end], in_arg=False))
                    pos = end
                    continue
                pos = spec.end()
                flags, width, precision, conv = spec.groups()
                if conv == "%" or conv is None:
                    out.append("%")
                    continue
                if width == "*":
                    width = str(_int_arg(args.pop(0))[0]) if args else ""
                if precision == "*":
                    precision = str(_int_arg(args.pop(0))[0]) if args else ""
                consumed = True
                arg = args.pop(0) if args else ""
                shape = f"%{flags.replace(chr(39), '')}{width}" + (f".{precision}" if precision is not None else "")
                if conv == "b":
                    out.append(unescape(arg, in_arg=True))
                elif conv in "cs":
                    out.append((shape + "s") % (arg[:1] if conv == "c" else arg))
                elif conv in "diouxX":
                    number, ok = _int_arg(arg)
                    if not ok:
                        await ctx.err(f"printf: bad %{conv} {arg}\n")
                        status = 1
                    out.append((shape + ("d" if conv in "iu" else conv)) % number)
                else:
                    real, ok = _float_arg(arg)
                    if not ok:
                        await ctx.err(f"printf: bad %{conv} {arg}\n")
                        status = 1
                    out.append((shape + conv) % real)
            # POSIX: reuse the format while arguments remain (if it consumed any).
            if not consumed or not args:
                break
    except Stop as stop:
        out.append(str(stop))
    await ctx.io.write_out(raw("".join(out)))
    return status


def _strftime(fmt: str, when: dt.datetime, nanos: int) -> str:
    """strftime plus toybox's %N / %3N and %:z; %s is done here (libc's would use the host's TZ)."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] != "%" or i + 1 >= len(fmt):
            out.append(fmt[i])
            i += 1
            continue
        m = re.match(r"%(\d?)N|%:z|%s|%%|%(.)", fmt[i:])
        assert m is not None
        code = m.group()
        if code.endswith("N") and m.group(2) is None:
            digits = int(m.group(1) or 9)
            out.append(f"{nanos:09d}"[:digits])
        elif code == "%:z":
            offset = when.strftime("%z")
            out.append(offset[:3] + ":" + offset[3:])
        elif code == "%s":
            out.append(str(int(when.timestamp())))
        elif code == "%%":
            out.append("%")
        else:
            out.append(when.strftime(code))
        i += m.end()
    return "".join(out)


async def date(ctx: CommandContext) -> int:
    opts = getopts(ctx.argv, "u", "dr")
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    formats = [a for a in opts.args if a.startswith("+")]
    if len(opts.args) != len(formats) or len(formats) > 1 or "r" in opts.flags:
        return await ctx.unsupported()  # setting the clock, -r FILE: not modelled
    now = ctx.state.clocks.wall()
    given = opts.value("d")
    if given is not None:
        m = re.fullmatch(r"@(-?\d+)(?:\.(\d{1,9}))?", given)
        if m is None:
            return await ctx.unsupported()
        now = int(m.group(1)) + int((m.group(2) or "0").ljust(9, "0")) / 1e9
    # A float clock is good to the microsecond (gettimeofday's grain); %N shows zeros below it.
    micros = round(now * 1_000_000)
    seconds, nanos = micros // 1_000_000, micros % 1_000_000 * 1000
    # The virtual handset keeps UTC (persist.sys.timezone is not modelled), so -u changes nothing.
    when = dt.datetime.fromtimestamp(seconds, dt.UTC)
    fmt = formats[0][1:] if formats else "%a %b %e %H:%M:%S %Z %Y"
    await ctx.out(_strftime(fmt, when, nanos) + "\n")
    return 0


async def seq(ctx: CommandContext) -> int:
    opts = getopts(ctx.argv, "w", "sf", numbers=True)
    if isinstance(opts, str):
        return await bad_option(ctx, opts)
    args = opts.args
    if not 1 <= len(args) <= 3:
        return await ctx.fail("Needs 1-3 arguments")
    try:
        numbers = [float(a) for a in args]
    except ValueError:
        bad = next(a for a in args if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", a))
        return await ctx.fail(f"not floating point: {bad}")
    first, step, last = (1.0, 1.0, numbers[0]) if len(args) == 1 else (numbers[0], 1.0, numbers[1])
    if len(args) == 3:
        first, step, last = numbers
    precision = max((len(a.split(".", 1)[1].split("e")[0]) for a in args if "." in a), default=0)
    sep = opts.value("s", "\n") or "\n"
    fmt = opts.value("f")
    values: list[str] = []
    index = 0
    while step and len(values) < 1_000_000:
        value = first + index * step  # multiply, not accumulate: no creeping rounding error
        if (step > 0 and value > last) or (step < 0 and value < last):
            break
        if fmt is not None:
            values.append(fmt % value)
        elif precision == 0 and value == int(value):
            values.append(str(int(value)))
        else:
            values.append(f"{value:.{precision}f}")
        index += 1
    if "w" in opts.flags and values:
        width = max(len(v) for v in values)
        values = [v.zfill(width) for v in values]
    await ctx.out(sep.join(values) + ("\n" if values else ""))
    return 0


async def basename(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    if not args:
        return await ctx.fail("Needs 1 argument")
    name = args[0].rstrip("/") or "/"
    base = posixpath.basename(name) or "/"
    if len(args) > 1 and base != args[1] and base.endswith(args[1]):
        base = base[: -len(args[1])]
    await ctx.out(base + "\n")
    return 0


async def dirname(ctx: CommandContext) -> int:
    if len(ctx.argv) < 2:
        return await ctx.fail("Needs 1 argument")
    for arg in ctx.argv[1:]:
        path = arg.rstrip("/") or "/"
        folder = posixpath.dirname(path).rstrip("/") if "/" in path else "."
        await ctx.out((folder or "/") + "\n")
    return 0


async def xargs(ctx: CommandContext) -> int:
    """``xargs [-n N] [-0] [CMD ARGS...]``: runs CMD from the command table (no shell in between)."""
    args = ctx.argv[1:]
    flags: set[str] = set()
    per_call = 0
    while args and args[0].startswith("-") and args[0] != "-":
        arg = args.pop(0)
        if arg == "--":
            break
        if arg.startswith("-n"):
            count = arg[2:] or (args.pop(0) if args else "")
            if not count.isdigit():
                return await ctx.fail(f"bad -n '{count}'")
            per_call = int(count)
        elif set(arg[1:]) <= set("0rt"):
            flags |= set(arg[1:])
        else:
            return await bad_option(ctx, arg[1])
    command = args or ["echo"]
    data = text(await ctx.read_stdin())
    items = [i for i in data.split("\0") if i] if "0" in flags else data.split()
    per_call = per_call or max(len(items), 1)
    if not items and "r" in flags:
        return 0
    status = 0
    for start in range(0, max(len(items), 1), per_call):
        call = [*command, *items[start : start + per_call]]
        fn = ctx.table.get(call[0].rsplit("/", 1)[-1])
        if fn is None:
            ctx.services.log.unknown_commands.append(shlex.join(call))
            return await ctx.fail(f"exec {call[0]}: No such file or directory", 127)
        result = await fn(dataclasses.replace(ctx, argv=call))
        if result:
            status = 123  # POSIX: some invocation failed
    return status


COMMANDS: dict[str, CommandFn] = {
    "printf": printf,
    "date": date,
    "seq": seq,
    "basename": basename,
    "dirname": dirname,
    "xargs": xargs,
}
