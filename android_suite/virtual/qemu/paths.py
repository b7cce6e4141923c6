"""Which guest /proc and /sys paths a QEMU handset serves, and which of them are writable.

The suite reads a known set (collect/ sampler sources, kernel/detect.py,
kernel/zram.py, workloads/runner.py, the parsers' files); the handset's
filesystem needs each path registered, so this is that set. At boot the
backend keeps the ones that exist in the guest (``[ -e ]`` in one exec), so
a stock kernel shows no ``/proc/sys/vm/kcompressd`` exactly as on a phone.
"""

from __future__ import annotations

ZRAM = "/sys/block/zram0"

READ_ONLY: tuple[str, ...] = (
    "/proc/version",
    "/proc/cpuinfo",
    "/proc/meminfo",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/stat",
    "/proc/swaps",
    "/proc/vmstat",
    "/proc/zoneinfo",
    "/proc/buddyinfo",
    "/proc/pressure/memory",
    "/proc/pressure/cpu",
    "/proc/pressure/io",
    "/proc/config.gz",
    "/proc/cmdline",
    "/proc/sys/kernel/random/boot_id",
    "/proc/sys/kernel/osrelease",
    "/sys/devices/system/cpu/online",
    "/sys/devices/system/cpu/possible",
    "/sys/devices/system/cpu/present",
    f"{ZRAM}/mm_stat",
    f"{ZRAM}/io_stat",
    f"{ZRAM}/bd_stat",
    f"{ZRAM}/debug_stat",
)

KNOBS: tuple[str, ...] = (
    "/proc/sys/vm/swappiness",
    "/proc/sys/vm/min_free_kbytes",
    "/proc/sys/vm/watermark_scale_factor",
    "/proc/sys/vm/watermark_boost_factor",
    "/proc/sys/vm/page-cluster",
    "/proc/sys/vm/drop_caches",
    "/proc/sys/vm/kcompressd",
    "/proc/sys/vm/compact_memory",
    f"{ZRAM}/comp_algorithm",
    f"{ZRAM}/disksize",
    f"{ZRAM}/max_comp_streams",
    f"{ZRAM}/reset",
    f"{ZRAM}/backing_dev",
    "/sys/kernel/mm/lru_gen/enabled",
    "/sys/kernel/mm/lru_gen/min_ttl_ms",
    "/sys/kernel/mm/transparent_hugepage/enabled",
    "/sys/module/zswap/parameters/enabled",
    "/sys/module/kcompressd/parameters/nr_kcompressd",
    "/sys/module/kcompressd/parameters/queue_size_per_kcompressd",
)

# Per-task files published for the guest tasks the suite samples (kswapd0, kcompressd0, apps).
TASK_FILES = ("stat", "status", "oom_score_adj")

# Kernel threads whose /proc/<pid>/stat the suite samples (workloads/runner.py reclaim_sources).
SAMPLED_THREADS = ("kswapd", "kcompressd")


def probe_argv(paths: tuple[str, ...]) -> list[str]:
    """One guest exec that prints every path of ``paths`` that exists, one a line."""
    script = 'for p in "$@"; do [ -e "$p" ] && echo "$p"; done; true'
    return ["sh", "-c", script, "probe", *paths]


def stat_all_argv() -> list[str]:
    """One guest exec that prints every task's stat line (a task may exit mid-loop: ignored)."""
    return ["sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null; true"]
