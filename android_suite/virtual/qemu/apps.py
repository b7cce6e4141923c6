"""GuestMemory: the framework model's MemoryBackend over real guest processes.

Each app process is a guest ``asuite-app`` holding an anonymous working set of
the app's size (the profile's ``anon_mb``). What the framework asks maps onto
the real kernel as follows:

* ``spawn``: start the app (agent S), wait until its working set is allocated,
  then send SIGUSR1 (foreground: it touches every page and starts its render
  loop); the allocation and touch time is the cold start's memory stall.
* ``touch`` of a large share (a resume): SIGUSR1 again and wait for the app's
  touch counter to move; the measured touch time, which holds the swap-ins from
  zram and any direct-reclaim stalls, is the launch's stall.
* ``touch`` of a small share (one frame): the frame is janky at the rate the
  app's own render loop reports (``janky``/``frames`` deltas of its stats file),
  so gfxinfo's janky frames are the guest's missed 16.7 ms deadlines.
* ``set_oom_score_adj``: written to ``/proc/<pid>/oom_score_adj``; leaving the
  foreground sends SIGUSR2 (the render loop stops).
* kills: the guest runs no lmkd. Kills come from the kernel OOM killer, read
  from the guest console ("Out of memory: Killed process ..."); the
  oom_score_adj values we write steer its choice the way lmkd's would.
* ``allocate`` after the start (content loading) is not grown in the guest:
  asuite-app's working set is fixed at its launch size.

Calls block the caller (the handset's event loop) for their agent round trips;
under TCG a launch that swaps in 100 MB takes a second or two of real time,
which is the latency being measured.
"""

from __future__ import annotations

import contextlib
import errno
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from android_suite.errors import SuiteError
from android_suite.virtual.memory_api import KillEvent, ProcSpec, TouchResult
from android_suite.virtual.profile import Profile
from android_suite.virtual.qemu.guest import AgentLike
from android_suite.virtual.qemu.guestfacts import AppStats, parse_app_stats, parse_oom_kills, parse_task_stat, status_kb

SIGKILL, SIGUSR1, SIGUSR2 = 9, 10, 12  # arm64 and x86_64 Linux numbers
RESUME_SHARE = 0.3  # touch() shares at or above this are a resume (activity.py: 0.35 hot, 0.6 warm)
JANK_STALL_S = 0.021  # a frame marked janky overruns the 20.5 ms app deadline (frames.py)
STATS_DIR = "/run"
_NO_TOUCH = TouchResult(0.0, 0, 0, 0)


class GuestCallFailed(SuiteError):
    """An app process did not do what was asked within its deadline (start, touch)."""


@dataclass
class _App:
    name: str
    uid: int
    stats_path: str
    adj: int
    foreground: bool = False
    pending_stall: float = 0.0  # the cold start's allocation + first touch, handed to the first allocate()
    stats: AppStats | None = None
    stats_at: float = float("-inf")
    jank_acc: float = 0.0
    jank_rate: float = 0.0


@dataclass
class _Busy:
    samples: deque[tuple[float, float]] = field(default_factory=deque)  # (host time, reclaim-thread CPU s)
    value: float = 0.0
    at: float = float("-inf")


class GuestMemory:
    """MemoryBackend over the guest (see the module docstring).

    Args:
        profile: app sizes (``anon_mb`` by package name) and the core count.
        agent: the current guest's agent (raises when the guest is down).
        since_boot: seconds since the handset (re)booted.
        console: the guest kernel log so far.
        reclaim_pids: pids of kswapd/kcompressd threads (for :meth:`cpu_busy`).
        wait_timeout: how long a start or a resume may take.
    """

    def __init__(
        self,
        profile: Profile,
        agent: Callable[[], AgentLike],
        since_boot: Callable[[], float],
        console: Callable[[], str],
        reclaim_pids: Callable[[], list[int]],
        *,
        wait_timeout: float = 120.0,
    ) -> None:
        self._profile = profile
        self._agent = agent
        self._since_boot = since_boot
        self._console = console
        self._reclaim_pids = reclaim_pids
        self.wait_timeout = wait_timeout
        self._sizes = {p.name: p.anon_mb for p in profile.packages}
        self._counter = 0
        self.reset()

    def reset(self) -> None:
        """A new boot: no apps, no kills, the console read from its start."""
        self.apps: dict[int, _App] = {}
        self.kills: list[KillEvent] = []
        self._console_pos = 0
        self._busy = _Busy()

    # -- lifecycle ------------------------------------------------------------------
    def now(self) -> float:
        return self._since_boot()

    def spawn(self, spec: ProcSpec) -> int:
        mb = max(1, math.ceil(spec.anon_kb / 1024)) if spec.anon_kb else self._sizes.get(spec.name) or 16
        self._counter += 1
        stats_path = f"{STATS_DIR}/asuite-app-{self._counter}.stats"
        ratio = min(0.9, max(0.0, spec.compressibility))
        argv = ["asuite-app", "--name", spec.name, "--anon-mb", str(mb), "--ratio", f"{ratio:.2f}",
                "--stats", stats_path]  # fmt: skip
        agent = self._agent()
        started = time.monotonic()
        pid = agent.spawn(argv)
        app = self.apps[pid] = _App(spec.name, spec.uid, stats_path, spec.oom_score_adj)
        self._write_adj(pid, spec.oom_score_adj)
        allocated = self._wait(pid, lambda s: s.anon_kb >= mb * 1024 * 0.98 or s.touch_count > 0)
        if allocated is not None and spec.oom_score_adj == 0:
            self._foreground(pid, app)  # a cold start ends in the foreground
        app.pending_stall = time.monotonic() - started
        return pid

    def exit(self, pid: int) -> None:
        app = self.apps.pop(pid, None)
        agent = self._agent()
        with contextlib.suppress(ProcessLookupError):  # gone already (the OOM killer, or it crashed)
            agent.kill(pid, SIGKILL)
        if app is not None:
            agent.exec(["rm", "-f", app.stats_path], timeout=10.0)

    def alive(self, pid: int) -> bool:
        try:
            task = parse_task_stat(self._agent().read(f"/proc/{pid}/stat").decode(errors="replace"))
        except FileNotFoundError:
            return False
        except OSError as exc:
            if exc.errno == errno.ESRCH:
                return False
            raise
        return task is not None and task.state not in ("Z", "X")

    def set_oom_score_adj(self, pid: int, adj: int) -> None:
        self._write_adj(pid, adj)
        app = self.apps.get(pid)
        if app is None:
            return
        app.adj = adj
        if adj > 0 and app.foreground:
            app.foreground = False
            self._signal(pid, SIGUSR2)  # to the background: the render loop stops

    def _write_adj(self, pid: int, adj: int) -> None:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # it died meanwhile: alive() says so
            self._agent().write(f"/proc/{pid}/oom_score_adj", f"{adj}\n".encode())

    # -- memory -------------------------------------------------------------------------
    def allocate(self, pid: int, anon_kb: int, compressibility: float = 0.5) -> TouchResult:
        app = self.apps.get(pid)
        if app is None or not app.pending_stall:
            return _NO_TOUCH  # the guest app's working set is fixed at its launch size
        stall, app.pending_stall = app.pending_stall, 0.0
        return TouchResult(stall, 0, 0, 0)

    def free(self, pid: int, anon_kb: int) -> None:
        return None  # fixed working set (see allocate)

    def touch(self, pid: int, fraction: float = 1.0) -> TouchResult:
        app = self.apps.get(pid)
        if app is None:
            return _NO_TOUCH
        if fraction >= RESUME_SHARE:
            return self._foreground(pid, app)
        return self._frame(pid, app)

    def _foreground(self, pid: int, app: _App) -> TouchResult:
        before = app.stats or self._stats(pid, app, fresh=True)
        count = before.touch_count if before else 0
        majflt = before.majflt if before else 0
        self._signal(pid, SIGUSR1)
        app.foreground = True
        after = self._wait(pid, lambda s: s.touch_count > count)
        if after is None:
            return _NO_TOUCH
        return TouchResult(after.last_touch_ms / 1000.0, max(0, after.majflt - majflt), 0, 0)

    def _frame(self, pid: int, app: _App) -> TouchResult:
        old = app.stats
        now = time.monotonic()
        if now - app.stats_at >= 0.5:
            new = self._stats(pid, app, fresh=True)
            if old is not None and new is not None and new.frames > old.frames:
                app.jank_rate = max(0, new.janky - old.janky) / (new.frames - old.frames)
        app.jank_acc += app.jank_rate
        if app.jank_acc >= 1.0:
            app.jank_acc -= 1.0
            return TouchResult(JANK_STALL_S, 0, 0, 0)
        return _NO_TOUCH

    def resident_fraction(self, pid: int) -> float:
        try:
            text = self._agent().read(f"/proc/{pid}/status").decode(errors="replace")
        except OSError:
            return 0.0
        rss = status_kb(text, "RssAnon") or status_kb(text, "VmRSS") or 0
        swap = status_kb(text, "VmSwap") or 0
        return rss / (rss + swap) if rss + swap else 1.0

    # -- kills and CPU ----------------------------------------------------------------
    def kills_since(self, t: float) -> list[KillEvent]:
        text = self._console()
        end = text.rfind("\n", self._console_pos) + 1
        if end > self._console_pos:
            for kill in parse_oom_kills(text[self._console_pos : end]):
                app = self.apps.get(kill.pid)
                name, uid = (app.name, app.uid) if app else (kill.name, 0)
                reason = "kernel OOM killer: out of memory (the guest runs no lmkd)"
                self.kills.append(KillEvent(self.now(), kill.pid, uid, name, kill.oom_score_adj,
                                            kill.anon_rss_kb, 0, reason, kill.oom_score_adj))  # fmt: skip
            self._console_pos = end
        return [k for k in self.kills if k.t >= t]

    def cpu_busy(self) -> float:
        """Share of the guest's CPUs spent in kswapd/kcompressd over about the last second."""
        busy, now = self._busy, time.monotonic()
        if now - busy.at < 0.5:
            return busy.value
        cpu = 0.0
        agent = self._agent()
        for pid in self._reclaim_pids():
            try:
                task = parse_task_stat(agent.read(f"/proc/{pid}/stat").decode(errors="replace"))
            except OSError:
                continue
            cpu += (task.utime_s + task.stime_s) if task else 0.0
        busy.samples.append((now, cpu))
        while len(busy.samples) > 2 and busy.samples[1][0] <= now - 1.0:
            busy.samples.popleft()
        (t0, c0), (t1, c1) = busy.samples[0], busy.samples[-1]
        cores = self._profile.qemu.cpus if self._profile.qemu else self._profile.cores
        busy.value = min(1.0, max(0.0, (c1 - c0) / (t1 - t0) / cores)) if t1 > t0 else 0.0
        busy.at = now
        return busy.value

    # -- helpers ------------------------------------------------------------------------
    def _signal(self, pid: int, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            self._agent().kill(pid, sig)

    def _stats(self, pid: int, app: _App, *, fresh: bool = False) -> AppStats | None:
        try:
            stats = parse_app_stats(self._agent().read(app.stats_path).decode(errors="replace"))
        except FileNotFoundError:
            stats = None
        if stats is not None:
            app.stats, app.stats_at = stats, time.monotonic()
        return stats

    def _wait(self, pid: int, done: Callable[[AppStats], bool]) -> AppStats | None:
        """Poll the app's stats until ``done``; None if the app died first. Raises on the deadline."""
        app = self.apps[pid]
        deadline = time.monotonic() + self.wait_timeout
        pause = 0.005
        while time.monotonic() < deadline:
            stats = self._stats(pid, app)
            if stats is not None and done(stats):
                return stats
            if not self.alive(pid):
                return None
            time.sleep(pause)  # polling a file in the guest: no notification channel exists
            pause = min(0.05, pause * 2)
        raise GuestCallFailed(
            f"guest app {app.name} (pid {pid}) did not report within {self.wait_timeout:.0f} s "
            f"(stats file {app.stats_path}); the guest may be thrashing: see its console log"
        )
