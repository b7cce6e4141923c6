"""Pressure stall information for memory, from the model's stall intervals.

Definitions as in Documentation/accounting/psi.rst: *some* is the time in
which at least one task is stalled on memory, *full* the time in which all
non-idle tasks are stalled at once. Stalled tasks here are kswapd while it
reclaims (balance_pgdat() runs under psi_memstall_enter()) and user tasks in
direct reclaim, swap-in or refault waits; a busy kcompressd thread is non-idle
and not stalled (v1 does not mark it memstall), so it keeps the system out of
*full*. The kernel aggregates per CPU; the model looks at the whole system.

Averages are updated every 2 s (PSI_FREQ) with the kernel's fixed-point decay
factors (EXP_10s, EXP_60s, EXP_300s out of FIXED_1 = 2048); totals are in µs.
"""

from __future__ import annotations

import itertools
import math
from collections import deque

PERIOD = 2.0
_DECAY = (1677 / 2048, 1981 / 2048, 2034 / 2048)


class Psi:
    """Memory PSI of one handset; fed once per model step."""

    def __init__(self) -> None:
        self.total = {"some": 0.0, "full": 0.0}  # seconds
        self.avg = {"some": [0.0, 0.0, 0.0], "full": [0.0, 0.0, 0.0]}  # percent
        self._period_end = PERIOD
        self._period = {"some": 0.0, "full": 0.0}
        self._stalls: list[tuple[float, float]] = []  # user task stall intervals
        self.window: deque[tuple[float, float, float]] = deque()  # (t, some, full) per step, last 1 s

    def stall(self, start: float, seconds: float) -> None:
        """A user task is stalled from ``start`` for ``seconds``."""
        if seconds > 0:
            self._stalls.append((start, start + seconds))

    def busy_until(self) -> float:
        """When the last recorded user stall ends."""
        return max((e for _, e in self._stalls), default=0.0)

    def account(self, t0: float, t1: float, kswapd_busy: float, kcompressd_busy: float) -> tuple[float, float]:
        """Stall time of one step; kernel threads run from the start of the step."""
        self._stalls = [(s, e) for s, e in self._stalls if e > t0]
        cuts = {t0, t1, min(t1, t0 + kswapd_busy), min(t1, t0 + kcompressd_busy)}
        for s, e in self._stalls:
            cuts.update(x for x in (s, e) if t0 < x < t1)
        points = sorted(cuts)
        some = full = 0.0
        for a, b in itertools.pairwise(points):
            mid = (a + b) / 2
            stalled = mid < t0 + kswapd_busy or any(s <= mid < e for s, e in self._stalls)
            if stalled:
                some += b - a
                if mid >= t0 + kcompressd_busy:
                    full += b - a
        self._add(t1, some, full)
        return some, full

    def _add(self, t: float, some: float, full: float) -> None:
        self.total["some"] += some
        self.total["full"] += full
        self._period["some"] += some
        self._period["full"] += full
        self.window.append((t, some, full))
        while self.window and self.window[0][0] <= t - 1.0:
            self.window.popleft()
        while t >= self._period_end - 1e-9:
            self._close_period()

    def _close_period(self) -> None:
        for kind in ("some", "full"):
            sample = min(100.0, self._period[kind] / PERIOD * 100)
            self.avg[kind] = [a * e + sample * (1 - e) for a, e in zip(self.avg[kind], _DECAY, strict=True)]
            self._period[kind] = 0.0
        self._period_end += PERIOD

    def idle_until(self, t: float) -> None:
        """Nothing stalls up to ``t``: decay the averages without stepping through it."""
        if t < self._period_end:
            return
        self._close_period()
        periods = int((t - self._period_end) // PERIOD) + 1 if t >= self._period_end else 0
        for kind in ("some", "full"):
            self.avg[kind] = [a * e**periods for a, e in zip(self.avg[kind], _DECAY, strict=True)]
        self._period_end += periods * PERIOD
        self.window.clear()

    def last_second(self) -> tuple[float, float]:
        """(some, full) stall seconds over the last second (what lmkd's PSI triggers watch)."""
        return sum(s for _, s, _ in self.window), sum(f for _, _, f in self.window)

    def render(self) -> bytes:
        lines = []
        for kind in ("some", "full"):
            a10, a60, a300 = (math.floor(v * 100) / 100 for v in self.avg[kind])
            total_us = int(self.total[kind] * 1e6)
            lines.append(f"{kind} avg10={a10:.2f} avg60={a60:.2f} avg300={a300:.2f} total={total_us}\n")
        return "".join(lines).encode()
