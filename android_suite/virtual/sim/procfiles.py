"""Small /proc and /sys renderers: /proc/<pid>/stat, /proc/swaps, zram io_stat/bd_stat."""

from __future__ import annotations

from dataclasses import dataclass

from android_suite.virtual.sim.zram import Zram

USER_HZ = 100  # clock ticks in /proc/<pid>/stat
RLIM_INFINITY = 18446744073709551615
PF_FORKNOEXEC, PF_MEMALLOC, PF_KSWAPD, PF_KTHREAD = 0x40, 0x800, 0x20000, 0x200000


@dataclass(frozen=True)
class TaskStat:
    """The fields of ``/proc/<pid>/stat`` the model fills in (times in seconds, sizes in bytes/pages)."""

    pid: int
    comm: str
    state: str
    ppid: int
    flags: int
    utime: float
    stime: float
    start: float
    minflt: int = 0
    majflt: int = 0
    threads: int = 1
    vsize: int = 0
    rss: int = 0
    processor: int = 0
    kernel_thread: bool = True

    def render(self) -> bytes:
        def ticks(seconds: float) -> int:
            return int(seconds * USER_HZ)

        pgrp = 0 if self.kernel_thread else self.pid
        # comm is cut to TASK_COMM_LEN - 1 = 15 bytes; Android names app threads by the tail.
        comm = self.comm if len(self.comm) <= 15 else self.comm[-15:]
        fields = [
            self.pid, f"({comm})", self.state, self.ppid, pgrp, pgrp, 0, -1, self.flags,
            self.minflt, 0, self.majflt, 0, ticks(self.utime), ticks(self.stime), 0, 0,
            20, 0, self.threads, 0, ticks(self.start), self.vsize, self.rss, RLIM_INFINITY,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17, self.processor, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
        ]  # fmt: skip
        assert len(fields) == 52
        return (" ".join(str(f) for f in fields) + "\n").encode()


def swaps(zram: Zram, queued: int) -> bytes:
    header = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
    if not zram.swap_pages:
        return header.encode()
    size, used = zram.swap_pages * 4, (zram.slots_used + queued) * 4
    return (header + f"{'/dev/block/zram0':<40}partition\t{size}\t\t{used}\t\t{zram.priority}\n").encode()


def io_stat(zram: Zram) -> bytes:
    # failed_reads failed_writes invalid_io notify_free
    return f"{0:>8} {0:>8} {0:>8} {zram.notify_free:>8}\n".encode()


def bd_stat() -> bytes:
    # bd_count bd_reads bd_writes: no backing device is configured, so writeback never happens.
    return f"{0:>8} {0:>8} {0:>8}\n".encode()
