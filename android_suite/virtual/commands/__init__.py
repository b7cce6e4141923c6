"""The handset's command table: name -> ``async def cmd(ctx) -> int``.

Each family lives in its own module with a ``COMMANDS`` dict; add a module
and list it in ``_FAMILIES`` to extend the table (am, pm, dumpsys, ... come
that way). A handset may also add or override entries on its own copy.
"""

from __future__ import annotations

from android_suite.virtual.commands import (
    am,
    app_process,
    basic,
    dd,
    dumpsys,
    files,
    input,
    logcat,
    memeater,
    monkey,
    package,
    pm,
    props,
    swap,
    system,
    text,
)
from android_suite.virtual.commands.context import (
    CommandContext,
    CommandFn,
    ExitShell,
    HandsetServices,
    ShellState,
)
from android_suite.virtual.commands.props import PropertyStore

_FAMILIES = (basic, files, props, system, app_process, am, pm, dumpsys, input, logcat, monkey, text, memeater, swap, dd,
             package)  # fmt: skip


def default_commands() -> dict[str, CommandFn]:
    """A fresh copy of the standard table (callers may add to it)."""
    table: dict[str, CommandFn] = {}
    for family in _FAMILIES:
        clash = table.keys() & family.COMMANDS.keys()
        assert not clash, f"commands defined twice: {sorted(clash)}"
        table.update(family.COMMANDS)
    return table


__all__ = [
    "CommandContext",
    "CommandFn",
    "ExitShell",
    "HandsetServices",
    "PropertyStore",
    "ShellState",
    "default_commands",
]
