"""File commands with toybox's output formats: cat, ls, rm, mkdir, touch, chmod, md5sum, toybox."""

from __future__ import annotations

import hashlib
import re
import stat as st
import time

from android_suite.virtual.api import FileStat, FsError
from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.vfs import fs_error


def _options(ctx: CommandContext, allowed: str) -> tuple[set[str], list[str]] | str:
    """toybox-style option split (flags anywhere until ``--``); a str is an unknown flag."""
    flags: set[str] = set()
    args: list[str] = []
    rest = ctx.argv[1:]
    for i, arg in enumerate(rest):
        if arg == "--":
            args.extend(rest[i + 1 :])
            break
        if arg.startswith("-") and len(arg) > 1:
            for ch in arg[1:]:
                if ch not in allowed:
                    return ch
                flags.add(ch)
        else:
            args.append(arg)
    return flags, args


async def _fs_fail(ctx: CommandContext, exc: FsError, arg: str) -> int:
    # toybox names the file as the user typed it, not the resolved path.
    return await ctx.fail(exc.message.replace(ctx.path(arg), arg, 1))


async def _bad_option(ctx: CommandContext, flag: str) -> int:
    return await ctx.fail(f"Unknown option '{flag}' (see \"{ctx.name} --help\")")


async def cat(ctx: CommandContext) -> int:
    parsed = _options(ctx, "uv")
    if isinstance(parsed, str):
        return await _bad_option(ctx, parsed)
    status = 0
    for arg in parsed[1] or ["-"]:
        try:
            data = await ctx.read_stdin() if arg == "-" else ctx.services.fs.read(ctx.path(arg))
        except FsError as exc:
            status = await _fs_fail(ctx, exc, arg)
            continue
        await ctx.io.write_out(data)
    return status


def _perm_string(mode: int) -> str:
    kind = "d" if st.S_ISDIR(mode) else "l" if st.S_ISLNK(mode) else "-"
    return kind + st.filemode(mode)[1:]


def _owner(path: str) -> str:
    # Files the adb shell creates belong to shell; the system image to root.
    return "shell" if path.startswith(("/data/local/tmp", "/sdcard", "/storage")) else "root"


def _long_lines(entries: list[tuple[str, str, FileStat]]) -> list[str]:
    rows = [
        (
            _perm_string(s.mode),
            _owner(path),
            str(s.size),
            time.strftime("%Y-%m-%d %H:%M", time.gmtime(s.mtime)),
            name,
        )
        for name, path, s in entries
    ]
    size_w = max((len(r[2]) for r in rows), default=1)
    owner_w = max((len(r[1]) for r in rows), default=1)
    return [f"{p} 1 {o:<{owner_w}} {o:<{owner_w}} {sz:>{size_w}} {t} {n}" for p, o, sz, t, n in rows]


async def ls(ctx: CommandContext) -> int:
    parsed = _options(ctx, "la1dAh")
    if isinstance(parsed, str):
        return await _bad_option(ctx, parsed)
    flags, args = parsed
    fs, status = ctx.services.fs, 0
    files: list[tuple[str, str, FileStat]] = []
    dirs: list[tuple[str, str]] = []
    for arg in args or ["."]:
        path = ctx.path(arg)
        found = fs.stat(path)
        if found is None:
            await ctx.fail(f"{arg}: No such file or directory")
            status = 1
        elif st.S_ISDIR(found.mode) and "d" not in flags:
            dirs.append((arg, path))
        else:
            files.append((arg, path, found))
    blocks: list[list[str]] = []
    if files:
        blocks.append(_long_lines(files) if "l" in flags else [name for name, _, _ in files])
    for arg, path in dirs:
        try:
            listing = fs.listdir(path)
        except FsError as exc:
            status = await ctx.fail(exc.message)
            continue
        shown = [
            (n, f"{path.rstrip('/')}/{n}", s)
            for n, s in listing
            if "a" in flags or "A" in flags or not n.startswith(".")
        ]
        lines = _long_lines(shown) if "l" in flags else [n for n, _, _ in shown]
        if "l" in flags:
            total = sum((s.size + 4095) // 4096 * 4 for _, _, s in shown)
            lines.insert(0, f"total {total}")
        if len(dirs) + len(files) > 1:
            lines.insert(0, f"{arg}:")
        blocks.append(lines)
    await ctx.out("\n".join("".join(f"{line}\n" for line in block) for block in blocks))
    return status


async def rm(ctx: CommandContext) -> int:
    parsed = _options(ctx, "frRv")
    if isinstance(parsed, str):
        return await _bad_option(ctx, parsed)
    flags, args = parsed
    if not args and "f" not in flags:
        return await ctx.fail("Needs 1 argument")
    status = 0
    for arg in args:
        try:
            ctx.services.fs.remove(ctx.path(arg), recursive=bool(flags & {"r", "R"}))
        except FsError as exc:
            if exc.errno_name == "ENOENT" and "f" in flags:
                continue  # -f: a missing file is not an error
            status = await _fs_fail(ctx, exc, arg)
    return status


async def mkdir(ctx: CommandContext) -> int:
    argv = list(ctx.argv)
    mode = 0o755
    if "-m" in argv:
        i = argv.index("-m")
        mode = int(argv[i + 1], 8) if i + 1 < len(argv) and re.fullmatch(r"[0-7]+", argv[i + 1]) else -1
        if mode < 0:
            return await ctx.fail("-m needs an octal mode")
        del argv[i : i + 2]
    ctx.argv = argv
    parsed = _options(ctx, "pv")
    if isinstance(parsed, str):
        return await _bad_option(ctx, parsed)
    flags, args = parsed
    status = 0
    for arg in args:
        try:
            ctx.services.fs.mkdir(ctx.path(arg), parents="p" in flags, mode=mode)
        except FsError as exc:
            status = await _fs_fail(ctx, exc, arg)
    return status


async def touch(ctx: CommandContext) -> int:
    parsed = _options(ctx, "acm")
    if isinstance(parsed, str):
        return await _bad_option(ctx, parsed)
    status = 0
    for arg in parsed[1]:
        try:
            ctx.services.fs.touch(ctx.path(arg))
        except FsError as exc:
            status = await _fs_fail(ctx, exc, arg)
    return status


def _apply_mode(spec: str, mode: int, is_dir: bool) -> int | None:
    if re.fullmatch(r"[0-7]{1,4}", spec):
        return int(spec, 8)
    for clause in spec.split(","):
        match = re.fullmatch(r"([ugoa]*)([+=-])([rwxX]*)", clause)
        if match is None:
            return None
        who = match.group(1) or "a"
        shifts = [s for c, s in (("u", 6), ("g", 3), ("o", 0)) if c in who or "a" in who]
        perms = match.group(3).replace("X", "x" if is_dir or mode & 0o111 else "")
        bits = sum({"r": 4, "w": 2, "x": 1}[p] for p in set(perms))
        mask = sum(bits << s for s in shifts)
        if match.group(2) == "=":
            mode &= ~sum(7 << s for s in shifts)
        mode = mode & ~mask if match.group(2) == "-" else mode | mask
    return mode


async def chmod(ctx: CommandContext) -> int:
    args = [a for a in ctx.argv[1:] if a != "-R"]
    if len(args) < 2:
        return await ctx.fail("Needs 2 arguments")
    fs, status = ctx.services.fs, 0
    for arg in args[1:]:
        found = fs.stat(ctx.path(arg))
        if found is None:
            status = await ctx.fail(fs_error("ENOENT", arg).message)
            continue
        mode = _apply_mode(args[0], found.mode & 0o7777, st.S_ISDIR(found.mode))
        if mode is None:
            return await ctx.fail(f"bad mode '{args[0]}'")
        try:
            fs.chmod(ctx.path(arg), mode)
        except FsError as exc:
            status = await _fs_fail(ctx, exc, arg)
    return status


async def md5sum(ctx: CommandContext) -> int:
    status = 0
    for arg in [a for a in ctx.argv[1:] if not a.startswith("-") or a == "-"] or ["-"]:
        try:
            data = await ctx.read_stdin() if arg == "-" else ctx.services.fs.read(ctx.path(arg))
        except FsError as exc:
            status = await _fs_fail(ctx, exc, arg)
            continue
        # Two spaces between hash and name: the coreutils format u2 compares against.
        await ctx.out(f"{hashlib.md5(data, usedforsecurity=False).hexdigest()}  {arg}\n")
    return status


async def toybox(ctx: CommandContext) -> int:
    """``toybox NAME ARGS``: the multi-call binary (u2 runs ``toybox md5sum``)."""
    if len(ctx.argv) < 2:
        await ctx.out(" ".join(sorted(n for n in ctx.table if n.isalnum())) + "\n")
        return 0
    name = ctx.argv[1]
    if name not in ctx.table:
        ctx.services.log.unknown_commands.append(" ".join(ctx.argv))
        return await ctx.fail(f"Unknown command {name}")
    ctx.argv = ctx.argv[1:]
    return await ctx.table[name](ctx)


COMMANDS: dict[str, CommandFn] = {
    "cat": cat,
    "ls": ls,
    "rm": rm,
    "mkdir": mkdir,
    "touch": touch,
    "chmod": chmod,
    "md5sum": md5sum,
    "toybox": toybox,
}
