"""The kcompressd FIFO's consumer side: compress queued folios, in the threads or on a waiting reclaimer.

kswapd fills the queue in :meth:`Node._shrink_anon`; here the folios are
compressed (cost from the calibration), leave RAM for zram and are counted as
stolen by kswapd, since a later kswapd pass is what frees them in the kernel.
"""

from __future__ import annotations

from android_suite.virtual.sim.node import Batch, Node, affordable


def kcompressd_step(node: Node, capacity: float) -> float:
    """Compress queued folios for ``capacity`` CPU seconds (all threads together); returns CPU used."""
    budget = capacity - node.kcompressd_debt
    spent = 0.0
    while node.queue and spent < budget:
        spent += _complete(node, node.queue[0], budget - spent)
    used = node.kcompressd_debt + spent
    node.kcompressd_debt = max(0.0, used - capacity)
    return min(capacity, used)


def drain(node: Node, pages: int) -> float:
    """Compress at least ``pages`` queued folios now (a reclaimer waiting on writeback); returns CPU."""
    spent, start = 0.0, node.queue_pages
    while node.queue and start - node.queue_pages < pages:
        spent += _complete(node, node.queue[0], float("inf"))
    return spent


def _complete(node: Node, b: Batch, budget: float) -> float:
    point = node.point(b.proc)
    per_page = (b.data * point.compress_s + b.same * node.p.same_check_s) / (b.data + b.same)
    k = min(b.data + b.same, affordable(budget, per_page))
    k_same = min(b.same, round(k * b.same / (b.data + b.same)))
    k_data = min(b.data, k - k_same)
    b.data -= k_data
    b.same -= k_same
    if b.data + b.same == 0:
        node.queue.popleft()
    b.proc.anon_queued -= k_data + k_same
    node.queue_pages -= k_data + k_same
    stolen = node.swap_out(b.proc, k_data, k_same, 0)
    # pgsteal for queued folios lands in kswapd's counters (a later kswapd pass frees them).
    node.count_scan("kswapd", "anon", 0, stolen)
    return k_data * point.compress_s + k_same * node.p.same_check_s
