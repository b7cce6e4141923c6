"""One memory node: free pages, LRU lists, reclaim by kswapd, kcompressd and direct reclaim.

Invariant (checked by the tests at every step)::

    free + kernel + sum(anon resident + file resident) + zram pool == total

Reclaim follows mm/vmscan.c in outline: age the active lists when the
inactive ones are small (``inactive_is_low``), split scanning between anon
and file by swappiness and list size (``get_scan_count``), take the pages of
the process accessed longest ago first. An anonymous page costs scan + unmap,
plus its compression when written inline; with kcompressd, kswapd (and only
kswapd) hands the page to a bounded FIFO instead and the page stays in RAM
until a kcompressd thread has compressed it. File pages are clean page cache:
dropped for scan + unmap cost, to be read back (refault) later.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from android_suite.virtual.sim.calibrate import CompressionPoint
from android_suite.virtual.sim.params import Features, SimParams, Watermarks, default_min_free_kbytes
from android_suite.virtual.sim.proc import Proc
from android_suite.virtual.sim.zram import Zram

_ROUND = 1024  # pages per reclaim round before the anon/file split is recomputed
MAX_RECLAIM_RETRIES = 16  # kswapd gives up (and direct reclaim OOMs) after this many fruitless passes


def affordable(budget: float, per_page: float) -> int:
    """Pages a budget pays for; at least one, so that a thread with any budget progresses."""
    if budget == float("inf") or per_page <= 0:
        return 1 << 40
    return max(1, int(budget / per_page))


@dataclass
class Batch:
    """Folios of one process waiting in the kcompressd FIFO."""

    proc: Proc
    data: int
    same: int  # zero-filled pages zram will keep as same_pages (before 6.12)


class Node:
    """The memory of one handset (one node, one zone, as on phones)."""

    def __init__(self, total_pages: int, params: SimParams, features: Features, zram: Zram, jitter: float) -> None:
        self.p, self.f, self.zram = params, features, zram
        self.total = total_pages
        self.kernel_pages = int(total_pages * params.kernel_fraction)
        self.cache = Proc(0, "[page cache]", 0, -1000, 0.0)
        cache = int(total_pages * params.pagecache_fraction * jitter)
        self.cache.file_active, self.cache.file_inactive = cache // 3, cache - cache // 3
        self.procs: dict[int, Proc] = {}
        self.free = total_pages - self.kernel_pages - cache
        self.swappiness = params.swappiness
        self.min_free_kbytes = default_min_free_kbytes(total_pages)
        self.scale_factor = params.watermark_scale_factor
        self.wm = self.watermarks()
        self.ev: defaultdict[str, int] = defaultdict(int)
        self.queue: deque[Batch] = deque()
        self.queue_pages = 0
        self.queue_capacity = 0  # 0: no offload (no kcompressd, or switched off)
        self.offload_used = False
        self.free_floor = self.free  # lowest free count since lmkd last looked (it samples a moving value)
        self.kswapd_awake = False
        self.kswapd_woken_at = 0.0
        self.now = 0.0  # handset time of the current call (set by SimKernel)
        self.catch_up: Callable[[int], None] = lambda _extra: None  # let the threads run up to `now`
        self.kswapd_failures = 0
        self.kswapd_debt = self.kcompressd_debt = 0.0
        self.nonresident_age = 0

    # -- bookkeeping --------------------------------------------------------------
    def watermarks(self) -> Watermarks:
        return Watermarks.derive(self.total, self.min_free_kbytes, self.scale_factor)

    def all_procs(self) -> list[Proc]:
        return [self.cache, *self.procs.values()]

    def lru(self, name: str) -> int:
        """Pages on one LRU list: anon_active, anon_inactive (with queued), file_active, file_inactive."""
        if name == "anon_inactive":
            return sum(p.anon_inactive + p.anon_queued for p in self.all_procs())
        return sum(getattr(p, name) for p in self.all_procs())

    def accounted(self) -> int:
        """Left side of the conservation invariant (must equal ``total``)."""
        resident = sum(p.anon_resident + p.file_resident for p in self.all_procs())
        return self.free + self.kernel_pages + resident + self.zram.pool_pages

    @property
    def swap_free(self) -> int:
        """Free swap slots (SwapFree): queued folios already hold theirs (add_to_swap before pageout)."""
        return self.zram.slots_free - self.queue_pages

    def wake_kswapd(self) -> None:
        if not self.kswapd_awake:
            self.kswapd_awake = True
            self.kswapd_woken_at = self.now
            self.kswapd_failures = 0
            self.ev["pageoutrun"] += 1

    def _oldest_first(self) -> list[Proc]:
        return sorted(self.all_procs(), key=lambda p: (p.last_access, p.pid))

    def point(self, p: Proc) -> CompressionPoint:
        assert self.zram.cal is not None
        return self.zram.cal.at(p.rand_frac)

    # -- reclaim ------------------------------------------------------------------
    def reclaim(self, target: int, budget: float, who: str) -> tuple[int, float]:
        """Scan for up to ``target`` pages within ``budget`` CPU seconds; returns (progress, spent).

        Progress counts freed pages and, for kswapd, pages queued to kcompressd.
        """
        progress, spent = 0, 0.0
        for _ in range(64):
            if progress >= target or spent >= budget:
                break
            file_total = self.lru("file_active") + self.lru("file_inactive")
            # swappiness 0 still swaps once file pages run out (get_scan_count's SCAN_ANON case).
            anon_ok = self.swap_free > 0 and (self.swappiness > 0 or file_total < self.wm.high)
            for kind in ("anon", "file") if anon_ok else ("file",):
                spent += self._age(kind)
            ia = sum(p.anon_inactive for p in self.all_procs()) if anon_ok else 0
            ifl = self.lru("file_inactive")
            chunk = min(target - progress, _ROUND)
            weight_anon, weight_file = self.swappiness * ia, (200 - self.swappiness) * ifl
            share = weight_anon / (weight_anon + weight_file) if weight_anon + weight_file else float(ia > 0)
            n_anon = min(ia, round(chunk * share))
            n_file = min(ifl, chunk - n_anon)
            n_anon = min(ia, chunk - n_file)
            if n_anon + n_file == 0:
                break
            got_f, cost_f = self._shrink_file(n_file, who, budget - spent)
            got_a, cost_a = self._shrink_anon(n_anon, who, budget - spent - cost_f)
            progress += got_f + got_a
            spent += cost_f + cost_a
            if got_f + got_a == 0:
                break
        return progress, spent

    def _age(self, kind: str) -> float:
        """Deactivate pages while inactive * ratio < active (inactive_is_low); returns CPU spent."""
        active = self.lru(f"{kind}_active")
        inactive = self.lru(f"{kind}_inactive")
        gb = (active + inactive) >> 18  # pages -> GiB
        ratio = math.isqrt(10 * gb) if gb else 1
        need = -(-(active - inactive * ratio) // (ratio + 1))
        if need <= 0:
            return 0.0
        moved = 0
        for p in self._oldest_first():
            k = min(need - moved, getattr(p, f"{kind}_active"))
            setattr(p, f"{kind}_active", getattr(p, f"{kind}_active") - k)
            setattr(p, f"{kind}_inactive", getattr(p, f"{kind}_inactive") + k)
            moved += k
            if moved >= need:
                break
        self.ev["pgrefill"] += moved
        self.ev["pgdeactivate"] += moved
        return moved * self.p.scan_s

    def count_scan(self, who: str, kind: str, scanned: int, stolen: int) -> None:
        self.ev[f"pgscan_{who}"] += scanned
        self.ev[f"pgscan_{kind}"] += scanned
        self.ev[f"pgsteal_{who}"] += stolen
        self.ev[f"pgsteal_{kind}"] += stolen
        self.ev["pgfree"] += stolen

    def _shrink_file(self, n: int, who: str, budget: float) -> tuple[int, float]:
        cost = self.p.scan_s + self.p.drop_file_s
        done, spent = 0, 0.0
        for p in self._oldest_first():
            if done >= n or spent >= budget:
                break
            k = min(p.file_inactive, n - done, affordable(budget - spent, cost))
            if k <= 0:
                continue
            p.file_inactive -= k
            p.note_eviction("file", k, self.nonresident_age)
            p.file_evicted += k
            self.nonresident_age += k
            self.free += k
            done += k
            spent += k * cost
        self.count_scan(who, "file", done, done)
        return done, spent

    def _shrink_anon(self, n: int, who: str, budget: float) -> tuple[int, float]:
        base = self.p.scan_s + self.p.unmap_anon_s
        offload = who == "kswapd" and self.queue_capacity > 0
        done, spent = 0, 0.0
        for p in self._oldest_first():
            if done >= n or spent >= budget:
                break
            room = self.queue_capacity - self.queue_pages if offload else 0
            point = self.point(p)
            per_page = base + (self.p.enqueue_s if room > 0 else (1 - p.zero_frac) * point.compress_s)
            # add_to_swap() takes the slot before pageout: queued folios hold theirs already.
            slots = self.swap_free
            k = min(p.anon_inactive, n - done, slots, affordable(budget - spent, per_page))
            if k <= 0:
                continue
            zero = p.split_zero(k)
            zmap = zero if self.f.zeromap else 0  # 6.12+: never reach zram or the queue
            data, same = k - zero, zero - zmap
            p.anon_inactive -= k
            spent += k * base + zmap * self.p.same_check_s
            queued = min(room, data + same)
            if queued:
                q_same = min(same, round(queued * same / (data + same)))
                self.queue.append(Batch(p, queued - q_same, q_same))
                self.queue_pages += queued
                p.anon_queued += queued
                self.offload_used = True
                spent += queued * self.p.enqueue_s
                data, same = data - (queued - q_same), same - q_same
            spent += data * point.compress_s + same * self.p.same_check_s
            stolen = self.swap_out(p, data, same, zmap)
            self.count_scan(who, "anon", k, stolen)
            done += k
        return done, spent

    def swap_out(self, p: Proc, data: int, same: int, zmap: int) -> int:
        """Pages leave RAM for zram (or the zeromap); returns pages stolen."""
        pages = data + same + zmap
        if not pages:
            return 0
        p.note_eviction("anon", pages, self.nonresident_age)
        self.nonresident_age += pages
        self.free += pages
        self.free -= self.zram.store(p, data, same + zmap)
        self.ev["pswpout"] += data + same
        self.ev["swpout_zero"] += zmap
        return pages

    # -- the threads ----------------------------------------------------------------
    def kswapd_step(self, capacity: float, extra: int = 0) -> float:
        """kswapd for ``capacity`` CPU seconds, aiming ``extra`` pages past high; returns CPU used."""
        if not self.kswapd_awake:
            return 0.0
        if self.free >= self.wm.high:
            self.kswapd_awake = False  # balanced: back to sleep
            return 0.0
        budget = capacity - self.kswapd_debt
        if budget <= 0:  # still paying for last step's overshoot
            self.kswapd_debt -= capacity
            return capacity
        # Queued folios are not reclaimed yet (nr_reclaimed counts them on a later pass), so kswapd
        # keeps scanning until free pages reach the high watermark; the queue depth bounds the overshoot.
        target = self.wm.high - self.free + extra
        spent = 0.0
        if target > 0:
            before = self.free + self.queue_pages
            progress, spent = self.reclaim(target, budget, "kswapd")
            if progress == 0 or self.free + self.queue_pages <= before:
                self.kswapd_failures += 1
                if self.kswapd_failures >= MAX_RECLAIM_RETRIES and not self.queue_pages:
                    self.kswapd_awake = False  # nothing reclaimable: kswapd stops until reset
        used = self.kswapd_debt + spent
        self.kswapd_debt = max(0.0, used - capacity)
        return min(capacity, used)

    def forget(self, p: Proc) -> None:
        """Drop a dead process's folios from the FIFO (their pages are freed by the caller)."""
        kept = deque(b for b in self.queue if b.proc is not p)
        self.queue_pages -= sum(b.data + b.same for b in self.queue if b.proc is p)
        self.queue = kept
