"""Pure parsers for what the QEMU guest tells the host: task stats, app stats, OOM kills, boot images.

No I/O here: the backend fetches text through the guest agent and hands it to
these functions, so each one is tested on golden files in ``tests/data/qemu``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from android_suite.virtual.bootimg import parse_boot_image

PF_KTHREAD = 0x200000  # include/linux/sched.h: the task is a kernel thread
USER_HZ = 100


@dataclass(frozen=True)
class GuestTask:
    """One ``/proc/<pid>/stat`` line of the guest (times in seconds, rss in pages)."""

    pid: int
    comm: str
    state: str
    ppid: int
    flags: int
    utime_s: float
    stime_s: float
    vsize: int
    rss_pages: int

    @property
    def kernel_thread(self) -> bool:
        return bool(self.flags & PF_KTHREAD) or self.pid == 2 or self.ppid == 2


def parse_task_stat(line: str) -> GuestTask | None:
    """One stat line; None when it is cut short (the task exited mid-read)."""
    head, sep, tail = line.strip().rpartition(")")
    pid_text, _, comm = head.partition(" (")
    fields = tail.split()
    # After "(comm)": state(3) ppid(4) ... flags(9) ... utime(14) stime(15) ... vsize(23) rss(24).
    if not sep or not pid_text.strip().isdigit() or len(fields) < 22:
        return None
    try:
        return GuestTask(
            pid=int(pid_text),
            comm=comm,
            state=fields[0],
            ppid=int(fields[1]),
            flags=int(fields[6]),
            utime_s=int(fields[11]) / USER_HZ,
            stime_s=int(fields[12]) / USER_HZ,
            vsize=int(fields[20]),
            rss_pages=int(fields[21]),
        )
    except ValueError:
        return None


def parse_task_stats(text: str) -> list[GuestTask]:
    """Every stat line of ``cat /proc/[0-9]*/stat``, unparseable ones left out."""
    return [t for t in (parse_task_stat(line) for line in text.splitlines() if line.strip()) if t is not None]


@dataclass(frozen=True)
class AppStats:
    """The key=value stats file ``asuite-app`` rewrites after each event (contract_qemu)."""

    pid: int
    anon_kb: int
    touch_count: int
    last_touch_ms: float
    frames: int
    janky: int
    frame_ms_p50: float
    frame_ms_p90: float
    frame_ms_max: float
    majflt: int
    state: str


def parse_app_stats(text: str) -> AppStats | None:
    """The stats file; None when empty or half-written (the app renames a complete file in place)."""
    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    try:
        return AppStats(
            pid=int(values["pid"]),
            anon_kb=int(values.get("anon_kb", "0")),
            touch_count=int(values.get("touch_count", "0")),
            last_touch_ms=float(values.get("last_touch_ms", "0")),
            frames=int(values.get("frames", "0")),
            janky=int(values.get("janky", "0")),
            frame_ms_p50=float(values.get("frame_ms_p50", "0")),
            frame_ms_p90=float(values.get("frame_ms_p90", "0")),
            frame_ms_max=float(values.get("frame_ms_max", "0")),
            majflt=int(values.get("majflt", "0")),
            state=values.get("state", "background").strip(),
        )
    except (KeyError, ValueError):
        return None


@dataclass(frozen=True)
class OomKill:
    """One ``Out of memory: Killed process`` line of the guest kernel log."""

    t: float  # printk time stamp, seconds since the guest kernel started
    pid: int
    name: str
    anon_rss_kb: int
    oom_score_adj: int


# mm/oom_kill.c __oom_kill_process(): "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, ...
#   UID:%u pgtables:%lukB oom_score_adj:%hd"; the prefix is "Out of memory" or "Memory cgroup out of memory".
_OOM = re.compile(
    r"\[\s*(?P<t>\d+\.\d+)\]\s+(?:Memory cgroup o|O)ut of memory: Killed process (?P<pid>\d+) \((?P<name>[^)]*)\)"
    r".*?anon-rss:(?P<anon>\d+)kB.*?oom_score_adj:(?P<adj>-?\d+)"
)


def parse_oom_kills(console: str) -> list[OomKill]:
    """The OOM killer's victims in a kernel log (console text or ``dmesg``), in order."""
    return [
        OomKill(float(m["t"]), int(m["pid"]), m["name"], int(m["anon"]), int(m["adj"])) for m in _OOM.finditer(console)
    ]


# Lines that mean the kernel is unwell; the suite reports them with the run (issue 9 acceptance).
_TROUBLE = re.compile(r"(BUG:|WARNING:|Oops|Kernel panic|soft lockup|hard LOCKUP|rcu_sched detected stall|"
                      r"hung_task|blocked for more than|page allocation failure)")  # fmt: skip


def kernel_trouble(console: str) -> list[str]:
    """Kernel log lines reporting a bug, warning, lockup, stall or panic."""
    return [line for line in console.splitlines() if _TROUBLE.search(line)]


def status_kb(text: str, key: str) -> int | None:
    """A ``kB`` field of ``/proc/<pid>/status`` (``VmRSS``, ``VmSwap``); None when absent."""
    m = re.search(rf"^{re.escape(key)}:\s+(\d+) kB", text, re.MULTILINE)
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class BootPayload:
    """What a boot image hands QEMU: kernel, ramdisk (the initramfs) and command line."""

    kernel: bytes
    ramdisk: bytes
    cmdline: str
    arch: str | None  # "arm64", "x86_64", or None: not a kernel QEMU can boot


def split_boot_image(data: bytes) -> BootPayload | None:
    """Kernel, ramdisk and cmdline of an Android boot image (v0-v4); None if not one."""
    info = parse_boot_image(data)
    if info is None:
        return None
    page = info.page_size
    kernel = data[page : page + info.kernel_size]
    ramdisk_at = page + info.kernel_size + (-info.kernel_size % page)
    ramdisk = data[ramdisk_at : ramdisk_at + info.ramdisk_size]
    return BootPayload(kernel, ramdisk, info.cmdline, kernel_arch(kernel))


def kernel_arch(kernel: bytes) -> str | None:
    """Which QEMU can boot ``kernel``: arm64 ``Image`` ("ARMd" at 56) or x86 bzImage ("HdrS" at 0x202)."""
    if kernel[56:60] == b"ARM\x64":
        return "arm64"
    if kernel[0x202:0x206] == b"HdrS":
        return "x86_64"
    return None
