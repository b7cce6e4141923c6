"""toybox ``dd`` for whole-file copies (``if=``, ``of=``, ``bs=``, ``count=``, ``skip=``).

The suite's only use is reading a boot partition before the first flash
(``dd if=/dev/block/by-name/boot_a of=/data/local/tmp/... bs=1048576``), so
data is copied in one piece; the record counts and the summary line go to
stderr in toybox's shape. Other operands (``conv=``, ``iflag=``...) fail
loudly as unsupported.
"""

from __future__ import annotations

import time

from android_suite.virtual.api import FsError
from android_suite.virtual.commands.context import CommandContext, CommandFn

_SUFFIX = {"": 1, "c": 1, "w": 2, "b": 512, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def _number(text: str) -> int | None:
    digits = text.rstrip("cwbkmgKMG")
    suffix = text[len(digits) :].lower()
    if not digits.isdigit() or suffix not in _SUFFIX:
        return None
    return int(digits) * _SUFFIX[suffix]


async def dd(ctx: CommandContext) -> int:
    ops: dict[str, str] = {}
    for arg in ctx.argv[1:]:
        key, sep, value = arg.partition("=")
        if not sep or key not in ("if", "of", "bs", "count", "skip"):
            return await ctx.unsupported()
        ops[key] = value
    numbers = {k: _number(ops[k]) for k in ("bs", "count", "skip") if k in ops}
    bad = [k for k, v in numbers.items() if v is None]
    if bad:
        return await ctx.fail(f"invalid number '{ops[bad[0]]}'")
    bs = numbers.get("bs") or 512
    start = time.monotonic()
    try:
        data = ctx.services.fs.read(ctx.path(ops["if"])) if "if" in ops else await ctx.read_stdin()
    except FsError as exc:
        return await ctx.fail(f"{ops['if']}: {exc.message.rsplit(': ', 1)[-1]}")
    offset = (numbers.get("skip") or 0) * bs
    count = numbers.get("count")
    data = data[offset : offset + count * bs] if count is not None else data[offset:]
    try:
        if "of" in ops:
            ctx.services.fs.write(ctx.path(ops["of"]), data)
        else:
            await ctx.io.write_out(data)
    except FsError as exc:
        return await ctx.fail(f"{ops['of']}: {exc.message.rsplit(': ', 1)[-1]}")
    full, part = divmod(len(data), bs)
    elapsed = max(time.monotonic() - start, 1e-6)
    await ctx.err(
        f"{full}+{1 if part else 0} records in\n{full}+{1 if part else 0} records out\n"
        f"{len(data)} bytes ({len(data) / 1e6:.1f} M) copied, {elapsed:.6f} s, {len(data) / elapsed / 1e6:.0f} M/s\n"
    )
    return 0


COMMANDS: dict[str, CommandFn] = {"dd": dd}
