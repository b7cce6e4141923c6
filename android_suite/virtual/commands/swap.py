"""toybox's mkswap, swapon and swapoff, on the kernel backend's swap devices (root only).

Output and error shapes follow toybox: ``mkswap`` prints the size line,
``swapon`` fails with ``swapon: 'DEV': <strerror>``, ``swapoff`` with
``swapoff: failed to remove swaparea: <strerror>``. A backend without
:class:`SwapControl` (StaticKernel) makes them fail loudly as unsupported.
"""

from __future__ import annotations

import uuid

from android_suite.virtual.api import FsError
from android_suite.virtual.commands.context import ROOT_UID, CommandContext, CommandFn
from android_suite.virtual.kernel import SwapControl
from android_suite.virtual.vfs import STRERROR


def _strerror(exc: FsError) -> str:
    return STRERROR.get(exc.errno_name, exc.errno_name)


async def _check(ctx: CommandContext, nargs: int) -> SwapControl | int:
    kernel = ctx.services.kernel
    if not isinstance(kernel, SwapControl):
        return await ctx.unsupported()
    if len(ctx.argv) != nargs:
        return await ctx.unsupported(2)
    if ctx.uid != ROOT_UID:
        # The syscalls need CAP_SYS_ADMIN; the shell user gets EPERM.
        return await ctx.fail(f"'{ctx.argv[-1]}': Operation not permitted")
    return kernel


async def mkswap(ctx: CommandContext) -> int:
    kernel = await _check(ctx, 2)
    if isinstance(kernel, int):
        return kernel
    try:
        size_kb = kernel.mkswap(ctx.argv[1])
    except FsError as exc:
        return await ctx.fail(exc.message)
    await ctx.out(f"Swapspace size: {size_kb}k, LABEL=(null), UUID={uuid.uuid4()}\n")
    return 0


async def swapon(ctx: CommandContext) -> int:
    priority: int | None = None
    if len(ctx.argv) == 4 and ctx.argv[1] == "-p":
        if not ctx.argv[2].lstrip("-").isdigit():
            return await ctx.fail(f"invalid number '{ctx.argv[2]}'")
        priority = int(ctx.argv[2])
        ctx.argv = [ctx.argv[0], ctx.argv[3]]
    kernel = await _check(ctx, 2)
    if isinstance(kernel, int):
        return kernel
    try:
        kernel.swapon(ctx.argv[1], priority)
    except FsError as exc:
        return await ctx.fail(f"'{ctx.argv[1]}': {_strerror(exc)}")
    return 0


async def swapoff(ctx: CommandContext) -> int:
    kernel = await _check(ctx, 2)
    if isinstance(kernel, int):
        return kernel
    try:
        kernel.swapoff(ctx.argv[1])
    except FsError as exc:
        return await ctx.fail(f"failed to remove swaparea: {_strerror(exc)}")
    return 0


COMMANDS: dict[str, CommandFn] = {"mkswap": mkswap, "swapon": swapon, "swapoff": swapoff}
