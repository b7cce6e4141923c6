"""The Android framework surface of a virtual handset (ActivityManager, WindowManager, hwui, logd, battery).

:func:`attach_framework` builds the :class:`Framework` for a handset over its
kernel when that kernel is a memory model, else over a :class:`FlatMemory`;
commands find it with :func:`framework_of`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Protocol, cast

from android_suite.virtual.api import BootState, FsError
from android_suite.virtual.framework.activity import LaunchResult
from android_suite.virtual.framework.flat_memory import FlatMemory
from android_suite.virtual.framework.framework import Framework
from android_suite.virtual.framework.uitree import UiNode
from android_suite.virtual.memory_api import MemoryBackend
from android_suite.virtual.profile import Profile
from android_suite.virtual.vfs import VirtualFS

POWER_SUPPLY = "/sys/class/power_supply/battery"
_MEMORY_METHODS = ("now", "spawn", "exit", "alive", "set_oom_score_adj", "allocate", "free", "touch",
                   "resident_fraction", "kills_since", "cpu_busy")  # fmt: skip


class HandsetParts(Protocol):
    """What :func:`attach_framework` reads from a handset."""

    @property
    def profile(self) -> Profile: ...

    @property
    def kernel(self) -> object: ...

    @property
    def boot(self) -> BootState: ...

    @property
    def fs(self) -> VirtualFS: ...


def as_memory_backend(obj: object) -> MemoryBackend | None:
    """``obj`` if it implements every MemoryBackend method (the Protocol is not runtime-checkable)."""
    if all(callable(getattr(obj, name, None)) for name in _MEMORY_METHODS):
        return cast(MemoryBackend, obj)
    return None


def attach_framework(
    handset: HandsetParts,
    *,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    seed: int = 0,
) -> Framework:
    """The framework for ``handset``, with its battery files installed under ``/sys``."""

    def since_boot() -> float:
        return max(0.0, clock() - handset.boot.booted_at)

    def read(path: str) -> bytes | None:
        try:
            return handset.fs.read(path)
        except FsError:
            return None

    memory = as_memory_backend(handset.kernel)
    fresh: Callable[[], MemoryBackend] | None = None
    if memory is None:

        def fresh() -> MemoryBackend:
            return FlatMemory(since_boot)

        memory = fresh()
    # The test app reads debug.asuite.* properties; a handset without a property store has none.
    store = getattr(handset, "props", None)
    props: Callable[[], Mapping[str, str]] = (lambda: dict(store.items())) if store is not None else dict
    framework = Framework(
        handset.profile,
        memory,
        boot_id=lambda: handset.boot.boot_id,
        fresh_memory=fresh,
        read_file=read,
        wall_clock=wall_clock,
        seed=seed,
        props=props,
    )
    for name, render in framework.battery.sysfs().items():
        handset.fs.add_dynamic(f"{POWER_SUPPLY}/{name}", render)
    return framework


def framework_of(services: object) -> Framework | None:
    """The handset's framework, if it has one (commands take any HandsetServices)."""
    found = getattr(services, "framework", None)
    return found if isinstance(found, Framework) else None


__all__ = [
    "FlatMemory",
    "Framework",
    "LaunchResult",
    "UiNode",
    "as_memory_backend",
    "attach_framework",
    "framework_of",
]
