"""``monkey -p PKG -c android.intent.category.LAUNCHER N``: launch an app the way tools do it.

The first event launches the package's launcher activity; further events
are taps inside it. Random event mixes (``--pct-*``) are not modelled.
"""

from __future__ import annotations

import random

from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.framework import framework_of

# Monkey.run returns -4 when no launchable activity matches; the shell sees 252.
NO_ACTIVITIES_STATUS = 252


async def monkey(ctx: CommandContext) -> int:
    fw = framework_of(ctx.services)
    args = ctx.argv[1:]
    packages: list[str] = []
    categories: list[str] = []
    seed = 0
    it = iter(args)
    count = None
    for arg in it:
        if arg in ("-p", "-c", "-s", "--throttle"):
            value = next(it, "")
            if arg == "-p":
                packages.append(value)
            elif arg == "-c":
                categories.append(value)
            elif arg == "-s" and value.isdigit():
                seed = int(value)
        elif arg == "-v":
            continue
        elif arg.isdigit() and count is None:
            count = int(arg)
        else:
            return await ctx.unsupported()
    if fw is None or count is None or len(packages) != 1:
        return await ctx.unsupported()
    # The /system/bin/monkey script echoes its arguments before starting the Java side.
    banner = [f"  bash arg: {a}" for a in args]
    banner.append(f"args: [{', '.join(args)}]")
    banner += [f' arg: "{a}"' for a in args]
    banner += [f'data="{v}"' for v in packages + categories]
    await ctx.out("".join(line + "\n" for line in banner))
    app = fw.apps.get(packages[0])
    if app is None or not app.launchable or categories not in ([], ["android.intent.category.LAUNCHER"]):
        await ctx.out("** No activities found to run, monkey aborted.\n")
        return NO_ACTIVITIES_STATUS
    elapsed = 0.0
    if count:
        elapsed += fw.launch(app.name).wait_s
        rng = random.Random(seed)
        width, height = fw.screen_size()
        for _ in range(count - 1):
            # Taps stay inside the package's window (monkey's package filter).
            if fw.foreground()[0] == app.name:
                elapsed += fw.tap(rng.randrange(width), rng.randrange(height // 4, height))
    await fw.pace(elapsed)
    await ctx.out(f"Events injected: {count}\n")
    ms = round(elapsed * 1000)
    await ctx.out(f"## Network stats: elapsed time={ms}ms (0ms mobile, 0ms wifi, {ms}ms not connected)\n")
    return 0


COMMANDS: dict[str, CommandFn] = {"monkey": monkey}
