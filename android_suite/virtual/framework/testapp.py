"""The suite's test app running on a virtual handset: its memory, its render loop, its "ASuiteApp" log lines.

The app (apk_workloads/testapp) allocates ``anon_mb`` of anonymous memory of
the chosen compressibility when its process starts, reads ``touch_pct`` of it
on every resume, and renders frames at the display rate while in front,
logging the contract's ``v1`` lines. Here the allocation, the resume touch and
every frame go through the :class:`MemoryBackend`, so fill, touch and frame
times carry the kernel model's stalls; only the CPU part (filling or reading
pages, ``frame_work_us``) is the app's own, as on a phone. A NativeActivity
draws without hwui, so the app adds nothing to ``dumpsys gfxinfo``.

Frames are produced lazily: whenever the framework syncs (a command, a
logcat read), the foreground test app renders every frame due up to now.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from android_suite.virtual.framework.apps import App
from android_suite.virtual.framework.logbuf import LogBuffer
from android_suite.virtual.framework.testapp_config import TestAppSettings, resolve_settings
from android_suite.virtual.memory_api import MemoryBackend

TAG = "ASuiteApp"
BATCH = 60  # frame durations per "v1 frames" line (the app's ASUITE_BATCH)
DISPLAY_HZ = 60
FILL_S_PER_MB = 0.0009  # writing a MiB of patterned pages (~1.1 GB/s with the PRNG)
TOUCH_S_PER_MB = 0.00004  # reading one word per page
FRAME_TOUCH = 0.002  # share of the app's pages one frame touches (buffer, stack, code)
RENDER_TID_OFFSET = 3  # the render thread's tid (the main thread's is the pid)
MAX_CATCH_UP_FRAMES = 20_000  # bounds one sync after a long silence (~5.5 min at 60 Hz)


@dataclass
class _Run:
    """One test-app process."""

    app: App
    pid: int
    settings: TestAppSettings
    resumed: bool = False
    next_frame_t: float = 0.0
    seq: int = 0
    total: int = 0
    janky: int = 0
    batch: list[int] = field(default_factory=list)
    batch_end_t: float = 0.0

    @property
    def period_s(self) -> float:
        return 1.0 / (self.settings.fps or DISPLAY_HZ)

    @property
    def deadline_us(self) -> int:
        return round(self.period_s * 1e6)


class TestAppModel:
    """Every running test-app process of one handset.

    Args:
        memory: the memory model (allocation, touches, reclaim CPU).
        log: where the app's lines go (``main`` buffer, tag ASuiteApp, priority I).
        props: the handset's system properties (``debug.asuite.*`` overrides).
        seed: seeds the per-frame jitter.
    """

    __test__ = False  # a name pytest would otherwise try to collect

    def __init__(
        self, memory: MemoryBackend, log: LogBuffer, props: Callable[[], Mapping[str, str]], seed: int = 0
    ) -> None:
        self.memory = memory
        self.log = log
        self.props = props
        self.runs: dict[str, _Run] = {}
        self._pending: dict[str, tuple[TestAppSettings, list[str]]] = {}
        self._rng = random.Random(seed ^ 0xA5A5)

    # -- hooks the framework calls -------------------------------------------------
    def prepare(self, app: App, extras: Mapping[str, str]) -> None:
        """Before a launch: the settings a new process of ``app`` would start with."""
        if app.native is not None and app.native.is_test_app and app.name not in self.runs:
            self._pending[app.name] = resolve_settings(app.native.conf, self.props(), extras)

    def memory_for(self, app: App) -> tuple[int, float] | None:
        """(anon KiB, compressibility) for a new process of ``app``; None for other apps."""
        pending = self._pending.get(app.name)
        if pending is None:
            return None
        return pending[0].anon_kb, pending[0].ratio

    def launched(self, app: App, pid: int, cold: bool, alloc_stall_s: float, done_t: float) -> None:
        """After ``am start`` brought ``app`` to the front (its first frame is at ``done_t``)."""
        pending = self._pending.pop(app.name, None)
        if app.native is None or not app.native.is_test_app:
            return
        run = self.runs.get(app.name)
        if cold or run is None or run.pid != pid:
            settings, errors = pending if pending is not None else resolve_settings(app.native.conf, {}, {})
            run = self.runs[app.name] = _Run(app, pid, settings)
            for error in errors:
                self._line(run, done_t, f"error pkg={app.name} what=config detail={error}")
            fill_s = alloc_stall_s + settings.anon_mb * FILL_S_PER_MB
            self._line(
                run,
                done_t,
                f"start pkg={app.name} pid={pid} anon_kb={settings.anon_kb} ratio={settings.ratio:.3f} "
                f"fill_ms={fill_s * 1000:.3f} page_kb=4",
            )
        if run.resumed:
            return
        touch = self.memory.touch(pid, run.settings.touch_pct / 100)
        touch_kb = run.settings.anon_kb * run.settings.touch_pct // 100
        touch_s = touch.stall_s + touch_kb / 1024 * TOUCH_S_PER_MB
        self._line(run, done_t, f"resume pkg={app.name} touch_kb={touch_kb} touch_ms={touch_s * 1000:.3f}")
        # total/janky count one resume; seq counts frames since the process started (the app's rule).
        run.resumed, run.total, run.janky, run.batch = True, 0, 0, []
        run.next_frame_t = done_t + touch_s

    def sync(self, top: str, alive: Callable[[str], int | None]) -> None:
        """Render what is due; pause (and stop) apps that left the front; forget dead ones."""
        now = self.memory.now()
        for name, run in list(self.runs.items()):
            if alive(name) != run.pid:
                del self.runs[name]  # killed (lmkd, force-stop): no callback runs, no line
                continue
            if not run.resumed:
                continue
            self._render(run, now)
            if name != top:
                self._flush(run)
                self._line(run, now, f"pause pkg={name} frames={run.total} janky={run.janky}")
                self._line(run, now, f"stop pkg={name}")
                run.resumed = False

    # -- internals -----------------------------------------------------------------------
    def _render(self, run: _Run, now: float) -> None:
        period, deadline_us = run.period_s, run.deadline_us
        work_s = run.settings.frame_work_us / 1e6
        budget = MAX_CATCH_UP_FRAMES
        while run.next_frame_t + period <= now and budget:
            budget -= 1
            stall = self.memory.touch(run.pid, FRAME_TOUCH).stall_s
            # Reclaim threads (kswapd, kcompressd) compete for the same cores.
            jitter = self._rng.lognormvariate(0.0, 0.08)
            dur_s = work_s * jitter * (1.0 + 0.5 * self.memory.cpu_busy()) + stall + 0.0004
            dur_us = max(1, round(dur_s * 1e6))
            run.batch.append(dur_us)
            run.total += 1
            run.janky += dur_us > deadline_us
            end = run.next_frame_t + dur_s
            run.batch_end_t = end
            # Pacing as the app's: the next free slot on the frame clock, missed slots skipped.
            slots = max(1, int(-(-dur_s // period)))
            run.next_frame_t += slots * period
            if len(run.batch) == BATCH:
                self._flush(run)
        if not budget:
            run.next_frame_t = now  # a long silence: the frames of the gap are not invented

    def _flush(self, run: _Run) -> None:
        if not run.batch:
            return
        durations = ",".join(str(d) for d in run.batch)
        message = f"frames pkg={run.app.name} seq={run.seq} deadline_us={run.deadline_us} dur_us={durations}"
        self._line(run, run.batch_end_t, message, tid=run.pid + RENDER_TID_OFFSET)
        run.seq += len(run.batch)
        run.batch = []

    def _line(self, run: _Run, t: float, message: str, tid: int | None = None) -> None:
        self.log.log(t, "main", run.pid, tid or run.pid, "I", TAG, "v1 " + message)


def log_missing_library(log: LogBuffer, app: App, pid: int, t: float) -> None:
    """What a NativeActivity whose library is not in the APK for this ABI leaves in the crash buffer.

    NativeActivity.onCreate throws before any native code runs, so the
    process dies right after its window was requested (AOSP NativeActivity.java).
    """
    lib = app.native.lib_name if app.native is not None else "main"
    lines = (
        "FATAL EXCEPTION: main",
        f"Process: {app.name}, PID: {pid}",
        f"java.lang.RuntimeException: Unable to start activity ComponentInfo{{{app.name}/{app.activity}}}: "
        f"java.lang.IllegalArgumentException: Unable to find native library {lib} using classloader: "
        f"dalvik.system.PathClassLoader[DexPathList[[],nativeLibraryDirectories=[{app.code_path}/lib/arm64]]]",
    )
    for line in lines:
        log.log(t, "crash", pid, pid, "E", "AndroidRuntime", line)
