"""Per-process page accounting of the modelled kernel.

The kernel keeps its LRU lists per node, not per process; the model keeps the
counts per process so that it can answer "how much of this app is resident",
"what would killing it free" and "whose pages are oldest" (reclaim takes from
the process accessed longest ago first, which is what LRU order amounts to for
whole working sets). Global list sizes are sums over processes.
"""

from __future__ import annotations

from dataclasses import dataclass


def page_mix(compressibility: float) -> tuple[float, float]:
    """(zero-page share, random-byte share of the other pages) for a compressibility.

    0 means random data (incompressible), 1 means all zero pages. Zero pages
    appear only in the top fifth of the scale: apps write real data, and a
    memory eater asks for them explicitly.
    """
    c = min(1.0, max(0.0, compressibility))
    return max(0.0, (c - 0.8) / 0.2), 1.0 - c


@dataclass
class Proc:
    """One process's pages (counts of 4 KiB pages) and CPU time."""

    pid: int
    name: str
    uid: int
    adj: int
    start: float
    anon_active: int = 0
    anon_inactive: int = 0
    anon_queued: int = 0  # isolated and waiting in the kcompressd queue (still in RAM)
    swap_zero: int = 0  # swapped out, zero-filled (zram same_pages, or zeromap on 6.12+)
    swap_data: int = 0  # swapped out, compressed in zram
    zram_compr: int = 0  # bytes of compressed data those pages take (compr_data_size share)
    zram_alloc: int = 0  # bytes of zsmalloc allocation (size-class rounded)
    zram_huge: int = 0  # pages of swap_data stored uncompressed (huge)
    zram_same: int = 0  # pages of swap_zero held by zram as same-filled pages (before 6.12)
    file_active: int = 0
    file_inactive: int = 0
    file_evicted: int = 0  # file pages dropped from the page cache (shadow entries)
    zero_frac: float = 0.0
    rand_frac: float = 0.5
    zero_carry: float = 0.0
    huge_carry: float = 0.0
    last_access: float = 0.0
    evict_age_anon: float = 0.0  # mean node nonresident age when its anon pages left RAM
    evict_age_file: float = 0.0
    utime: float = 0.0  # seconds
    stime: float = 0.0
    minflt: int = 0
    majflt: int = 0

    @property
    def anon_resident(self) -> int:
        return self.anon_active + self.anon_inactive + self.anon_queued

    @property
    def swapped(self) -> int:
        return self.swap_zero + self.swap_data

    @property
    def file_resident(self) -> int:
        return self.file_active + self.file_inactive

    @property
    def rss(self) -> int:
        return self.anon_resident + self.file_resident

    @property
    def anon_total(self) -> int:
        return self.anon_resident + self.swapped

    def split_zero(self, pages: int) -> int:
        """How many of ``pages`` leaving RAM are zero-filled (error carried, so totals stay exact)."""
        acc = self.zero_carry + pages * self.zero_frac
        zero = min(pages, int(acc))
        self.zero_carry = acc - zero
        return zero

    def split_huge(self, pages: int, huge_fraction: float) -> int:
        acc = self.huge_carry + pages * huge_fraction
        huge = min(pages, int(acc))
        self.huge_carry = acc - huge
        return huge

    def mix_in(self, pages: int, compressibility: float) -> None:
        """New anon pages of another kind: the process's mix becomes the weighted mean."""
        zero, rand = page_mix(compressibility)
        old = self.anon_total
        total = old + pages
        if total:
            self.zero_frac = (self.zero_frac * old + zero * pages) / total
            self.rand_frac = (self.rand_frac * old + rand * pages) / total

    def note_eviction(self, kind: str, pages: int, age: int) -> None:
        """Remember the node's nonresident age for the refault distance of these pages."""
        if kind == "anon":
            before = self.swapped
            self.evict_age_anon = (self.evict_age_anon * before + age * pages) / max(1, before + pages)
        else:
            before = self.file_evicted
            self.evict_age_file = (self.evict_age_file * before + age * pages) / max(1, before + pages)
