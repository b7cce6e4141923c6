"""Contract between the Android framework model and the kernel model.

The framework model (packages, activities, frames, lmkd's log lines) asks a
:class:`MemoryBackend` for everything memory-related: is a process resident,
how long did touching its working set stall, which processes did the low
memory killer take. It never invents kernel numbers itself. The modelled
kernel (``sim/``) implements this; a real kernel under QEMU will implement it
through a guest agent.

Times are seconds on the handset's monotonic clock since boot (what
``/proc/uptime`` shows). The model advances lazily: every call first brings
the model up to ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ProcSpec:
    """A user process to create (an app, a memory eater, a system daemon)."""

    name: str  # process name as ps and lmkd print it (e.g. "com.android.chrome")
    uid: int = 10000
    oom_score_adj: int = 0  # Android: 0 foreground, 100 visible, 200 perceptible, 700+ cached, 900+ old cached
    anon_kb: int = 0  # anonymous memory allocated at start
    file_kb: int = 0  # file-backed (code, resources) mapped at start
    compressibility: float = 0.5  # 0 = random data (incompressible) ... 1 = all zero pages


@dataclass(frozen=True)
class TouchResult:
    """What touching (reading/writing) part of a process's memory cost."""

    stall_s: float  # time the task spent in direct reclaim, swap-in and refault waits
    swapins: int  # pages read back from zram
    refaults: int  # file pages read back from storage
    allocstalls: int  # direct reclaim entries charged to this task


@dataclass(frozen=True)
class KillEvent:
    """One lmkd kill, with what lmkd's log line prints."""

    t: float
    pid: int
    uid: int
    name: str
    oom_score_adj: int
    rss_kb: int
    swap_kb: int
    reason: str  # e.g. "low watermark is breached and swap is low (12345kB < 67890kB)"
    min_oom_score_adj: int


class MemoryBackend(Protocol):
    def now(self) -> float:
        """Seconds since boot on the model's clock (advances the model to it)."""
        ...

    def spawn(self, spec: ProcSpec) -> int:
        """Create a process; returns its pid. Allocation may reclaim (and stall)."""
        ...

    def exit(self, pid: int) -> None:
        """The process exits (force-stop, kill): its memory is freed."""
        ...

    def alive(self, pid: int) -> bool: ...

    def set_oom_score_adj(self, pid: int, adj: int) -> None: ...

    def allocate(self, pid: int, anon_kb: int, compressibility: float = 0.5) -> TouchResult:
        """Grow a process's anonymous memory (a memory eater, an app loading content)."""
        ...

    def free(self, pid: int, anon_kb: int) -> None: ...

    def touch(self, pid: int, fraction: float = 1.0) -> TouchResult:
        """Access ``fraction`` of the process's pages (a resume, a frame, a scroll)."""
        ...

    def resident_fraction(self, pid: int) -> float:
        """Share of the process's pages in RAM (not in zram, not evicted)."""
        ...

    def kills_since(self, t: float) -> list[KillEvent]:
        """lmkd kills at or after ``t`` (the framework prints them to logcat)."""
        ...

    def cpu_busy(self) -> float:
        """Share of CPU capacity busy in reclaim (kswapd, kcompressd, direct) over the last second."""
        ...
