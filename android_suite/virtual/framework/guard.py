"""A MemoryBackend wrapper that tolerates processes dying under the framework's feet.

A modelled kernel advances on every call, so lmkd or the kernel OOM killer
can take a process between the framework's check and its next touch; the
SimKernel then raises ProcessLookupError. Android's framework learns of such
deaths asynchronously too (the binder death notice), so here a call on a
dead pid costs nothing and the next :meth:`ActivityManager.sync` reports it.
"""

from __future__ import annotations

import contextlib

from android_suite.virtual.framework.flat_memory import NO_COST
from android_suite.virtual.memory_api import KillEvent, MemoryBackend, ProcSpec, TouchResult

_GONE = (ProcessLookupError, KeyError)


class GuardedMemory:
    """Delegates to ``inner``; per-process calls on a vanished pid become no-ops."""

    def __init__(self, inner: MemoryBackend) -> None:
        self.inner = inner

    def now(self) -> float:
        return self.inner.now()

    def spawn(self, spec: ProcSpec) -> int:
        return self.inner.spawn(spec)

    def exit(self, pid: int) -> None:
        with contextlib.suppress(*_GONE):
            self.inner.exit(pid)

    def alive(self, pid: int) -> bool:
        return self.inner.alive(pid)

    def set_oom_score_adj(self, pid: int, adj: int) -> None:
        with contextlib.suppress(*_GONE):
            self.inner.set_oom_score_adj(pid, adj)

    def allocate(self, pid: int, anon_kb: int, compressibility: float = 0.5) -> TouchResult:
        try:
            return self.inner.allocate(pid, anon_kb, compressibility)
        except _GONE:
            return NO_COST

    def free(self, pid: int, anon_kb: int) -> None:
        with contextlib.suppress(*_GONE):
            self.inner.free(pid, anon_kb)

    def touch(self, pid: int, fraction: float = 1.0) -> TouchResult:
        try:
            return self.inner.touch(pid, fraction)
        except _GONE:
            return NO_COST

    def resident_fraction(self, pid: int) -> float:
        try:
            return self.inner.resident_fraction(pid)
        except _GONE:
            return 0.0

    def kills_since(self, t: float) -> list[KillEvent]:
        return self.inner.kills_since(t)

    def cpu_busy(self) -> float:
        return self.inner.cpu_busy()
