"""A trivial :class:`~android_suite.virtual.memory_api.MemoryBackend`: infinite RAM.

Every page stays resident, nothing stalls, lmkd never kills. The framework
model uses it when the handset's kernel backend is not a memory model (the
:class:`~android_suite.virtual.kernel.StaticKernel`), and tests use it (or a
subclass that overrides residency) to drive the framework deterministically.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from android_suite.virtual.memory_api import KillEvent, ProcSpec, TouchResult

NO_COST = TouchResult(stall_s=0.0, swapins=0, refaults=0, allocstalls=0)
FIRST_APP_PID = 4000  # above the static userspace pids the handset lists (init .. systemui)


@dataclass
class FlatProc:
    """What FlatMemory remembers about one process."""

    spec: ProcSpec
    oom_score_adj: int
    anon_kb: int
    file_kb: int


class FlatMemory:
    """Everything resident, zero stalls, no kills.

    Args:
        clock: seconds since boot (default: a monotonic clock started now).
        first_pid: the first pid handed out; pids then count up like the kernel's.
    """

    def __init__(self, clock: Callable[[], float] | None = None, first_pid: int = FIRST_APP_PID) -> None:
        start = time.monotonic()
        self._clock = clock if clock is not None else (lambda: time.monotonic() - start)
        self._next_pid = first_pid
        self.procs: dict[int, FlatProc] = {}

    def now(self) -> float:
        return self._clock()

    def spawn(self, spec: ProcSpec) -> int:
        pid = self._next_pid
        self._next_pid += 1
        self.procs[pid] = FlatProc(spec, spec.oom_score_adj, spec.anon_kb, spec.file_kb)
        return pid

    def exit(self, pid: int) -> None:
        self.procs.pop(pid, None)

    def alive(self, pid: int) -> bool:
        return pid in self.procs

    def set_oom_score_adj(self, pid: int, adj: int) -> None:
        if pid in self.procs:
            self.procs[pid].oom_score_adj = adj

    def allocate(self, pid: int, anon_kb: int, compressibility: float = 0.5) -> TouchResult:
        if pid in self.procs:
            self.procs[pid].anon_kb += anon_kb
        return NO_COST

    def free(self, pid: int, anon_kb: int) -> None:
        if pid in self.procs:
            proc = self.procs[pid]
            proc.anon_kb = max(0, proc.anon_kb - anon_kb)

    def touch(self, pid: int, fraction: float = 1.0) -> TouchResult:
        return NO_COST

    def resident_fraction(self, pid: int) -> float:
        return 1.0 if pid in self.procs else 0.0

    def kills_since(self, t: float) -> list[KillEvent]:
        return []

    def cpu_busy(self) -> float:
        return 0.0
