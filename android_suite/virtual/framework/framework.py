"""The Android framework of a virtual handset: the facade commands and the u2 server use.

Composes the activity manager, the frame model, the log buffers and the
battery over one :class:`MemoryBackend`. State changes at once; the modelled
duration of an action (a launch, a swipe) is returned, and callers that want
real time to pass (shell commands) ``await`` :meth:`Framework.pace`, which
sleeps that long times :attr:`Framework.time_scale` (0 in fast tests).

A reboot is noticed lazily through ``boot_id``: the next call finds a new id
and starts from a fresh boot (only the launcher running, empty logs).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

from android_suite.virtual.framework import dumps, gfxinfo, meminfo
from android_suite.virtual.framework.activity import ActivityManager, LaunchResult
from android_suite.virtual.framework.apps import App, cpu_scale, install
from android_suite.virtual.framework.battery import ACTIVE_WINDOW_S, RECLAIM_MA_PER_CORE, Battery
from android_suite.virtual.framework.frames import FLAG_WINDOW_LAYOUT_CHANGED, FrameModel
from android_suite.virtual.framework.guard import GuardedMemory
from android_suite.virtual.framework.keys import keycode, plan_swipe
from android_suite.virtual.framework.logbuf import BUFFERS, LogBuffer
from android_suite.virtual.framework.testapp import TestAppModel, log_missing_library
from android_suite.virtual.framework.uitree import UiNode, app_screen, home_screen
from android_suite.virtual.kernel import ProcessInfo
from android_suite.virtual.memory_api import MemoryBackend
from android_suite.virtual.profile import Profile

LAUNCH_FRAMES = 24  # window animation and first content
HOME_FRAMES = 18
TAP_FRAMES = 12
ZYGOTE64_PID = 700


class Framework:
    """ActivityManager, WindowManager, hwui stats, logd and the battery of one handset.

    Args:
        profile: packages, screen and CPU of the handset.
        memory: the memory model (a SimKernel, or FlatMemory).
        boot_id: the current boot id; a change means the handset rebooted.
        fresh_memory: called after a reboot for a new memory backend (when the
            framework owns a FlatMemory); None keeps ``memory`` (it resets itself).
        read_file: reads a kernel file (``/proc/meminfo``), None if absent.
        wall_clock: epoch seconds (logcat time stamps).
        seed: seeds frame-time jitter.
        props: the handset's system properties (the test app reads ``debug.asuite.*``).
    """

    def __init__(
        self,
        profile: Profile,
        memory: MemoryBackend,
        *,
        boot_id: Callable[[], str] = lambda: "",
        fresh_memory: Callable[[], MemoryBackend] | None = None,
        read_file: Callable[[str], bytes | None] = lambda path: None,
        wall_clock: Callable[[], float] = time.time,
        seed: int = 0,
        props: Callable[[], Mapping[str, str]] = dict,
    ) -> None:
        self.profile = profile
        self._props = props
        self.time_scale = 1.0
        self.apps: dict[str, App] = install(profile)
        self._boot_id = boot_id
        self._fresh_memory = fresh_memory
        self._read_file = read_file
        self._wall_clock = wall_clock
        self._seed = seed
        self.cpu_scale = cpu_scale(profile)
        self.log = LogBuffer()
        self._start(memory)
        self.battery = Battery(lambda: self.memory.now(), self._load_ma)

    def _start(self, memory: MemoryBackend) -> None:
        self.memory = GuardedMemory(memory)
        self._booted_as = self._boot_id()
        self.wall_at_boot = self._wall_clock() - memory.now()
        self.am = ActivityManager(self.apps, self.memory, self.log, self.cpu_scale)
        self.frames = FrameModel(self.memory, self.cpu_scale, self._seed)
        self.am.on_death.append(self.frames.forget)
        self.testapps = TestAppModel(self.memory, self.log, self._props, self._seed)
        self.am.memory_for = self.testapps.memory_for
        self.task_ids: dict[str, int] = {}
        self._next_task = 1
        self._last_interaction = float("-inf")

    def sync(self) -> None:
        """Catch up with reboots, deaths and lmkd kills."""
        if self._boot_id() != self._booted_as:
            self.log.clear(BUFFERS)
            self.battery.reset()
            self._start(self._fresh_memory() if self._fresh_memory is not None else self.memory.inner)
        self.am.sync()
        self.testapps.sync(self.am.recents[0], self.am.pid_of)

    # -- the API the uiautomator2 server uses --------------------------------------
    def foreground(self) -> tuple[str, str]:
        """(package, activity class) of the focused app."""
        self.sync()
        top = self.am.top
        return top.name, top.activity

    def launch(
        self,
        package: str,
        activity: str | None = None,
        *,
        force_stop: bool = False,
        extras: Mapping[str, str] | None = None,
    ) -> LaunchResult:
        """Start an app as the launcher would; returns what ``am start -W`` prints.

        ``extras`` are the intent's string extras (the test app reads ``asuite.*`` ones).
        """
        self.sync()
        if package not in self.apps or not self.apps[package].launchable:
            raise KeyError(package)
        app = self.apps[package]
        self.testapps.prepare(app, extras or {})
        result = self.am.start(package, activity, force_stop=force_stop)
        if result.total_s is not None:
            self._touch_task(package)
            if app.native is None:  # a NativeActivity draws without hwui: nothing for gfxinfo
                flags = FLAG_WINDOW_LAYOUT_CHANGED
                self.frames.render(app, result.pid, LAUNCH_FRAMES, first_flags=flags)
            if app.native is not None and not app.native.has_lib:
                log_missing_library(self.log, app, result.pid, self.memory.now() + result.total_s)
                self.memory.exit(result.pid)  # the process dies; the next sync sees it ("has died")
                self.sync()
                return result
            cold = result.state == "COLD"
            done = self.memory.now() + result.total_s
            self.testapps.launched(app, result.pid, cold, result.stall_s if cold else 0.0, done)
        self.testapps.sync(self.am.recents[0], self.am.pid_of)
        self._interacted()
        return result

    async def pace(self, seconds: float) -> None:
        """Let ``seconds`` of modelled time pass in real time, scaled by :attr:`time_scale`."""
        if self.time_scale > 0 and seconds > 0:
            await asyncio.sleep(seconds * self.time_scale)

    def press_key(self, key: str | int) -> float:
        """A key press (``"home"``, ``"KEYCODE_BACK"``, ``4``); returns its modelled duration."""
        code = keycode(key)
        self.sync()
        if code in (3, 4):  # HOME, BACK
            before = self.am.top.name
            self.am.go_home() if code == 3 else self.am.back()
            self.testapps.sync(self.am.recents[0], self.am.pid_of)  # the app left the front now, not later
            if self.am.top.name != before:
                self._render(self.am.top, HOME_FRAMES)
            return HOME_FRAMES / 60
        self._render(self.am.top, 2, inputs=1)
        return 0.03

    def tap(self, x: int, y: int) -> float:
        self.sync()
        top = self.am.top
        if top is self.am.home_app:
            for node in self.ui_tree():
                if node.clickable and node.text and node.contains(x, y):
                    label_to_app = {a.label: a for a in self.apps.values() if a.launchable}
                    target = label_to_app.get(node.text)
                    if target is not None:
                        return self.launch(target.name).wait_s
        self._render(top, TAP_FRAMES, inputs=1)
        return TAP_FRAMES / 60

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_s: float) -> float:
        self.sync()
        plan = plan_swipe(x1, y1, x2, y2, duration_s)
        self._render(self.am.top, plan.frames, inputs=plan.input_frames)
        return plan.input_frames / 60  # the command returns when the finger lifts; the fling goes on

    def text(self, value: str) -> float:
        self.sync()
        frames = min(60, 2 * len(value)) or 1
        self._render(self.am.top, frames, inputs=frames // 2)
        return frames / 60

    def screen_size(self) -> tuple[int, int]:
        return self.profile.screen_width, self.profile.screen_height

    def ui_tree(self, package: str | None = None) -> list[UiNode]:
        """Views of ``package`` (default: the foreground app) as uiautomator would see them."""
        self.sync()
        app = self.apps[package] if package is not None else self.am.top
        w, h = self.screen_size()
        if app.category == "launcher":
            return home_screen(app, list(self.apps.values()), w, h)
        return app_screen(app, w, h)

    # -- commands ----------------------------------------------------------------------
    def force_stop(self, package: str) -> None:
        self.sync()
        self.am.force_stop(package)
        self.frames.forget(package)

    def kill(self, package: str) -> None:
        self.sync()
        if self.am.kill_background(package):
            self.frames.forget(package)

    def processes(self) -> list[ProcessInfo]:
        """App processes for ``ps``."""
        self.sync()
        rows = []
        for rec in self.am.procs.values():
            rss = meminfo.ProcMem(rec.app.name, rec.pid, rec.adj, rec.anon_kb, rec.app.file_kb, 1.0)
            resident = self.memory.resident_fraction(rec.pid)
            rss_kb = int(rss.rss * resident) + 96_000  # + the zygote-shared framework (boot image, libs)
            rows.append(
                ProcessInfo(rec.pid, ZYGOTE64_PID, rec.app.name, rec.app.user, 17_301_244, rss_kb, "do_epoll_wait")
            )
        return rows

    def uptime_ms(self) -> int:
        return int(self.memory.now() * 1000)

    def gfxinfo(self, package: str, *, framestats: bool = False, reset: bool = False) -> str | None:
        """The dump for ``package``, or None if it has no process ("No process found for:")."""
        self.sync()
        pid = self.am.pid_of(package)
        if pid is None:
            return None
        if package not in self.frames.stats:
            self.frames.reset(package)
        app = self.apps[package]
        text = gfxinfo.render_gfxinfo(
            package=package,
            pid=pid,
            component=f"{package}/{app.activity}",
            uptime_ms=self.uptime_ms(),
            stats=self.frames.stats[package],
            framestats=framestats,
            views=180 + 7 * len(app.label),
        )
        if reset:
            self.frames.reset(package)
        return text

    def meminfo(self, package: str | None = None) -> str | None:
        self.sync()
        procs = [
            meminfo.ProcMem(r.app.name, r.pid, r.adj, r.anon_kb, r.app.file_kb, self.memory.resident_fraction(r.pid))
            for r in self.am.procs.values()
        ]
        if package is not None:
            match = [p for p in procs if p.name == package]
            return meminfo.render_process(match[0], self.uptime_ms()) if match else None
        table = meminfo.parse_kb_table((self._read_file("/proc/meminfo") or b"").decode(errors="replace"))
        mm_stat = self._read_file("/sys/block/zram0/mm_stat")
        return meminfo.render_summary(procs, table, mm_stat.decode() if mm_stat else None, self.uptime_ms())

    def tasks(self) -> list[dumps.TaskView]:
        self.sync()
        views = []
        for name in self.am.recents:
            app = self.apps[name]
            self._touch_task(name)
            views.append(
                dumps.TaskView(
                    self.task_ids[name],
                    name,
                    app.uid,
                    app.short_component(app.activity),
                    f"{name}/{app.activity}",
                    self.am.pid_of(name),
                    app is self.am.home_app,
                )
            )
        return views

    # -- internals -----------------------------------------------------------------------
    def _touch_task(self, package: str) -> None:
        if package not in self.task_ids:
            self.task_ids[package] = self._next_task
            self._next_task += 1

    def _render(self, app: App, frames: int, inputs: int = 0) -> None:
        pid = self.am.pid_of(app.name)
        if pid is None or app.native is not None:  # native apps render on their own (testapp.py)
            return
        stall = self.am.grow(app.name)
        self.frames.render(app, pid, frames, inputs=inputs, stall_s=stall)
        self._interacted()

    def _interacted(self) -> None:
        self._last_interaction = self.memory.now()

    def _load_ma(self) -> float:
        top = self.am.top if self.am.recents else self.am.home_app
        recent = self.memory.now() - self._last_interaction < ACTIVE_WINDOW_S
        app_ma = top.cost.power_ma * (1.0 if recent else 0.35)
        return app_ma + self.memory.cpu_busy() * self.profile.cores * RECLAIM_MA_PER_CORE
