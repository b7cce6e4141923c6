"""Frames an app renders while it is in the foreground, and hwui's jank accounting.

A frame costs the app's UI-thread and RenderThread work (its category's
base cost, scaled to the core, with a seeded jitter) plus whatever the
:class:`MemoryBackend` says touching the app's pages stalled. Frames are
laid on a 60 Hz vsync grid; a frame whose UI thread overruns pushes the next
one to a later vsync (a missed vsync).

Jank, as Android 12+'s JankTracker counts it:
- ``Janky frames (legacy)``: FrameCompleted - IntendedVsync over one frame interval;
- ``Janky frames``: FrameCompleted after FrameDeadline, which SurfaceFlinger
  sets to IntendedVsync + the app's work duration (20.5 ms at 60 Hz on Pixel,
  ``debug.sf.late.app.duration``), so it is never more than the legacy count.
Frames with non-zero Flags (the first frame of a window) count in the total
only. Percentiles come from the legacy-duration histogram, in its buckets.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import astuple, dataclass, field

from android_suite.virtual.framework.apps import App
from android_suite.virtual.memory_api import MemoryBackend

FRAME_INTERVAL_NS = 16_666_667
APP_DEADLINE_NS = 20_500_000
FRAMESTATS_KEPT = 120  # hwui keeps the last 120 frames for framestats
FLAG_WINDOW_LAYOUT_CHANGED = 0x1
MS = 1_000_000

# JankTracker's frame-time buckets: 5-32 ms by 1, 34-48 by 2, 53-133 by 4, 150-4950 by 50.
FRAME_BUCKETS_MS: tuple[int, ...] = (
    tuple(range(5, 33)) + tuple(range(34, 49, 2)) + tuple(range(53, 134, 4)) + tuple(range(150, 5000, 50))
)
GPU_BUCKETS_MS: tuple[int, ...] = (*range(1, 26), 4950)

# Android 14's framestats columns (libs/hwui/FrameInfo.cpp); the dump ends the header with a comma.
PROFILEDATA_COLUMNS = (
    "Flags", "FrameTimelineVsyncId", "IntendedVsync", "Vsync", "InputEventId", "HandleInputStart",
    "AnimationStart", "PerformTraversalsStart", "DrawStart", "FrameDeadline", "FrameInterval",
    "FrameStartTime", "SyncQueued", "SyncStart", "IssueDrawCommandsStart", "SwapBuffers", "FrameCompleted",
    "DequeueBufferDuration", "QueueBufferDuration", "GpuCompleted", "SwapBuffersCompleted",
    "DisplayPresentTime", "CommandSubmissionCompleted",
)  # fmt: skip


@dataclass(frozen=True)
class FrameRecord:
    """One row of framestats (ns on CLOCK_MONOTONIC), fields in PROFILEDATA_COLUMNS order."""

    flags: int
    vsync_id: int
    intended_vsync: int
    vsync: int
    input_event_id: int
    handle_input_start: int
    animation_start: int
    perform_traversals_start: int
    draw_start: int
    frame_deadline: int
    frame_interval: int
    frame_start_time: int
    sync_queued: int
    sync_start: int
    issue_draw_commands_start: int
    swap_buffers: int
    frame_completed: int
    dequeue_buffer_duration: int
    queue_buffer_duration: int
    gpu_completed: int
    swap_buffers_completed: int
    display_present_time: int
    command_submission_completed: int

    def row(self) -> str:
        return ",".join(str(v) for v in astuple(self)) + ","


@dataclass
class JankStats:
    """Counters since the last reset, as ``dumpsys gfxinfo`` prints them."""

    since_ns: int
    total: int = 0
    janky: int = 0
    janky_legacy: int = 0
    missed_vsync: int = 0
    high_input_latency: int = 0
    slow_ui: int = 0
    slow_bitmap: int = 0
    slow_draw: int = 0
    deadline_missed: int = 0
    deadline_missed_legacy: int = 0
    histogram: list[int] = field(default_factory=lambda: [0] * len(FRAME_BUCKETS_MS))
    gpu_histogram: list[int] = field(default_factory=lambda: [0] * len(GPU_BUCKETS_MS))
    recent: deque[FrameRecord] = field(default_factory=lambda: deque(maxlen=FRAMESTATS_KEPT))

    def percentile(self, pct: int, gpu: bool = False) -> int:
        hist: list[int] = self.gpu_histogram if gpu else self.histogram
        buckets: tuple[int, ...] = GPU_BUCKETS_MS if gpu else FRAME_BUCKETS_MS
        total = sum(hist)
        if not total:
            return 0
        rank = math.ceil(total * pct / 100)
        seen = 0
        for count, ms in zip(hist, buckets, strict=True):
            seen += count
            if seen >= rank:
                return ms
        return buckets[-1]


def _bucket(buckets: tuple[int, ...], ns: int) -> int:
    ms = math.ceil(ns / MS)
    for i, limit in enumerate(buckets):
        if ms <= limit:
            return i
    return len(buckets) - 1


class FrameModel:
    """Per-package jank stats; renders frames on request.

    Args:
        memory: the memory model (each frame touches the app's pages).
        cpu_scale: reference-core -> this handset's core.
        seed: seeds the per-frame jitter.
    """

    def __init__(self, memory: MemoryBackend, cpu_scale: float, seed: int = 0) -> None:
        self.memory = memory
        self.cpu_scale = cpu_scale
        self._rng = random.Random(seed)
        self.stats: dict[str, JankStats] = {}
        self._busy_until: dict[str, int] = {}
        self._vsync_id = 1_000_000
        self._input_id = 400_000_000

    def reset(self, package: str) -> None:
        self.stats[package] = JankStats(since_ns=int(self.memory.now() * 1e9))
        self._busy_until.pop(package, None)

    def forget(self, package: str) -> None:
        """The process died: hwui's stats die with it."""
        self.stats.pop(package, None)
        self._busy_until.pop(package, None)

    def render(
        self, app: App, pid: int, count: int, *, inputs: int = 0, first_flags: int = 0, stall_s: float = 0.0
    ) -> None:
        """Render ``count`` frames now; the first ``inputs`` are driven by touch input.

        ``stall_s`` is extra UI-thread stall for the first frame (a heap growth's allocation stall).
        """
        stats = self.stats.get(app.name)
        if stats is None:
            stats = self.stats[app.name] = JankStats(since_ns=int(self.memory.now() * 1e9))
        now_ns = int(self.memory.now() * 1e9)
        start = max(now_ns, self._busy_until.get(app.name, 0))
        vsync = -(-start // FRAME_INTERVAL_NS) * FRAME_INTERVAL_NS
        for i in range(count):
            extra = stall_s if i == 0 else 0.0
            frame, next_vsync = self._frame(app, pid, vsync, i < inputs, first_flags if i == 0 else 0, extra)
            self._account(stats, frame, next_vsync)
            vsync = next_vsync
        self._busy_until[app.name] = vsync

    def _frame(
        self, app: App, pid: int, vsync: int, is_input: bool, flags: int, extra_s: float
    ) -> tuple[FrameRecord, int]:
        cost, rng = app.cost, self._rng
        touch = self.memory.touch(pid, cost.scroll_touch)
        jitter = rng.lognormvariate(0.0, 0.22) * (2.6 if rng.random() < 0.02 else 1.0)
        work = cost.frame_ui_ms * self.cpu_scale * jitter * MS
        stall = int((touch.stall_s + extra_s) * 1e9)
        ui = int(work * 0.6) + stall
        rt = int(work * 0.4)
        gpu = int(cost.frame_gpu_ms * jitter * MS)
        start = vsync + int(rng.uniform(0.1, 0.6) * MS)
        input_ms = int(rng.uniform(0.3, 1.5) * MS) if is_input else 0
        traversals = start + input_ms + int(0.15 * MS)
        sync_queued = start + input_ms + ui
        sync_start = sync_queued + int(0.05 * MS)
        issue = sync_start + int(rt * 0.3)
        swap = sync_start + rt
        completed = swap + int(0.3 * MS)
        gpu_done = max(issue + gpu, completed)
        present = (-(-gpu_done // FRAME_INTERVAL_NS) + 1) * FRAME_INTERVAL_NS
        self._vsync_id += 1
        input_id = 0
        if is_input:
            self._input_id += 7
            input_id = self._input_id
        frame = FrameRecord(
            flags, self._vsync_id, vsync, vsync, input_id, start, start + input_ms, traversals,
            traversals + int(ui * 0.4), vsync + APP_DEADLINE_NS, FRAME_INTERVAL_NS, start, sync_queued,
            sync_start, issue, swap, completed, int(0.08 * MS), int(0.2 * MS), gpu_done, completed + int(0.1 * MS),
            present, issue + int(0.5 * MS),
        )  # fmt: skip
        # The UI thread is free for the next frame at the first vsync after it queued this one.
        next_vsync = vsync + FRAME_INTERVAL_NS
        while next_vsync < sync_queued:
            next_vsync += FRAME_INTERVAL_NS
        return frame, next_vsync

    def _account(self, stats: JankStats, f: FrameRecord, next_vsync: int) -> None:
        stats.total += 1
        stats.recent.append(f)
        duration = f.frame_completed - f.intended_vsync
        stats.histogram[_bucket(FRAME_BUCKETS_MS, duration)] += 1
        gpu_ns = max(0, f.gpu_completed - f.issue_draw_commands_start)
        stats.gpu_histogram[_bucket(GPU_BUCKETS_MS, gpu_ns)] += 1
        stats.missed_vsync += (next_vsync - f.intended_vsync) // FRAME_INTERVAL_NS - 1
        if f.input_event_id and self._rng.random() < 0.4:
            # The event waited for the next vsync; hwui flags waits over ~8 ms as high input latency.
            stats.high_input_latency += 1
        if f.flags:
            return
        legacy = duration > FRAME_INTERVAL_NS
        if legacy:
            stats.janky_legacy += 1
            ui_late = f.sync_queued - f.intended_vsync > FRAME_INTERVAL_NS // 2
            stats.slow_ui += ui_late
            stats.slow_draw += not ui_late
            stats.deadline_missed_legacy += ui_late
        if f.frame_completed > f.frame_deadline:
            stats.janky += 1
            stats.deadline_missed += 1
