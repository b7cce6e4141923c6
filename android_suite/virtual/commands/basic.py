"""Shell builtins and trivial commands: echo, true, false, sleep, exit, cd, export, id."""

from __future__ import annotations

import re

from android_suite.virtual.commands.context import ROOT_UID, CommandContext, CommandFn, ExitShell
from android_suite.virtual.commands.textutil import Stop, unescape

# mksh prefixes errors from its builtins with the shell's own name.
SH = "/system/bin/sh"


async def echo(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    newline, escapes = True, False
    # Only leading words made purely of n/e/E letters are options, as in mksh.
    while args and re.fullmatch(r"-[neE]+", args[0]):
        newline = newline and "n" not in args[0]
        escapes = "e" in args[0] or (escapes and "E" not in args[0])
        args = args[1:]
    text = " ".join(args)
    if escapes:
        # toybox echo -e decodes like printf's %b: \0NNN octal, \xHH, \c stops.
        try:
            text = unescape(text, in_arg=True)
        except Stop as stop:
            text, newline = str(stop), False
    await ctx.out(text + ("\n" if newline else ""))
    return 0


async def true(ctx: CommandContext) -> int:
    return 0


async def false(ctx: CommandContext) -> int:
    return 1


_SLEEP_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


async def sleep(ctx: CommandContext) -> int:
    if len(ctx.argv) < 2:
        return await ctx.fail("Needs 1 argument")
    total = 0.0
    for arg in ctx.argv[1:]:
        # toybox sleep takes fractions and an optional s/m/h/d suffix.
        match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", arg)
        if match is None:
            return await ctx.fail(f"bad number '{arg}'")
        total += float(match.group(1)) * _SLEEP_UNITS[match.group(2)]
    # `sleep 0` still yields to the loop: a `while :; do ...; sleep 0; done` must not starve it.
    await ctx.state.clocks.sleep(total)
    return 0


async def exit_(ctx: CommandContext) -> int:
    if len(ctx.argv) < 2:
        raise ExitShell(ctx.state.status)
    arg = ctx.argv[1]
    if not re.fullmatch(r"-?\d+", arg):
        await ctx.err(f"{SH}: exit: {arg}: bad number\n")
        raise ExitShell(1)
    raise ExitShell(int(arg) & 0xFF)


async def cd(ctx: CommandContext) -> int:
    target = ctx.path(ctx.argv[1] if len(ctx.argv) > 1 else ctx.env.get("HOME", "/"))
    found = ctx.services.fs.stat(target)
    if found is None or not ctx.services.fs.is_dir(target):
        reason = "No such file or directory" if found is None else "Not a directory"
        await ctx.err(f"{SH}: cd: {ctx.argv[1]}: {reason}\n")
        return 1
    ctx.state.cwd = target
    ctx.state.env["PWD"] = target
    return 0


async def pwd(ctx: CommandContext) -> int:
    await ctx.out(ctx.cwd + "\n")
    return 0


async def export(ctx: CommandContext) -> int:
    for arg in ctx.argv[1:]:
        name, sep, value = arg.partition("=")
        if sep:
            ctx.state.env[name] = value
    return 0


async def unset(ctx: CommandContext) -> int:
    for name in ctx.argv[1:]:
        ctx.state.env.pop(name, None)
    return 0


# What `adb shell id` prints; the shell user's supplementary groups are fixed by init.
_SHELL_GROUPS = (
    "2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),1078(ext_data_rw),"
    "1079(ext_obb_rw),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats),3009(readproc),"
    "3011(uhid),3012(readtracefs)"
)


async def id_(ctx: CommandContext) -> int:
    root = ctx.uid == ROOT_UID
    name = "root" if root else "shell"
    flags = "".join(a[1:] for a in ctx.argv[1:] if a.startswith("-"))
    if "u" in flags or "g" in flags:
        await ctx.out((name if "n" in flags else str(ctx.uid)) + "\n")
        return 0
    if root:
        await ctx.out("uid=0(root) gid=0(root) groups=0(root) context=u:r:su:s0\n")
    else:
        await ctx.out(f"uid=2000(shell) gid=2000(shell) groups={_SHELL_GROUPS} context=u:r:shell:s0\n")
    return 0


async def whoami(ctx: CommandContext) -> int:
    await ctx.out(("root" if ctx.uid == ROOT_UID else "shell") + "\n")
    return 0


COMMANDS: dict[str, CommandFn] = {
    "echo": echo,
    "true": true,
    ":": true,
    "false": false,
    "sleep": sleep,
    "exit": exit_,
    "cd": cd,
    "pwd": pwd,
    "export": export,
    "unset": unset,
    "id": id_,
    "whoami": whoami,
}
