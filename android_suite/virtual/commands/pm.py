"""``pm list packages``, ``pm path``, ``pm clear``; ``pm install``/``uninstall`` live in package.py."""

from __future__ import annotations

from android_suite.virtual.commands import package
from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.framework import Framework, framework_of

_LIST_FLAGS = {"-3", "-s", "-f", "-e", "-d", "-u", "-i"}


async def _list(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    flags: set[str] = set()
    filters: list[str] = []
    it = iter(args)
    for arg in it:
        if arg == "--user":
            if next(it, None) not in ("0", "current"):
                return await ctx.unsupported()
        elif arg in _LIST_FLAGS:
            flags.add(arg)
        elif arg.startswith("-"):
            return await ctx.unsupported()
        else:
            filters.append(arg)
    lines = []
    for app in fw.apps.values():
        system = app.package.system
        if ("-3" in flags and system) or ("-s" in flags and not system) or "-d" in flags:
            continue  # nothing is disabled
        if filters and not any(f in app.name for f in filters):
            continue
        entry = f"{app.apk_path}={app.name}" if "-f" in flags else app.name
        installer = "  installer=com.android.vending" if "-i" in flags and not system else ""
        installer = installer or ("  installer=null" if "-i" in flags else "")
        lines.append(f"package:{entry}{installer}\n")
    await ctx.out("".join(lines))
    return 0


async def pm(ctx: CommandContext) -> int:
    fw = framework_of(ctx.services)
    args = ctx.argv[1:]
    if fw is None or not args:
        return await ctx.unsupported()
    if args[:2] == ["list", "packages"]:
        return await _list(ctx, fw, args[2:])
    if args[0] == "path" and len(args) == 2:
        app = fw.apps.get(args[1])
        if app is None:
            return 1  # pm prints nothing for an unknown package and fails
        await ctx.out(f"package:{app.apk_path}\n")
        return 0
    if args[0] == "install":
        return await package.install(ctx, fw, args[1:])
    if args[0] == "uninstall":
        return await package.uninstall(ctx, fw, args[1:])
    if args[0] == "clear" and len(args) == 2:
        if args[1] not in fw.apps:
            await ctx.out("Failed\n")
            return 1
        # Clearing data kills the app first (PackageManagerService.clearApplicationUserData).
        fw.force_stop(args[1])
        await ctx.out("Success\n")
        return 0
    return await ctx.unsupported()


COMMANDS: dict[str, CommandFn] = {"pm": pm}
