"""``input keyevent|tap|swipe|draganddrop|text``: gestures for the foreground app.

Each command takes as long as its gesture (a swipe its duration, a launch
from a home-screen tap its launch time), scaled by the framework's time_scale.
"""

from __future__ import annotations

from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.framework import framework_of

_SOURCES = {"touchscreen", "touchpad", "mouse", "keyboard", "dpad", "gamepad", "stylus", "trackball", "joystick"}
DEFAULT_SWIPE_MS = 300  # InputShellCommand's default swipe duration


def _ints(values: list[str]) -> list[int] | None:
    try:
        return [int(float(v)) for v in values]
    except ValueError:
        return None


async def input_cmd(ctx: CommandContext) -> int:
    fw = framework_of(ctx.services)
    args = ctx.argv[1:]
    if args and args[0] == "-d" and len(args) > 1:
        if args[1] not in ("0", "-1"):
            return await ctx.unsupported()  # only the built-in display exists
        args = args[2:]
    if args and args[0] in _SOURCES:
        args = args[1:]
    if fw is None or not args:
        return await ctx.unsupported()
    verb, rest = args[0], args[1:]
    if verb == "keyevent" and rest:
        keys = [k for k in rest if k not in ("--longpress", "--doubletap")]
        duration = 0.0
        for key in keys:
            try:
                duration += fw.press_key(key)
            except ValueError as exc:
                return await ctx.fail(f"Error: {exc}")
        await fw.pace(duration)
        return 0
    numbers = _ints(rest)
    if verb == "tap" and numbers is not None and len(numbers) == 2:
        await fw.pace(fw.tap(numbers[0], numbers[1]))
        return 0
    if verb in ("swipe", "draganddrop") and numbers is not None and len(numbers) in (4, 5):
        ms = numbers[4] if len(numbers) == 5 else DEFAULT_SWIPE_MS
        x1, y1, x2, y2 = numbers[:4]
        await fw.pace(fw.swipe(x1, y1, x2, y2, ms / 1000))
        return 0
    if verb == "text" and len(rest) == 1:
        # `input text` spells spaces as %s.
        await fw.pace(fw.text(rest[0].replace("%s", " ")))
        return 0
    return await ctx.unsupported()


COMMANDS: dict[str, CommandFn] = {"input": input_cmd}
