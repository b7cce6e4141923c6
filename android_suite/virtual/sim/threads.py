"""kswapd and the kcompressd threads as CPU consumers over model time.

They run concurrently with user tasks: between model steps, an allocation
that hits the low watermark first lets them catch up to the moment of the
call (:meth:`Threads.run` with the pending request as extra target), so a
task allocating faster than the step length still meets a kswapd that has
been working alongside it instead of one that wakes every ``dt``. Each gets
one core while the profile's cores (less ``background_cores``) suffice and a
fair share of them otherwise, which is where a single-CPU phone loses.
"""

from __future__ import annotations

from android_suite.virtual.sim import fifo
from android_suite.virtual.sim.node import Node


class Threads:
    """CPU time and wall-clock busy time of kswapd0 and the kcompressd threads."""

    def __init__(self, node: Node, cores: float) -> None:
        self.node = node
        self.cores = max(0.1, cores)
        self.clock = 0.0  # model time up to which the threads have run
        self.kc_threads = 0
        self.kswapd_cpu = 0.0
        self.kcompressd_cpu: list[float] = []
        self.step_kswapd = self.step_kcompressd = 0.0  # wall-clock busy time since the last take_step()

    def run(self, until: float, extra: int = 0) -> None:
        """Run both up to ``until``; kswapd aims ``extra`` pages past the high watermark."""
        span = until - self.clock
        if span <= 1e-12:
            return
        n = self.node
        ks_span = until - max(self.clock, n.kswapd_woken_at) if n.kswapd_awake else 0.0
        threads = self.kc_threads if n.queue or (n.kswapd_awake and n.queue_capacity) else 0
        demand = (ks_span > 0) + threads
        share = 1.0 if demand <= self.cores else self.cores / demand  # CFS: a fair share each
        ks = n.kswapd_step(ks_span * share, extra) if ks_span > 0 else 0.0
        kc = fifo.kcompressd_step(n, span * share * threads) if threads and n.queue else 0.0
        self.kswapd_cpu += ks
        while len(self.kcompressd_cpu) < threads:
            self.kcompressd_cpu.append(0.0)
        for i in range(threads):
            self.kcompressd_cpu[i] += kc / threads
        self.step_kswapd += ks / share
        self.step_kcompressd += kc / max(1, threads) / share
        self.clock = until

    def take_step(self) -> tuple[float, float]:
        """(kswapd, kcompressd) wall-clock busy seconds since the last call."""
        busy = self.step_kswapd, self.step_kcompressd
        self.step_kswapd = self.step_kcompressd = 0.0
        return busy
