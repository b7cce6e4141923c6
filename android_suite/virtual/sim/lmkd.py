"""Android's lmkd in PSI mode (system/memory/lmkd, mp_event_psi), reduced to its decisions.

lmkd registers PSI triggers (some >= psi_partial_stall_ms and full >=
psi_complete_stall_ms within a 1 s window); a trigger starts polling every
100 ms (10 ms while swap is low or right after a kill) for a second. Each
poll reads vmstat/meminfo-equivalent values and picks the first matching
reason, in lmkd's order, with lmkd's wording. A kill takes the process with
the highest oom_score_adj at or above the reason's minimum (never below 0),
the largest RSS first among equals.
"""

from __future__ import annotations

from dataclasses import dataclass

from android_suite.virtual.sim.node import Node
from android_suite.virtual.sim.params import SimParams
from android_suite.virtual.sim.proc import Proc
from android_suite.virtual.sim.psi import Psi

PERCEPTIBLE_APP_ADJ = 200
THRASHING_RESET_S = 1.0
WINDOW_S = 1.0
POLL_LONG_S, POLL_SHORT_S = 0.1, 0.01


@dataclass(frozen=True)
class Decision:
    reason: str
    min_score_adj: int


class Lmkd:
    """One lmkd; :meth:`poll` is called every model step and returns a decision when it would kill."""

    def __init__(self, params: SimParams) -> None:
        self.p = params
        self._poll_until = -1.0
        self._next_poll = 0.0
        self._trigger_armed_at = -1.0
        self._critical = False
        self.killing = False
        self._prev_direct = self._prev_kswapd = 0
        self._prev_refault = -1
        self._reset_t = 0.0
        self._base_file = 0
        self._init_refault = 0
        self._prev_growth = 0
        self._limit = params.thrashing_limit_pct
        self._direct_seen = False

    def idle(self, t: float) -> bool:
        """Not polling at ``t``: nothing to do until a PSI trigger fires."""
        return not self.killing and t > self._poll_until

    def poll(self, t: float, node: Node, psi: Psi) -> Decision | None:
        some, full = psi.last_second()
        event = False
        if t - self._trigger_armed_at >= WINDOW_S:  # a PSI trigger fires at most once per window
            critical = full >= self.p.psi_complete_stall_ms / 1000
            if critical or some >= self.p.psi_partial_stall_ms / 1000:
                event, self._critical = True, critical
                self._trigger_armed_at = t
                self._poll_until = t + WINDOW_S
        if not event and (t > self._poll_until or t < self._next_poll):
            return None
        decision = self._decide(t, node, event)
        if decision is not None or self.killing or self._direct_seen:
            self._poll_until = max(self._poll_until, t + WINDOW_S)  # keep polling while it matters
        self._next_poll = t + (POLL_SHORT_S if self._swap_low(node) or self.killing else POLL_LONG_S)
        return decision

    def _swap_low(self, node: Node) -> bool:
        total = node.zram.swap_pages
        return bool(total) and node.swap_free < total * self.p.swap_free_low_percentage // 100

    def _decide(self, t: float, node: Node, event: bool) -> Decision | None:
        ev = node.ev
        refault = ev["workingset_refault_file"]
        file_lru = node.lru("file_active") + node.lru("file_inactive")
        cycle_after_kill, self.killing = self.killing, False
        if cycle_after_kill:
            self._base_file, self._init_refault, self._reset_t, self._prev_growth = file_lru, refault, t, 0
        self._direct_seen = ev["pgscan_direct"] > self._prev_direct
        if self._direct_seen:
            self._prev_direct, self._prev_kswapd = ev["pgscan_direct"], ev["pgscan_kswapd"]
        elif ev["pgscan_kswapd"] > self._prev_kswapd:
            self._prev_kswapd = ev["pgscan_kswapd"]
        elif refault == self._prev_refault:
            return None  # neither reclaiming nor thrashing
        self._prev_refault = refault
        thrashing = 0
        if t - self._reset_t > THRASHING_RESET_S:
            windows = int((t - self._reset_t) / THRASHING_RESET_S)
            self._prev_growth = (refault - self._init_refault) * 100 // (self._base_file + 1)
            if windows > 1 or self._prev_growth < self._limit:
                self._prev_growth >>= windows
            self._base_file, self._init_refault, self._reset_t = file_lru, refault, t
            self._limit = self.p.thrashing_limit_pct
        else:
            thrashing = (refault - self._init_refault) * 100 // (self._base_file + 1)
        thrashing += self._prev_growth
        return self._reason(node, event, cycle_after_kill, thrashing)

    def _reason(self, node: Node, event: bool, after_kill: bool, thrashing: int) -> Decision | None:
        # lmkd reads MemFree at some moment of a busy interval; the model hands it the interval's low point.
        free, wm = min(node.free, node.free_floor), node.wm
        node.free_floor = node.free
        breached = "min" if free < wm.min else "low"
        below_low, below_high = free < wm.low, free < wm.high
        swap_low = self._swap_low(node)
        free_kb, low_kb = node.swap_free * 4, node.zram.swap_pages * self.p.swap_free_low_percentage // 100 * 4
        critical_pct = self._limit * 2
        spare_perceptible = free >= wm.min and thrashing < critical_pct
        if after_kill and below_low:
            return Decision("min watermark is breached even after kill", 0)
        if self._critical and event:
            return Decision("device is not responding", 0)
        if swap_low and thrashing > self._limit:
            reason = f"device is low on swap ({free_kb}kB < {low_kb}kB) and thrashing ({thrashing}%)"
            return Decision(reason, PERCEPTIBLE_APP_ADJ + 1 if spare_perceptible else 0)
        if swap_low and below_high:
            reason = f"{breached} watermark is breached and swap is low ({free_kb}kB < {low_kb}kB)"
            return Decision(reason, PERCEPTIBLE_APP_ADJ + 1 if spare_perceptible else 0)
        if below_high and thrashing > self._limit:
            self._limit = self._limit * 90 // 100  # thrashing_limit_decay_pct = 10
            reason = f"{breached} watermark is breached and thrashing ({thrashing}%)"
            return Decision(reason, PERCEPTIBLE_APP_ADJ + 1 if thrashing < critical_pct else 0)
        if self._direct_seen and thrashing > self._limit:
            self._limit = self._limit * 90 // 100
            reason = f"device is in direct reclaim and thrashing ({thrashing}%)"
            return Decision(reason, PERCEPTIBLE_APP_ADJ + 1 if thrashing < critical_pct else 0)
        return None

    def killed(self) -> None:
        self.killing = True


def pick_victim(procs: list[Proc], min_score_adj: int) -> Proc | None:
    """find_and_kill_process(): highest oom_score_adj >= the minimum, largest RSS among equals."""
    eligible = [p for p in procs if p.adj >= max(0, min_score_adj)]
    if not eligible:
        return None
    return max(eligible, key=lambda p: (p.adj, p.rss, -p.pid))
