"""``dumpsys`` for the services the framework models.

activity (activities, top), window (windows, displays), display, gfxinfo,
meminfo, battery (with unplug/reset/set), package, power. Other services
fail loudly: a tool that needs one should make it modelled, not get silence.
"""

from __future__ import annotations

import zlib

from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.framework import Framework, dumps, framework_of


async def _activity(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    tasks = fw.tasks()
    if args in ([], ["activities"], ["a"]):
        await ctx.out(dumps.activities(tasks))
    elif args == ["top"]:
        await ctx.out(dumps.activity_top(tasks[0]))
    else:
        return await ctx.unsupported()
    return 0


async def _window(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    w, h = fw.screen_size()
    tasks = fw.tasks()
    if args in ([], ["windows"], ["w"]):
        await ctx.out(dumps.windows(tasks, w, h))
    elif args in (["displays"], ["d"]):
        await ctx.out("WINDOW MANAGER DISPLAY CONTENTS (dumpsys window displays)\n  Display: mDisplayId=0\n")
        await ctx.out(dumps.focus(tasks[0], w, h))
    else:
        return await ctx.unsupported()
    return 0


async def _gfxinfo(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    if not args or any(a not in ("framestats", "reset") for a in args[1:]):
        return await ctx.unsupported()
    text = fw.gfxinfo(args[0], framestats="framestats" in args[1:], reset="reset" in args[1:])
    await ctx.out(text if text is not None else f"No process found for: {args[0]}\n")
    return 0


async def _meminfo(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    if len(args) > 1 or (args and args[0].startswith("-")):
        return await ctx.unsupported()
    text = fw.meminfo(args[0] if args else None)
    await ctx.out(text if text is not None else f"No process found for: {args[0]}\n")
    return 0


async def _battery(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    battery = fw.battery
    if not args:
        await ctx.out(battery.dumpsys())
    elif args == ["unplug"]:
        battery.unplug()
    elif args == ["reset"]:
        battery.reset()
    elif len(args) == 3 and args[0] == "set" and battery.set(args[1], args[2]):
        pass
    else:
        return await ctx.unsupported()
    return 0


async def _package(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    if len(args) != 1:
        return await ctx.unsupported()
    app = fw.apps.get(args[0])
    if app is None:
        return 0  # dumpsys package prints only its headers for an unknown name
    flags = "SYSTEM HAS_CODE ALLOW_CLEAR_USER_DATA" if app.package.system else "HAS_CODE ALLOW_CLEAR_USER_DATA"
    version = app.package.version_code
    await ctx.out(
        "Packages:\n"
        f"  Package [{app.name}] ({zlib.crc32(app.name.encode()) & 0xFFFFFFF:07x}):\n"
        f"    userId={app.uid}\n"
        f"    codePath={app.code_path}\n"
        f"    versionCode={version} minSdk=28 targetSdk=34\n"
        f"    versionName={version // 1000000}.{version // 1000 % 1000}.{version % 1000}\n"
        f"    pkgFlags=[ {flags} ]\n"
        "    timeStamp=2024-03-01 10:00:00\n"
        "    firstInstallTime=2024-03-01 10:00:00\n"
        "    lastUpdateTime=2024-03-01 10:00:00\n"
        f"    signatures=PackageSignatures{{{app.uid:07x} version:3, "
        f"signatures:[{app.uid * 7919 & 0xFFFFFFFF:08x}], past signatures:[]}}\n"
    )
    return 0


async def _power(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    if args:
        return await ctx.unsupported()
    await ctx.out(
        "POWER MANAGER (dumpsys power)\n\nPower Manager State:\n  mWakefulness=Awake\n"
        f"  mIsPowered={'true' if fw.battery.charger_ma else 'false'}\n"
        f"  mPlugType={2 if fw.battery.usb_online else 0}\n"
        f"  mBatteryLevel={fw.battery.level}\n  mHoldingDisplaySuspendBlocker=true\n"
    )
    return 0


async def _display(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    if args:
        return await ctx.unsupported()
    w, h = fw.screen_size()
    await ctx.out(dumps.display(w, h, fw.profile.density))
    return 0


_SERVICES = {
    "activity": _activity,
    "window": _window,
    "gfxinfo": _gfxinfo,
    "meminfo": _meminfo,
    "battery": _battery,
    "package": _package,
    "power": _power,
    "display": _display,
}


async def dumpsys(ctx: CommandContext) -> int:
    fw = framework_of(ctx.services)
    args = ctx.argv[1:]
    handler = _SERVICES.get(args[0]) if args else None
    if fw is None or handler is None:
        return await ctx.unsupported()
    return await handler(ctx, fw, args[1:])


COMMANDS: dict[str, CommandFn] = {"dumpsys": dumpsys}
