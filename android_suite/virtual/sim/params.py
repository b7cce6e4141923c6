"""Tunables of the modelled kernel, kernel-version features and watermarks.

Costs that no calibration can measure on the host (page-table walks, rmap,
storage latency) are parameters here, each with the reasoning for its default.
Compression costs are not: they come from :mod:`calibrate`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

SWAP_CLUSTER_MAX = 32  # pages direct reclaim frees per attempt (mm/vmscan.c)


@dataclass(frozen=True)
class SimParams:
    """How the modelled kernel behaves; defaults describe a mid-range arm64 phone."""

    dt: float = 0.005  # model step (s); PSI periods (2 s) are a whole number of steps
    scan_s: float = 0.4e-6  # isolate + referenced check per scanned page
    unmap_anon_s: float = 1.0e-6  # try_to_unmap + add_to_swap + TLB flush per anon page
    drop_file_s: float = 0.3e-6  # unmap + remove a clean page-cache page
    enqueue_s: float = 0.2e-6  # hand a folio to the kcompressd FIFO
    same_check_s: float = 0.1e-6  # zram's same-filled scan of a zero page (stops at the first word for data)
    fault_s: float = 0.25e-6  # kernel time of one anon page fault (stime)
    write_s: float = 0.3e-6  # user time to fill a fresh 4 KiB page (memset-class, utime)
    access_s: float = 0.02e-6  # user time to touch a resident page
    file_read_s: float = 40e-6  # blocked time per refaulted file page (UFS read with readahead)
    kernel_fraction: float = 0.08  # RAM the kernel holds (slab, stacks, page tables, drivers)
    pagecache_fraction: float = 0.20  # clean page cache left from boot
    background_cores: float = 0.0  # cores busy with other work, competing with kswapd/kcompressd
    zram_at_boot: bool = True  # init sets disksize and swapon; False leaves zram0 unconfigured
    swappiness: int = 100  # Android's init.rc sets vm.swappiness=100 since Android 11
    watermark_scale_factor: int = 10  # kernel default
    # lmkd (ro.lmk.* defaults of Android 14 on a non-low-RAM device)
    swap_free_low_percentage: int = 10
    thrashing_limit_pct: int = 100
    psi_partial_stall_ms: int = 70
    psi_complete_stall_ms: int = 700


@dataclass(frozen=True)
class Features:
    """What the kernel of a given release prints or does (see docs/kcompressd.md, counter history)."""

    version: tuple[int, int]

    @classmethod
    def of(cls, release: str) -> Features:
        m = re.match(r"(\d+)\.(\d+)", release)
        return cls((int(m.group(1)), int(m.group(2))) if m else (6, 1))

    def since(self, major: int, minor: int) -> bool:
        return self.version >= (major, minor)

    @property
    def anon_file_split(self) -> bool:  # pgscan_anon/_file, pgsteal_anon/_file
        return self.since(5, 8)

    @property
    def workingset_split(self) -> bool:  # workingset_*_anon/_file; new anon pages start inactive
        return self.since(5, 9)

    @property
    def zeromap(self) -> bool:  # swpin_zero/swpout_zero; zero pages skip zram
        return self.since(6, 12)

    @property
    def mm_stat_fields(self) -> int:
        return 9 if self.since(5, 11) else 8


@dataclass(frozen=True)
class Watermarks:
    """Zone watermarks in pages, derived as __setup_per_zone_wmarks() does for one zone."""

    min: int
    low: int
    high: int

    @classmethod
    def derive(cls, managed_pages: int, min_free_kbytes: int, scale_factor: int) -> Watermarks:
        wmin = min_free_kbytes // 4
        # max(min/4, managed * watermark_scale_factor / 10000) between each pair.
        step = max(wmin // 4, managed_pages * scale_factor // 10000)
        return cls(wmin, wmin + step, wmin + 2 * step)


def default_min_free_kbytes(managed_pages: int) -> int:
    """init_per_zone_wmark_min(): sqrt(lowmem_kbytes * 16), clamped to [128, 262144]."""
    return min(262144, max(128, math.isqrt(managed_pages * 4 * 16)))
