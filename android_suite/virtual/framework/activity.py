"""The activity manager: app processes, the recents stack, launches and their cost.

Every memory fact comes from the :class:`MemoryBackend`: whether a process
is still alive, how much of it is resident, what touching it stalled, whom
lmkd killed. This module decides only what Android's policy decides: which
process is foreground, previous or cached (and so its ``oom_score_adj``),
and whether a launch is COLD, WARM or HOT.

oom_score_adj follows ProcessList.java: foreground 0, visible 100, the home
app 600 when in the background, the previous app 700, cached apps from 900
up by LRU position (``cch+5``, ``cch+15``, ...), at most 999.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from android_suite.virtual.framework.apps import WAIT_OVERHEAD_S, App
from android_suite.virtual.framework.logbuf import LMKD_PID, SYSTEM_SERVER_PID, LogBuffer
from android_suite.virtual.memory_api import KillEvent, MemoryBackend, ProcSpec

FOREGROUND_ADJ = 0
VISIBLE_ADJ = 100
HOME_ADJ = 600
PREVIOUS_ADJ = 700
CACHED_MIN_ADJ = 900
CACHED_MAX_ADJ = 999
CACHED_STEP = 10
WARM_RESIDENCY = 0.5  # below this share of resident pages a resume redraws from scratch: WARM
APP_COMPRESSIBILITY = 0.62  # Java/native heaps compress about 2.6:1 in zram (lz4)
ATMS_TID = SYSTEM_SERVER_PID + 48  # a binder thread of system_server


@dataclass
class ProcessRecord:
    """A live app process as the activity manager tracks it."""

    app: App
    pid: int
    started_at: float
    anon_kb: int  # what the framework asked the backend for (launch + growth)
    adj: int = FOREGROUND_ADJ
    activity_alive: bool = True


@dataclass(frozen=True)
class LaunchResult:
    """What ``am start -W`` reports."""

    package: str
    activity: str  # fully qualified class
    state: str  # "COLD", "WARM", "HOT" or "UNKNOWN (0)" (delivered to the running top activity)
    total_s: float | None  # TotalTime; None when nothing was launched
    wait_s: float
    stall_s: float  # the part of total_s spent stalled on memory
    pid: int


def adj_label(adj: int) -> str:
    """The short form ActivityManager logs use (``fg``, ``prev``, ``cch+15``)."""
    if adj >= CACHED_MIN_ADJ:
        return f"cch+{adj - CACHED_MIN_ADJ}"
    return {FOREGROUND_ADJ: "fg", VISIBLE_ADJ: "vis", HOME_ADJ: "home", PREVIOUS_ADJ: "prev"}.get(adj, str(adj))


class ActivityManager:
    """Processes and tasks of one handset.

    Args:
        apps: the installed packages.
        memory: the memory model.
        log: where ActivityManager and lmkd lines go.
        cpu_scale: reference-core seconds -> this handset's seconds.
    """

    def __init__(self, apps: dict[str, App], memory: MemoryBackend, log: LogBuffer, cpu_scale: float) -> None:
        self.apps = apps
        self.memory = memory
        self.log = log
        self.cpu_scale = cpu_scale
        self.procs: dict[str, ProcessRecord] = {}
        self.recents: list[str] = []  # packages, most recent first; [0] is the top task
        self.on_death: list[Callable[[str], None]] = []
        # (anon KiB, compressibility) of a new process of an app, None for the category's figures.
        self.memory_for: Callable[[App], tuple[int, float] | None] = lambda app: None
        launchers = [a for a in apps.values() if a.category == "launcher" and a.launchable]
        if not launchers:
            raise ValueError("the profile has no launcher package (category = 'launcher')")
        self.home_app = launchers[0]
        self._kills_seen = memory.now()
        self._seen_kills: set[tuple[float, int]] = set()

    # -- state -----------------------------------------------------------------
    def sync(self) -> None:
        """Take in lmkd kills and other deaths since the last call."""
        now = self.memory.now()
        for kill in self.memory.kills_since(self._kills_seen):
            key = (kill.t, kill.pid)
            if key not in self._seen_kills:
                self._seen_kills.add(key)
                self._log_kill(kill)
        # Query inclusively from the last call; remember what was logged so nothing repeats.
        self._kills_seen = now
        self._seen_kills = {k for k in self._seen_kills if k[0] >= now}
        for name, rec in list(self.procs.items()):
            if not self.memory.alive(rec.pid):
                self._died(name, rec)
        if not self.recents or self.recents[0] not in self.procs:
            self._ensure_home_on_top()

    @property
    def top(self) -> App:
        return self.apps[self.recents[0]]

    def pid_of(self, package: str) -> int | None:
        rec = self.procs.get(package)
        return rec.pid if rec is not None else None

    # -- launches --------------------------------------------------------------
    def start(self, package: str, activity: str | None = None, *, force_stop: bool = False) -> LaunchResult:
        """Bring ``package`` to the top, starting its process if needed."""
        self.sync()
        app = self.apps[package]
        cls = activity or app.activity
        if force_stop:
            self.force_stop(package)
        now = self.memory.now()
        rec = self.procs.get(package)
        if rec is not None and self.recents[0] == package and rec.activity_alive:
            # Android 10+: the intent goes to onNewIntent of the running top activity.
            return LaunchResult(package, cls, "UNKNOWN (0)", None, 0.004, 0.0, rec.pid)
        self._log_start_intent(now, app, cls)
        if rec is None:
            state, work = "COLD", app.cold_work_s()
            stall, rec = self._spawn(app, now)
        else:
            resident = self.memory.resident_fraction(rec.pid)
            warm = not rec.activity_alive or resident < WARM_RESIDENCY
            state, work = ("WARM", app.warm_work_s()) if warm else ("HOT", app.hot_work_s())
            stall = self.memory.touch(rec.pid, 0.6 if warm else 0.35).stall_s
            rec.activity_alive = True
        # Reclaim threads (kswapd, kcompressd) compete for the same cores.
        total = work * self.cpu_scale * (1.0 + 0.5 * self.memory.cpu_busy()) + stall
        self._move_to_top(package)
        self.log.log(
            now + total,
            "system",
            SYSTEM_SERVER_PID,
            SYSTEM_SERVER_PID + 31,
            "I",
            "ActivityTaskManager",
            f"Displayed {app.short_component(cls)} for user 0: +{_duration(total)}",
        )
        return LaunchResult(package, cls, state, total, total + WAIT_OVERHEAD_S, stall, rec.pid)

    def go_home(self) -> None:
        self.sync()
        if self.recents[0] != self.home_app.name:
            self.start(self.home_app.name)

    def back(self) -> None:
        """BACK on a root activity: since Android 12 the task moves behind, the activity stays."""
        self.sync()
        if self.recents[0] != self.home_app.name:
            self.start(self.home_app.name)

    def force_stop(self, package: str, caller_pid: int = 0) -> None:
        self.sync()
        app = self.apps[package]
        now = self.memory.now()
        self._am(now, f"Force stopping {package} appid={app.uid} user=0: from pid {caller_pid}")
        rec = self.procs.pop(package, None)
        if rec is not None:
            self._am(now, f"Killing {rec.pid}:{package}/{_uid_name(app.uid)} (adj {rec.adj}): stop {package}")
            self.memory.exit(rec.pid)
        if package in self.recents:
            self.recents.remove(package)
        self._ensure_home_on_top()
        self._update_adj()

    def kill_background(self, package: str) -> bool:
        """``am kill``: only a process the user cannot see (adj >= 500) is killed."""
        self.sync()
        rec = self.procs.get(package)
        if rec is None or rec.adj < 500:
            return False
        now = self.memory.now()
        self._am(now, f"Killing {rec.pid}:{package}/{_uid_name(rec.app.uid)} (adj {rec.adj}): kill background")
        self.memory.exit(rec.pid)
        del self.procs[package]
        return True

    def grow(self, package: str) -> float:
        """Content loading: the app's heap grows toward its steady size; returns the stall."""
        rec = self.procs.get(package)
        if rec is None:
            return 0.0
        room = rec.app.steady_anon_kb - rec.anon_kb
        if room <= 0:
            return 0.0
        step = min(room, max(1024, rec.app.steady_anon_kb // 16))
        rec.anon_kb += step
        return self.memory.allocate(rec.pid, step, APP_COMPRESSIBILITY).stall_s

    # -- internals -------------------------------------------------------------
    def _spawn(self, app: App, now: float) -> tuple[float, ProcessRecord]:
        # An app that says how much it allocates, and how compressible (the test app), is taken at its word.
        declared = self.memory_for(app)
        anon_kb, ratio = declared if declared is not None else (app.launch_anon_kb, APP_COMPRESSIBILITY)
        spec = ProcSpec(app.name, app.uid, FOREGROUND_ADJ, 0, app.file_kb, ratio)
        pid = self.memory.spawn(spec)
        stall = self.memory.allocate(pid, anon_kb, ratio).stall_s
        rec = ProcessRecord(app, pid, now, anon_kb)
        self.procs[app.name] = rec
        self._am(
            now,
            f"Start proc {pid}:{app.name}/{_uid_name(app.uid)} for next-top-activity "
            f"{{{app.short_component(app.activity)}}}",
        )
        return stall, rec

    def _move_to_top(self, package: str) -> None:
        if package in self.recents:
            self.recents.remove(package)
        self.recents.insert(0, package)
        self._update_adj()

    def _ensure_home_on_top(self) -> None:
        home = self.home_app.name
        if home not in self.procs:
            self._spawn(self.home_app, self.memory.now())
        self._move_to_top(home)

    def _update_adj(self) -> None:
        cached = 0
        for i, name in enumerate(self.recents):
            rec = self.procs.get(name)
            if rec is None:
                continue
            if i == 0:
                adj = FOREGROUND_ADJ
            elif name == self.home_app.name:
                adj = HOME_ADJ
            elif i == 1 or (i == 2 and self.recents[1] == self.home_app.name):
                adj = PREVIOUS_ADJ
            else:
                adj = min(CACHED_MAX_ADJ, CACHED_MIN_ADJ + 5 + CACHED_STEP * cached)
                cached += 1
            if adj != rec.adj:
                rec.adj = adj
                self.memory.set_oom_score_adj(rec.pid, adj)

    def _died(self, package: str, rec: ProcessRecord) -> None:
        del self.procs[package]
        self._am(self.memory.now(), f"Process {package} (pid {rec.pid}) has died: {adj_label(rec.adj)} CEM")
        for callback in self.on_death:
            callback(package)

    def _log_kill(self, kill: KillEvent) -> None:
        # lmkd's Android 14 line (lmkd.cpp kill_one_process), tag "lowmemorykiller", main buffer.
        message = (
            f"Kill '{kill.name}' ({kill.pid}), uid {kill.uid}, oom_score_adj {kill.oom_score_adj} "
            f"to free {kill.rss_kb}kB rss, {kill.swap_kb}kB swap; reason: {kill.reason}"
        )
        self.log.log(kill.t, "main", LMKD_PID, LMKD_PID, "I", "lowmemorykiller", message)

    def _log_start_intent(self, now: float, app: App, cls: str) -> None:
        intent = (
            "act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10000000 "
            f"cmp={app.short_component(cls)}"
        )
        self.log.log(
            now,
            "system",
            SYSTEM_SERVER_PID,
            ATMS_TID,
            "I",
            "ActivityTaskManager",
            f"START u0 {{{intent}}} with LAUNCH_MULTIPLE from uid 2000 (BAL_ALLOW_PERMISSION) result code=0",
        )

    def _am(self, t: float, message: str) -> None:
        self.log.log(t, "system", SYSTEM_SERVER_PID, ATMS_TID, "I", "ActivityManager", message)


def _uid_name(uid: int) -> str:
    """``u0a123`` as ActivityManager prints app uids (no underscore, unlike ps)."""
    return f"u0a{uid - 10000}" if uid >= 10000 else str(uid)


def _duration(seconds: float) -> str:
    """TimeUtils.formatDuration: ``+853ms``, ``+1s204ms``."""
    ms = round(seconds * 1000)
    return f"{ms // 1000}s{ms % 1000:03d}ms" if ms >= 1000 else f"{ms}ms"
