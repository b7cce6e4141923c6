"""Installing and removing APKs: ``pm install``/``uninstall``, ``cmd package ...`` and ``sha256sum``.

How APKs arrive (Android 14, adb 36):
- ``adb install`` on a handset advertising the ``cmd`` feature streams the
  file: ``exec:cmd package install -S SIZE`` with SIZE bytes on stdin; it
  prints ``Success`` or ``Failure [CODE: message]``.
- adbutils (and older adb) push to ``/data/local/tmp/X.apk`` and run
  ``pm install -r -t PATH`` through the shell, then ``rm`` it.
Both end in :func:`android_suite.virtual.framework.packages.install`, which
parses the manifest and refuses what Android refuses (exit status 1). The
installed file lands at ``<code path>/base.apk``, readable by the shell as on
a phone, so ``pm path`` + ``sha256sum`` tell whether a handset has an APK's exact bytes.
"""

from __future__ import annotations

import contextlib
import hashlib

from android_suite.virtual.api import FsError
from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.framework import Framework
from android_suite.virtual.framework import packages as pkgs
from android_suite.virtual.framework.apkfile import InstallFailure

# pm install flags that take no value and change nothing in the model (-r: replace is the default since 7).
_PLAIN_FLAGS = {"-r", "-g", "-f", "-l", "-p", "--dont-kill", "--restrict-permissions", "--no-incremental", "-D"}
_VALUE_FLAGS = {"-i", "--user", "--install-reason", "--abi", "--pkg", "--originating-uri", "--referrer"}


async def install(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    """``pm install [-t] [-d] [-S SIZE] [PATH]``."""
    test_ok = downgrade_ok = False
    size: int | None = None
    paths: list[str] = []
    it = iter(args)
    for arg in it:
        if arg == "-t":
            test_ok = True
        elif arg == "-d":
            downgrade_ok = True
        elif arg == "-S":
            value = next(it, "")
            if not value.isdigit():
                await ctx.err(f"Error: Invalid size: {value}\n")
                return 1
            size = int(value)
        elif arg in _VALUE_FLAGS:
            if next(it, None) is None:
                return await ctx.unsupported()
        elif arg in _PLAIN_FLAGS:
            continue
        elif arg.startswith("-"):
            return await ctx.unsupported()
        else:
            paths.append(arg)
    if len(paths) > 1 or (size is None and not paths):
        return await ctx.unsupported()  # split APKs (install-multiple) are not modelled
    if paths:
        try:
            data = ctx.services.fs.read(ctx.path(paths[0]))
        except FsError:
            await ctx.err(f"Error: Unable to open file: {paths[0]}\nConsider using a file under /data/local/tmp/\n")
            return 1
    else:
        data = await _read_exactly(ctx, size or 0)
        if len(data) != size:
            await ctx.out(f"Failure [INSTALL_FAILED_INVALID_APK: expected {size} bytes, got {len(data)}]\n")
            return 1
    try:
        app, old = pkgs.install(fw, data, test_ok=test_ok, downgrade_ok=downgrade_ok)
    except InstallFailure as exc:
        await ctx.out(exc.line + "\n")
        return 1
    fs = ctx.services.fs
    try:
        fs.mkdir(app.code_path, parents=True)
        fs.write(app.apk_path, data, mode=0o644)
    except FsError:
        # /data is full (a disk_full fault): PackageManager rolls the session back.
        if old is not None:
            fw.apps[old.name] = old
        else:
            pkgs.uninstall(fw, app.name)
        await ctx.out("Failure [INSTALL_FAILED_INSUFFICIENT_STORAGE]\n")
        return 1
    if old is not None and old.code_path != app.code_path:
        _remove(ctx, old.code_path)
    await ctx.out("Success\n")
    return 0


def _remove(ctx: CommandContext, path: str) -> None:
    with contextlib.suppress(FsError):  # already gone
        ctx.services.fs.remove(path.rsplit("/", 1)[0], recursive=True)


async def _read_exactly(ctx: CommandContext, size: int) -> bytes:
    # exec: streams have no half-close: read what -S promised, never wait for EOF.
    chunks, got = [], 0
    while got < size:
        chunk = await ctx.io.read_stdin(min(65536, size - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


async def uninstall(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    """``pm uninstall [-k] [--user U] PKG``."""
    names = [a for a in args if not a.startswith("-")]
    if "--user" in args:
        names = names[1:]  # its value
    if len(names) != 1:
        return await ctx.unsupported()
    app = pkgs.uninstall(fw, names[0])
    if app is None:
        await ctx.out("Failure [DELETE_FAILED_INTERNAL_ERROR]\n")
        return 1
    _remove(ctx, app.code_path)
    await ctx.out("Success\n")
    return 0


async def cmd(ctx: CommandContext) -> int:
    """``cmd package ARGS`` is ``pm ARGS`` (pm itself is a wrapper around it since Android 7)."""
    from android_suite.virtual.commands.pm import pm

    if len(ctx.argv) < 3 or ctx.argv[1] != "package":
        return await ctx.unsupported()
    ctx.argv = ["pm", *ctx.argv[2:]]
    return await pm(ctx)


async def sha256sum(ctx: CommandContext) -> int:
    status = 0
    for arg in [a for a in ctx.argv[1:] if not a.startswith("-") or a == "-"] or ["-"]:
        try:
            data = await ctx.read_stdin() if arg == "-" else ctx.services.fs.read(ctx.path(arg))
        except FsError as exc:
            status = await ctx.fail(f"{arg}: {exc.message}" if hasattr(exc, "message") else str(exc))
            continue
        await ctx.out(f"{hashlib.sha256(data).hexdigest()}  {arg}\n")
    return status


COMMANDS: dict[str, CommandFn] = {"cmd": cmd, "sha256sum": sha256sum}
