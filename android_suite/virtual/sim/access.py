"""What user processes do to memory: allocate, touch (swap-in, refault), free, exit.

The page allocator follows the watermark logic of mm/page_alloc.c: the fast
path needs free pages above *low*; below it kswapd is woken and the
allocation may dip to *min*; below *min* the task enters direct reclaim
(``allocstall``), synchronously scanning and compressing SWAP_CLUSTER_MAX
pages per attempt (never offloaded), and pays for it in stall time. User
pages are GFP_HIGHUSER_MOVABLE, so their stalls count in ``allocstall_movable``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from android_suite.virtual.sim import fifo
from android_suite.virtual.sim.node import MAX_RECLAIM_RETRIES, Node
from android_suite.virtual.sim.params import SWAP_CLUSTER_MAX
from android_suite.virtual.sim.proc import Proc

OomKiller = Callable[[], Proc | None]
_FAULT_BATCH = 256  # pages faulted in before they join the LRU (1 MiB)


@dataclass
class Cost:
    """What one access cost the task."""

    cpu: float = 0.0  # in reclaim or decompression, on CPU (kernel time in task context)
    blocked: float = 0.0  # waiting: file reads, writeback throttling
    allocstalls: int = 0
    swapins: int = 0
    refaults: int = 0
    killed: bool = False

    @property
    def stall(self) -> float:
        return self.cpu + self.blocked


def alloc_pages(node: Node, p: Proc, n: int, cost: Cost, oom: OomKiller) -> bool:
    """Take ``n`` free pages for ``p``, reclaiming as needed; False if ``p`` died or nothing was left.

    On failure the pages already taken go back to the free list.
    """
    remaining, fruitless = n, 0
    while remaining > 0:
        if node.free - remaining >= node.wm.low:
            node.free -= remaining
            break
        node.wake_kswapd()
        # kswapd has been reclaiming alongside this task: let it catch up before going below low.
        node.catch_up(remaining)
        if node.free - remaining >= node.wm.low:
            node.free -= remaining
            break
        take = min(remaining, max(0, node.free - node.wm.min))
        node.free -= take
        node.free_floor = min(node.free_floor, node.free)
        remaining -= take
        if not remaining:
            break
        cost.allocstalls += 1
        node.ev["allocstall_movable"] += 1
        before = node.free
        _, spent = node.reclaim(SWAP_CLUSTER_MAX, float("inf"), "direct")
        cost.cpu += spent
        if node.free > before:
            fruitless = 0
            node.kswapd_failures = 0  # a successful direct reclaim lets kswapd retry
            continue
        if node.queue_pages:
            # Reclaim found only folios under writeback: wait for kcompressd (reclaim_throttle).
            node.ev["pgscan_direct_throttle"] += 1
            cost.blocked += fifo.drain(node, SWAP_CLUSTER_MAX)
            continue
        fruitless += 1
        if fruitless < MAX_RECLAIM_RETRIES:
            continue
        victim = oom()
        fruitless = 0
        if victim is p or victim is None:
            cost.killed = victim is p
            node.free += n - remaining
            return False
    node.ev["pgalloc_normal"] += n  # the movable zone is empty: pages come from Normal
    return True


def allocate(node: Node, p: Proc, pages: int, compressibility: float, t: float, oom: OomKiller) -> Cost:
    """Fault in ``pages`` new anonymous pages; each batch joins the LRU before the next is taken."""
    cost = Cost()
    p.mix_in(pages, compressibility)
    done = 0
    while done < pages:
        # A big allocation faults page by page, so its own early pages are reclaimable by its later faults.
        chunk = min(_FAULT_BATCH, pages - done)
        if not alloc_pages(node, p, chunk, cost, oom):
            break
        # Since 5.9 new anonymous pages start on the inactive list.
        if node.f.workingset_split:
            p.anon_inactive += chunk
        else:
            p.anon_active += chunk
        done += chunk
        p.last_access = t
    p.utime += done * node.p.write_s
    p.minflt += done
    node.ev["pgfault"] += done
    p.stime += done * node.p.fault_s + cost.cpu
    p.last_access = t
    return cost


def read_file(node: Node, p: Proc, pages: int, t: float, oom: OomKiller) -> Cost:
    """Map ``pages`` of file (code, resources) read from storage into the page cache."""
    cost = Cost()
    if alloc_pages(node, p, pages, cost, oom):
        p.file_inactive += pages
        cost.blocked += pages * node.p.file_read_s
        node.ev["pgpgin"] += pages * 4  # pgpgin counts KiB
        node.ev["pgfault"] += pages
    p.last_access = t
    return cost


def touch(node: Node, p: Proc, fraction: float, t: float, oom: OomKiller) -> Cost:
    """Access ``fraction`` of every kind of ``p``'s pages; swapped and evicted ones fault back in."""
    cost = Cost()
    f = min(1.0, max(0.0, fraction))
    for kind in ("anon", "file"):
        k = round(f * getattr(p, f"{kind}_inactive"))
        setattr(p, f"{kind}_inactive", getattr(p, f"{kind}_inactive") - k)
        setattr(p, f"{kind}_active", getattr(p, f"{kind}_active") + k)
        node.ev["pgactivate"] += k
    p.utime += f * p.rss * node.p.access_s
    swapped = round(f * p.swapped)
    if swapped and not _swap_in(node, p, swapped, cost, oom):
        return cost
    evicted = round(f * p.file_evicted)
    if evicted and alloc_pages(node, p, evicted, cost, oom):
        p.file_evicted -= evicted
        cost.blocked += evicted * node.p.file_read_s
        cost.refaults += evicted
        node.ev["pgpgin"] += evicted * 4
        node.ev["pgmajfault"] += evicted
        p.majflt += evicted
        _refault(node, p, "file", evicted)
    p.stime += cost.cpu
    p.last_access = t
    return cost


def swap_in_all(node: Node, p: Proc, cost: Cost, oom: OomKiller) -> bool:
    """Read every swapped page of ``p`` back (swapoff's try_to_unuse); False if memory ran out."""
    return _swap_in(node, p, p.swapped, cost, oom)


def _swap_in(node: Node, p: Proc, pages: int, cost: Cost, oom: OomKiller) -> bool:
    zero = round(pages * p.swap_zero / p.swapped)
    data = pages - zero
    if not alloc_pages(node, p, pages, cost, oom):
        return False
    cost.cpu += data * node.point(p).decompress_s + zero * node.p.same_check_s
    node.free -= node.zram.load(p, data, zero)
    if node.f.zeromap:
        node.ev["pswpin"] += data
        node.ev["swpin_zero"] += zero
    else:
        node.ev["pswpin"] += pages
    node.ev["pgmajfault"] += pages
    p.majflt += pages
    cost.swapins += pages
    _refault(node, p, "anon", pages)
    return True


def _refault(node: Node, p: Proc, kind: str, pages: int) -> None:
    """workingset_refault(): activate when the refault distance fits in the workingset."""
    node.ev[f"workingset_refault_{kind}"] += pages
    age = p.evict_age_anon if kind == "anon" else p.evict_age_file
    workingset = node.lru("anon_active") + node.lru("file_active")
    if node.nonresident_age - age <= workingset:
        setattr(p, f"{kind}_active", getattr(p, f"{kind}_active") + pages)
        node.ev[f"workingset_activate_{kind}"] += pages
    else:
        setattr(p, f"{kind}_inactive", getattr(p, f"{kind}_inactive") + pages)


def free_anon(node: Node, p: Proc, pages: int) -> None:
    """munmap: the newest memory goes first (inactive, then active, then swapped)."""
    for name in ("anon_inactive", "anon_active"):
        k = min(pages, getattr(p, name))
        setattr(p, name, getattr(p, name) - k)
        node.free += k
        node.ev["pgfree"] += k
        pages -= k
    if pages and p.swapped:
        zero = min(p.swap_zero, round(pages * p.swap_zero / p.swapped))
        node.free -= node.zram.load(p, min(p.swap_data, pages - zero), zero)


def exit_proc(node: Node, p: Proc) -> None:
    """The process is gone: anon and swap are freed; its file pages stay in the page cache."""
    node.forget(p)
    resident = p.anon_active + p.anon_inactive + p.anon_queued
    node.free += resident
    node.ev["pgfree"] += resident
    node.free -= node.zram.load(p, p.swap_data, p.swap_zero)
    node.cache.file_inactive += p.file_resident
    p.anon_active = p.anon_inactive = p.anon_queued = p.file_active = p.file_inactive = 0
    node.procs.pop(p.pid, None)
