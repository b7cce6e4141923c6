"""``logcat``: dump (-d, -t N), clear (-c), buffers (-b), formats (-v), tag filters (-s, TAG:P).

Without -d the command streams: it prints what is there, then new lines as
the framework logs them, until the stream is closed.
"""

from __future__ import annotations

import asyncio

from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.framework import Framework, framework_of
from android_suite.virtual.framework.logbuf import BUFFERS, DEFAULT_BUFFERS, FORMATS, PRIORITIES, LogEntry, render

STREAM_POLL_S = 0.2


class Options:
    def __init__(self) -> None:
        self.dump = False
        self.clear = False
        self.tail: int | None = None
        self.buffers: list[str] = []
        self.fmt = "threadtime"
        self.silent_default = False
        self.specs: dict[str, str] = {}


def parse(args: list[str]) -> Options | str:
    """Options, or the offending argument."""
    opts = Options()
    it = iter(args)
    for arg in it:
        if arg == "-d":
            opts.dump = True
        elif arg == "-c":
            opts.clear = True
        elif arg == "-s":
            opts.silent_default = True
        elif arg in ("-b", "-v", "-t"):
            value = next(it, None)
            if value is None:
                return arg
            if arg == "-b":
                names = list(BUFFERS) if value == "all" else value.split(",")
                if any(n not in BUFFERS for n in names):
                    return value
                opts.buffers += names
            elif arg == "-v":
                if value not in FORMATS:
                    return value
                opts.fmt = value
            elif not value.isdigit():
                return value
            else:
                opts.tail, opts.dump = int(value), True
        elif arg.startswith("-"):
            return arg
        else:
            tag, _, prio = arg.rpartition(":") if ":" in arg else (arg, "", "V")
            if prio.upper() not in PRIORITIES:
                return arg
            opts.specs[tag] = prio.upper()
    return opts


def visible(entry: LogEntry, opts: Options) -> bool:
    """logcat's filterspecs: TAG:P lines at P or above; ``*`` and -s set the default."""
    default = opts.specs.get("*", "S" if opts.silent_default else "V")
    floor = opts.specs.get(entry.tag, default)
    return floor != "S" and PRIORITIES.index(entry.priority) >= PRIORITIES.index(floor)


async def logcat(ctx: CommandContext) -> int:
    fw = framework_of(ctx.services)
    opts = parse(ctx.argv[1:])
    if fw is None or isinstance(opts, str):
        return await ctx.unsupported()
    buffers = tuple(opts.buffers) or DEFAULT_BUFFERS
    fw.sync()
    if opts.clear:
        fw.log.clear(buffers)
        return 0
    entries = [e for e in fw.log.entries(buffers) if visible(e, opts)]
    if opts.tail is not None:
        entries = entries[-opts.tail :] if opts.tail else []
    await ctx.out(render(entries, opts.fmt, fw.wall_at_boot))
    if opts.dump:
        return 0
    await _stream(ctx, fw, opts, buffers, fw.log.last_serial)
    return 0


async def _stream(ctx: CommandContext, fw: Framework, opts: Options, buffers: tuple[str, ...], seen: int) -> None:
    # logd wakes readers on new entries; polling the model is close enough and ends when the stream is cancelled.
    while True:
        await asyncio.sleep(STREAM_POLL_S)
        fw.sync()
        fresh = [e for e in fw.log.entries(buffers) if e.serial > seen and visible(e, opts)]
        seen = fw.log.last_serial
        if fresh:
            text = render(fresh, opts.fmt, fw.wall_at_boot)
            await ctx.out("".join(line + "\n" for line in text.splitlines() if not line.startswith("---------")))


COMMANDS: dict[str, CommandFn] = {"logcat": logcat}
