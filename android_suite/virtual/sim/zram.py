"""The modelled zram swap device: swap slots, zsmalloc pool, the sysfs counters.

Sizes come from the start-up calibration (:mod:`calibrate`): a page of a
process whose data has random-byte share ``r`` costs ``calibration.at(r)``
stored and allocated bytes. The pool's RAM (``mem_used_total``) is taken from
the node's free pages, so compression frees ``1 - 1/ratio`` of a page, not a
whole one.

Zero-filled pages: before 6.12 zram keeps them as ``same_pages`` (no pool
memory); from 6.12 (zeromap) the swap layer notices them first, so they take
a swap slot but never reach zram (counted only in vmstat ``swpout_zero``).
"""

from __future__ import annotations

from android_suite.virtual.sim.calibrate import PAGE_SIZE, Calibration, calibrate
from android_suite.virtual.sim.proc import Proc


class Zram:
    """zram0 and the swap area on it.

    Args:
        disksize: bytes (0 = not initialised: no swap until ``disksize`` is written).
        algorithm: ``comp_algorithm`` (``lzo``, ``lzo-rle``, ``lz4``, ``zstd``).
        zeromap: zero pages bypass zram (6.12+).
    """

    ALGORITHMS = ("lzo", "lzo-rle", "lz4", "zstd")

    def __init__(self, disksize: int, algorithm: str, *, zeromap: bool) -> None:
        self.algorithm = algorithm
        self.zeromap = zeromap
        self._clear()
        if disksize:
            # What Android's init does with a zramsize fstab entry: disksize, mkswap, swapon.
            self.set_disksize(disksize)
            self.signature = self.active = self.writeok = True

    def _clear(self) -> None:
        self.disksize = 0
        self.cal: Calibration | None = None
        self.compr = self.alloc = 0  # bytes
        self.stored = 0  # pages_stored: data pages plus same-filled pages
        self.same = self.huge = self.huge_since = 0
        self.pool_pages = self.max_used_pages = 0
        self.notify_free = 0
        self.slots_used = 0
        self.signature = False  # mkswap wrote a swap header
        self.active = False  # swapon'd: listed in /proc/swaps
        self.writeok = False  # new pages may be swapped out (swapoff clears it first)
        self.priority = -2  # what swapon without -p gets on a system with one swap area

    def set_disksize(self, size: int) -> None:
        """Initialise the device (writing ``disksize``); swap needs mkswap and swapon on top."""
        self.disksize = size
        self.cal = calibrate(self.algorithm)

    def reset(self) -> None:
        """Writing ``reset``: back to uninitialised (disksize 0, stats cleared); the algorithm stays."""
        self._clear()

    @property
    def area_pages(self) -> int:
        """Slots a swap area on the device would have: the device less the swap header page."""
        return max(0, self.disksize // PAGE_SIZE - 1)

    @property
    def swap_pages(self) -> int:
        """Swap slots of the active swap area (0 when not swapon'd)."""
        return self.area_pages if self.active else 0

    @property
    def slots_free(self) -> int:
        """Slots new swap-outs may take (folios queued for compression still count as free here)."""
        return max(0, self.swap_pages - self.slots_used) if self.writeok else 0

    def _repool(self) -> int:
        pool = -(-self.alloc // PAGE_SIZE)
        delta = pool - self.pool_pages
        self.pool_pages = pool
        self.max_used_pages = max(self.max_used_pages, pool)
        return delta

    def store(self, p: Proc, data: int, zero: int) -> int:
        """Swap out ``data`` + ``zero`` pages of ``p``; returns pool pages taken from RAM."""
        assert self.cal is not None, "zram used before disksize was set"
        point = self.cal.at(p.rand_frac)
        compr, alloc = round(data * point.stored_bytes), round(data * point.alloc_bytes)
        huge = p.split_huge(data, point.huge_fraction)
        p.swap_data += data
        p.zram_compr += compr
        p.zram_alloc += alloc
        p.zram_huge += huge
        p.swap_zero += zero
        self.compr += compr
        self.alloc += alloc
        self.huge += huge
        self.huge_since += huge
        self.stored += data
        if not self.zeromap:
            p.zram_same += zero
            self.same += zero
            self.stored += zero
        self.slots_used += data + zero
        return self._repool()

    def load(self, p: Proc, data: int, zero: int) -> int:
        """Swap in (or free) pages of ``p``; returns pool pages given back (<= 0)."""
        data, zero = min(data, p.swap_data), min(zero, p.swap_zero)
        share = data / p.swap_data if p.swap_data else 0.0
        compr, alloc, huge = (
            (p.zram_compr, p.zram_alloc, p.zram_huge)
            if data == p.swap_data
            else (round(p.zram_compr * share), round(p.zram_alloc * share), round(p.zram_huge * share))
        )
        same = min(p.zram_same, zero) if not self.zeromap else 0
        p.swap_data -= data
        p.zram_compr -= compr
        p.zram_alloc -= alloc
        p.zram_huge -= huge
        p.swap_zero -= zero
        p.zram_same -= same
        self.compr -= compr
        self.alloc -= alloc
        self.huge -= huge
        self.same -= same
        self.stored -= data + same
        self.slots_used -= data + zero
        # swap_slot_free_notify: zram frees the slot's object as soon as it is read back.
        self.notify_free += data + same
        return self._repool()

    def mm_stat(self, fields: int) -> str:
        """``mm_stat`` with 9 fields (5.11+), else 8; mem_limit is 0 (none set)."""
        values = [
            self.stored * PAGE_SIZE,
            self.compr,
            self.pool_pages * PAGE_SIZE,
            0,
            self.max_used_pages * PAGE_SIZE,
            self.same,
            0,  # pages_compacted: zsmalloc compaction is not modelled
            self.huge,
            self.huge_since,
        ][:fields]
        return " ".join(f"{v:>8}" for v in values) + "\n"

    def comp_algorithm(self) -> str:
        return " ".join(f"[{a}]" if a == self.algorithm else a for a in self.ALGORITHMS) + "\n"
