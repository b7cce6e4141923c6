"""System properties: the store behind them, and ``getprop`` / ``setprop``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from android_suite.virtual.commands.context import CommandContext, CommandFn

# bionic's PROP_VALUE_MAX is 92 including the NUL; ro.* values may be longer.
PROP_VALUE_MAX = 91
_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-@:]+$")


class PropertyStore:
    """Android system properties.

    Static values come from the profile; *dynamic* ones are computed at read
    time (``sys.boot_completed`` from the boot clock) and cannot be set from
    the shell, as SELinux forbids the shell domain to set them on a device.
    A dynamic property whose value is ``""`` counts as absent.
    """

    def __init__(self, initial: Mapping[str, str]) -> None:
        self._values: dict[str, str] = dict(initial)
        self._dynamic: dict[str, Callable[[], str]] = {}

    def get(self, key: str, default: str = "") -> str:
        if key in self._dynamic:
            return self._dynamic[key]() or default
        return self._values.get(key) or default

    def __getitem__(self, key: str) -> str:
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) != ""

    def define_dynamic(self, key: str, compute: Callable[[], str]) -> None:
        self._dynamic[key] = compute

    def set(self, key: str, value: str) -> bool:
        """setprop semantics; False where the device's property service refuses."""
        if not _NAME_RE.match(key) or key in self._dynamic:
            return False
        if key.startswith("ro."):
            if self._values.get(key):
                return False  # read-only once set, even to the same value
        elif len(value.encode()) > PROP_VALUE_MAX:
            return False
        self._values[key] = value
        return True

    def items(self) -> list[tuple[str, str]]:
        """All non-empty properties, sorted by name (getprop's listing order)."""
        merged = {k: v for k, v in self._values.items() if v}
        for key, compute in self._dynamic.items():
            value = compute()
            if value:
                merged[key] = value
        return sorted(merged.items())

    def reset(self, initial: Mapping[str, str]) -> None:
        """A reboot: back to the profile's values; ``persist.*`` survives on /data."""
        kept = {k: v for k, v in self._values.items() if k.startswith("persist.")}
        self._values = {**initial, **kept}


async def getprop(ctx: CommandContext) -> int:
    props = ctx.services.props
    args = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if not args:
        # `getprop` alone lists "[name]: [value]" lines, which adbutils parses.
        await ctx.out("".join(f"[{k}]: [{v}]\n" for k, v in props.items()))
        return 0
    default = args[1] if len(args) > 1 else ""
    # An absent property prints an empty line (or the default), exit 0.
    await ctx.out(props.get(args[0], default) + "\n")
    return 0


async def setprop(ctx: CommandContext) -> int:
    if len(ctx.argv) != 3:
        return await ctx.fail("Need 2 arguments")
    key, value = ctx.argv[1], ctx.argv[2]
    if not ctx.services.props.set(key, value):
        # Android 9+ toybox setprop prints this two-line message and exits 1.
        await ctx.err(f"Failed to set property '{key}' to '{value}'.\nSee dmesg for error reason.\n")
        return 1
    return 0


COMMANDS: dict[str, CommandFn] = {"getprop": getprop, "setprop": setprop}
