"""SimKernel: the modelled kernel behind a virtual handset.

Implements :class:`android_suite.virtual.kernel.KernelBackend` (files, knobs,
threads, uname, boot) and :class:`android_suite.virtual.memory_api.MemoryBackend`
(processes and their memory). Time is stepped in ``params.dt`` increments and
advanced lazily: every MemoryBackend call and every file read first brings
the model up to the handset clock, so nothing runs between accesses and the
same calls at the same clock values give the same numbers. Quiet stretches
(kswapd asleep, nothing queued, nobody stalled) are skipped in one jump.

A step: kswapd and the kcompressd threads get CPU (:mod:`threads`), PSI
accounts the stall time, lmkd polls. User tasks reclaim and fault
synchronously inside their calls; an allocation that reaches the low
watermark first lets the threads catch up to the call's clock time.

Unknown or dead pids raise ProcessLookupError: lmkd may have killed the
process at the start of the very call, so check :meth:`alive` first.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections import deque
from collections.abc import Callable, Mapping

from android_suite.virtual.api import BootState
from android_suite.virtual.kernel import Knob, ProcessInfo, UnameInfo
from android_suite.virtual.memory_api import KillEvent, ProcSpec, TouchResult
from android_suite.virtual.profile import Profile
from android_suite.virtual.sim import access, swap, sysfs
from android_suite.virtual.sim.kcompressd import Kcompressd
from android_suite.virtual.sim.kimage import KernelImage, default_config, profile_image
from android_suite.virtual.sim.lmkd import Lmkd, pick_victim
from android_suite.virtual.sim.node import Node
from android_suite.virtual.sim.params import Features, SimParams
from android_suite.virtual.sim.proc import Proc
from android_suite.virtual.sim.psi import Psi
from android_suite.virtual.sim.threads import Threads
from android_suite.virtual.sim.zram import Zram
from android_suite.virtual.vfs import Renderer

FIRST_PID = 3000  # below: the static userspace the handset lists itself


class SimKernel:
    """The modelled kernel (see the module docstring).

    Args:
        profile: the handset (RAM, swap size, cores, kernel identity).
        clock: the handset's monotonic clock (the one ``BootState.booted_at`` uses).
        image: the booted kernel; default: :func:`profile_image`.
        seed: varies the boot-time page cache a little; same seed, same numbers.
        params: costs and tunables.
    """

    kind = "virtual-sim"

    def __init__(
        self,
        profile: Profile,
        clock: Callable[[], float] = time.monotonic,
        *,
        image: KernelImage | None = None,
        seed: int = 0,
        params: SimParams | None = None,
    ) -> None:
        self.profile = profile
        self.clock = clock
        self.seed = seed
        self.params = params or SimParams()
        self.image = image or profile_image(profile)
        self._watchers: list[Callable[[], None]] = []
        self.boot = BootState(boot_id="00000000-0000-0000-0000-000000000000", booted_at=clock())
        self._reset()

    # -- boot -------------------------------------------------------------------------
    def load_image(self, image: KernelImage | None) -> None:
        """The kernel the next :meth:`on_boot` starts (None: the profile's default)."""
        self.image = image or profile_image(self.profile)

    def on_boot(self, boot: BootState) -> None:
        self.boot = boot
        self._reset()
        for notify in self._watchers:
            notify()

    def watch_files(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever the set of files changes (a boot, a process started or gone)."""
        self._watchers.append(callback)

    def _reset(self) -> None:
        cfg = self.image.config if self.image.config is not None else default_config("none")
        self.config: Mapping[str, str] = cfg
        self.features = Features.of(self.image.release)
        self.kcompressd = Kcompressd(self.image.variant)
        algorithm = self.image.string("CONFIG_ZRAM_DEF_COMP") or "lzo-rle"
        swap_kb = self.profile.swap_total_kb if self.params.zram_at_boot else 0
        disksize = (swap_kb + 4) * 1024 if swap_kb else 0  # the swap header takes one page
        self.zram = Zram(disksize, algorithm, zeromap=self.features.zeromap)
        jitter = 0.95 + 0.1 * random.Random(self.seed).random()
        self.node = Node(self.profile.mem_total_kb // 4, self.params, self.features, self.zram, jitter)
        self.node.queue_capacity = self.kcompressd.capacity
        self.psi = Psi()
        self.lmkd = Lmkd(self.params)
        self.kills: list[KillEvent] = []
        self.steps = 0
        self.threads_state = Threads(self.node, self.profile.cores - self.params.background_cores)
        self.threads_state.kc_threads = self.kcompressd.threads
        self.node.catch_up = lambda extra: self.threads_state.run(self.node.now, extra)
        self.running: set[str] = set()
        self._busy: deque[tuple[float, float]] = deque()
        self._next_pid = FIRST_PID

    # -- time -------------------------------------------------------------------------
    @property
    def t(self) -> float:
        """Model time (seconds since boot), on the step grid."""
        return self.steps * self.params.dt

    def _target(self) -> float:
        return max(0.0, self.clock() - self.boot.booted_at)

    def sync(self) -> float:
        """Advance the model to the handset clock; returns the clock's time since boot."""
        target = self._target()
        dt = self.params.dt
        # knobs written since the last access take effect now
        self.node.queue_capacity, self.threads_state.kc_threads = self.kcompressd.capacity, self.kcompressd.threads
        while self.t + dt <= target + 1e-12:
            if self._quiet():
                skip = int((target - self.t) / dt + 1e-9)
                self.steps += skip
                self.threads_state.clock = self.t
                self.psi.idle_until(self.t)
                self.running.clear()
                break
            self._step()
        self.node.now = max(self.t, target)
        return target

    def _quiet(self) -> bool:
        n = self.node
        return not n.kswapd_awake and not n.queue and self.psi.busy_until() <= self.t and self.lmkd.idle(self.t)

    def _step(self) -> None:
        n, dt = self.node, self.params.dt
        t0 = self.t
        cpu_before = self.cpu_total()
        self.threads_state.run(t0 + dt)
        self.steps += 1
        n.now = self.t
        ks, kc = self.threads_state.take_step()
        self.running = {name for name, busy in (("kswapd", ks), ("kcompressd", kc)) if busy > 0}
        self.psi.account(t0, self.t, min(dt, ks), min(dt, kc))
        self._note_busy(self.cpu_total() - cpu_before)
        decision = self.lmkd.poll(self.t, n, self.psi)
        if decision is not None:
            victim = pick_victim(list(n.procs.values()), decision.min_score_adj)
            if victim is not None:
                self._kill(victim, decision.reason, decision.min_score_adj)
                self.lmkd.killed()

    @property
    def kswapd_cpu(self) -> float:
        """CPU seconds kswapd0 has used since boot."""
        return self.threads_state.kswapd_cpu

    @property
    def kcompressd_cpu(self) -> list[float]:
        """CPU seconds per kcompressd thread since boot."""
        return self.threads_state.kcompressd_cpu

    def cpu_total(self) -> float:
        return self.kswapd_cpu + sum(self.kcompressd_cpu)

    def _note_busy(self, cpu: float) -> None:
        self._busy.append((self.t, cpu))
        while self._busy and self._busy[0][0] <= self.t - 1.0:
            self._busy.popleft()

    # -- kills --------------------------------------------------------------------------
    def _kill(self, p: Proc, reason: str, min_adj: int) -> None:
        event = KillEvent(self.t, p.pid, p.uid, p.name, p.adj, p.rss * 4, p.swapped * 4, reason, min_adj)
        self.kills.append(event)
        access.exit_proc(self.node, p)
        self._files_changed()

    def _oom(self) -> Proc | None:
        """The kernel OOM killer (oom_badness: rss + swap, scaled by oom_score_adj)."""
        procs = [p for p in self.node.procs.values() if p.adj > -1000]
        if not procs:
            return None
        victim = max(procs, key=lambda p: (p.rss + p.swapped + p.adj * self.node.total // 1000, p.pid))
        self.node.ev["oom_kill"] += 1
        self._kill(victim, "kernel OOM killer: out of memory", -1000)
        return victim

    def _files_changed(self) -> None:
        for notify in self._watchers:
            notify()

    # -- MemoryBackend --------------------------------------------------------------------
    def now(self) -> float:
        return self.sync()

    def _proc(self, pid: int) -> Proc:
        p = self.node.procs.get(pid)
        if p is None:
            raise ProcessLookupError(f"no process {pid} in the model (exited or killed)")
        return p

    def _result(self, cost: access.Cost) -> TouchResult:
        self.psi.stall(self.t, cost.stall)
        self._note_busy(cost.cpu)
        return TouchResult(cost.stall, cost.swapins, cost.refaults, cost.allocstalls)

    def spawn(self, spec: ProcSpec) -> int:
        self.sync()
        pid, self._next_pid = self._next_pid, self._next_pid + 1
        p = Proc(pid, spec.name, spec.uid, spec.oom_score_adj, self.t, last_access=self.t)
        self.node.procs[pid] = p
        self._files_changed()
        cost = access.allocate(self.node, p, -(-spec.anon_kb // 4), spec.compressibility, self.t, self._oom)
        if pid in self.node.procs and spec.file_kb:
            more = access.read_file(self.node, p, -(-spec.file_kb // 4), self.t, self._oom)
            cost = dataclasses.replace(cost, cpu=cost.cpu + more.cpu, blocked=cost.blocked + more.blocked)
        self._result(cost)
        return pid

    def exit(self, pid: int) -> None:
        self.sync()
        access.exit_proc(self.node, self._proc(pid))
        self._files_changed()

    def alive(self, pid: int) -> bool:
        self.sync()
        return pid in self.node.procs

    def set_oom_score_adj(self, pid: int, adj: int) -> None:
        self.sync()
        self._proc(pid).adj = adj

    def allocate(self, pid: int, anon_kb: int, compressibility: float = 0.5) -> TouchResult:
        self.sync()
        pages = -(-anon_kb // 4)
        return self._result(access.allocate(self.node, self._proc(pid), pages, compressibility, self.t, self._oom))

    def free(self, pid: int, anon_kb: int) -> None:
        self.sync()
        access.free_anon(self.node, self._proc(pid), -(-anon_kb // 4))

    def touch(self, pid: int, fraction: float = 1.0) -> TouchResult:
        self.sync()
        return self._result(access.touch(self.node, self._proc(pid), fraction, self.t, self._oom))

    def resident_fraction(self, pid: int) -> float:
        self.sync()
        p = self._proc(pid)
        total = p.anon_total + p.file_resident + p.file_evicted
        return (p.rss / total) if total else 1.0

    def kills_since(self, t: float) -> list[KillEvent]:
        self.sync()
        return [k for k in self.kills if k.t >= t]

    def cpu_busy(self) -> float:
        self.sync()
        return min(1.0, sum(b for _, b in self._busy) / self.profile.cores)

    # -- SwapControl (the zram reset dance) ------------------------------------------------
    def mkswap(self, path: str) -> int:
        return swap.mkswap(self, path)

    def swapon(self, path: str, priority: int | None = None) -> None:
        swap.swapon(self, path, priority)

    def swapoff(self, path: str) -> None:
        swap.swapoff(self, path)

    # -- KernelBackend --------------------------------------------------------------------
    def uname(self) -> UnameInfo:
        banner = self.image.banner
        # uname -v is the "#1 SMP PREEMPT <date>" tail of the /proc/version banner.
        version = banner[banner.index(" #") + 1 :] if " #" in banner else self.profile.kernel.version
        return UnameInfo("Linux", "localhost", self.image.release, version, "aarch64")

    def threads(self) -> list[ProcessInfo]:
        self.sync()
        return sysfs.threads(self)

    def user_processes(self) -> list[ProcessInfo]:
        """The model's processes as ps rows (for the framework model's ps)."""
        self.sync()
        return sysfs.user_processes(self)

    def files(self) -> Mapping[str, Renderer]:
        return sysfs.files(self)

    def knobs(self) -> Mapping[str, Knob]:
        return sysfs.knobs(self)
