"""System commands: su, sh, uname, nproc, ps, reboot, wm, settings."""

from __future__ import annotations

import shlex

from android_suite.virtual.api import FsError
from android_suite.virtual.commands.context import ROOT_UID, CommandContext, CommandFn
from android_suite.virtual.kernel import ProcessInfo

SH = "/system/bin/sh"


async def su(ctx: CommandContext) -> int:
    """AOSP's userdebug su (``su [WHO [COMMAND...]]``) plus the common ``su -c "CMD"`` form."""
    if not ctx.services.profile.has_su:
        # user builds ship no su binary: the shell cannot find it.
        await ctx.err(f"{SH}: {ctx.argv[0]}: inaccessible or not found\n")
        return 127
    args = ctx.argv[1:]
    if args and args[0] == "-c":
        if len(args) < 2:
            return await ctx.fail("option requires an argument -- c")
        return await ctx.run_nested(args[1], ctx.io, ROOT_UID)
    if args and args[0] not in ("0", "root"):
        # Only root is modelled; other users (shell, system) would need per-uid permissions.
        return await ctx.unsupported()
    command = args[1:]
    if not command:
        # Interactive su: the commands arrive on stdin.
        script = (await ctx.read_stdin()).decode(errors="replace")
        return await ctx.run_nested(script, ctx.io, ROOT_UID)
    # AOSP su execs the argv as is; quoting and re-parsing keeps it one word per arg.
    return await ctx.run_nested(shlex.join(command), ctx.io, ROOT_UID)


async def sh(ctx: CommandContext) -> int:
    """``sh -c CMD``, ``sh FILE`` or ``sh`` reading commands from stdin: a nested shell."""
    args = ctx.argv[1:]
    if args[:1] == ["-c"]:
        if len(args) < 2:
            return await ctx.fail("-c: option requires an argument", 2)
        return await ctx.run_nested(args[1], ctx.io, ctx.uid)
    if args and args[0].startswith("-"):
        return await ctx.unsupported()
    if args:
        try:
            script = ctx.services.fs.read(ctx.path(args[0]))
        except FsError as exc:
            return await ctx.fail(exc.message.replace(ctx.path(args[0]), args[0], 1), 127)
    else:
        script = await ctx.read_stdin()
    return await ctx.run_nested(script.decode(errors="replace"), ctx.io, ctx.uid)


async def uname(ctx: CommandContext) -> int:
    info = ctx.services.kernel.uname()
    flags = "".join(a[1:] for a in ctx.argv[1:] if a.startswith("-"))
    if "a" in flags:
        flags = "snrvmo"
    # Fields print in this fixed order whatever the flag order; -o is "Toybox" on Android.
    fields = {
        "s": info.sysname,
        "n": info.nodename,
        "r": info.release,
        "v": info.version,
        "m": info.machine,
        "o": "Toybox",
    }
    unknown = set(flags) - set(fields)
    if unknown:
        return await ctx.fail(f"Unknown option '{sorted(unknown)[0]}'")
    chosen = [value for key, value in fields.items() if key in (flags or "s")]
    await ctx.out(" ".join(chosen) + "\n")
    return 0


async def nproc(ctx: CommandContext) -> int:
    await ctx.out(f"{ctx.services.profile.cores}\n")
    return 0


_PS_FORMAT = "{:<12} {:>5} {:>5} {:>10} {:>6} {:<16} {:>4} {} {}\n"


def _ps_row(p: ProcessInfo) -> str:
    # toybox shows kernel threads (no cmdline) as [comm].
    name = f"[{p.name}]" if p.kernel_thread else p.name
    return _PS_FORMAT.format(p.user, p.pid, p.ppid, p.vsz_kb, p.rss_kb, p.wchan, "0", p.state, name)


async def ps(ctx: CommandContext) -> int:
    flags = {ch for a in ctx.argv[1:] if a.startswith("-") for ch in a[1:]}
    filters = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if flags - {"A", "e", "w"}:
        return await ctx.unsupported()
    procs = ctx.services.processes()
    if not flags & {"A", "e"}:
        # Without -A toybox ps shows only this session: the shell and ps itself.
        user = "root" if ctx.uid == ROOT_UID else "shell"
        last = max(p.pid for p in procs)
        procs = [
            ProcessInfo(last + 1, 1, "sh", user=user, vsz_kb=10820336, rss_kb=2904, wchan="0", state="S"),
            ProcessInfo(last + 2, last + 1, "ps", user=user, vsz_kb=10850268, rss_kb=3620, state="R"),
        ]
    if filters:
        procs = [p for p in procs if p.name in filters or str(p.pid) in filters]
    header = _PS_FORMAT.format("USER", "PID", "PPID", "VSZ", "RSS", "WCHAN", "ADDR", "S", "NAME")
    await ctx.out(header + "".join(_ps_row(p) for p in procs))
    return 0


async def reboot(ctx: CommandContext) -> int:
    args = [a for a in ctx.argv[1:] if a != "-f"]
    target = args[0] if args else ""
    if target not in ("", "bootloader") or len(args) > 1:
        # recovery, sideload, -p (power off): not modelled, so say so.
        return await ctx.unsupported()
    # `adb shell reboot` works for the shell uid on Android (it sets sys.powerctl).
    ctx.services.request_reboot(target)
    return 0


async def wm(ctx: CommandContext) -> int:
    profile = ctx.services.profile
    args = ctx.argv[1:]
    if args == ["size"]:
        await ctx.out(f"Physical size: {profile.screen_width}x{profile.screen_height}\n")
        return 0
    if args == ["density"]:
        await ctx.out(f"Physical density: {profile.density}\n")
        return 0
    return await ctx.unsupported()


async def settings(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    if len(args) < 2 or args[1] not in ("system", "secure", "global"):
        return await ctx.unsupported()
    verb, table = args[0], ctx.services.settings.setdefault(args[1], {})
    if verb == "get" and len(args) == 3:
        # An unset setting prints the literal "null", as the settings provider does.
        await ctx.out(table.get(args[2], "null") + "\n")
        return 0
    if verb == "put" and len(args) >= 4:
        table[args[2]] = args[3]
        return 0
    if verb == "delete" and len(args) == 3:
        await ctx.out(f"Deleted {int(table.pop(args[2], None) is not None)} rows\n")
        return 0
    if verb == "list" and len(args) == 2:
        await ctx.out("".join(f"{k}={v}\n" for k, v in sorted(table.items())))
        return 0
    return await ctx.unsupported()


COMMANDS: dict[str, CommandFn] = {
    "su": su,
    "sh": sh,
    "uname": uname,
    "nproc": nproc,
    "ps": ps,
    "reboot": reboot,
    "wm": wm,
    "settings": settings,
}
