"""``dumpsys gfxinfo PKG [framestats]`` text in Android 14's layout."""

from __future__ import annotations

from android_suite.virtual.framework.frames import (
    FRAME_BUCKETS_MS,
    GPU_BUCKETS_MS,
    PROFILEDATA_COLUMNS,
    JankStats,
)


def _pct(part: int, total: int) -> str:
    # hwui prints %.2f%%; with no frames we print 0.00% (some builds print nan%).
    return f"{(100.0 * part / total) if total else 0.0:.2f}%"


def stats_block(s: JankStats) -> str:
    """The counters block (also printed per window under framestats)."""
    hist = " ".join(f"{ms}ms={n}" for ms, n in zip(FRAME_BUCKETS_MS, s.histogram, strict=True))
    gpu = " ".join(f"{ms}ms={n}" for ms, n in zip(GPU_BUCKETS_MS, s.gpu_histogram, strict=True))
    lines = [
        f"Stats since: {s.since_ns}ns",
        f"Total frames rendered: {s.total}",
        f"Janky frames: {s.janky} ({_pct(s.janky, s.total)})",
        f"Janky frames (legacy): {s.janky_legacy} ({_pct(s.janky_legacy, s.total)})",
        *(f"{p}th percentile: {s.percentile(p)}ms" for p in (50, 90, 95, 99)),
        f"Number Missed Vsync: {s.missed_vsync}",
        f"Number High input latency: {s.high_input_latency}",
        f"Number Slow UI thread: {s.slow_ui}",
        f"Number Slow bitmap uploads: {s.slow_bitmap}",
        f"Number Slow issue draw commands: {s.slow_draw}",
        f"Number Frame deadline missed: {s.deadline_missed}",
        f"Number Frame deadline missed (legacy): {s.deadline_missed_legacy}",
        f"HISTOGRAM: {hist}",
        *(f"{p}th gpu percentile: {s.percentile(p, gpu=True)}ms" for p in (50, 90, 95, 99)),
        f"GPU HISTOGRAM: {gpu}",
    ]
    return "\n".join(lines) + "\n"


def render_gfxinfo(
    *, package: str, pid: int, component: str, uptime_ms: int, stats: JankStats, framestats: bool, views: int
) -> str:
    """The whole dump for one process with one window (``component`` = ``pkg/full.Activity``)."""
    window = f"{component}/android.view.ViewRootImpl@{(pid * 2654435761) & 0xFFFFFFF:x}"
    render_kb = views * 1.07
    out = [
        "Applications Graphics Acceleration Info:",
        f"Uptime: {uptime_ms} Realtime: {uptime_ms}",
        "",
        f"** Graphics info for pid {pid} [{package}] **",
        "",
        stats_block(stats),
        "Pipeline=Skia (Vulkan)",
        "CPU Caches:",
        "  Glyph Cache: 312.45 KB (2 entries)",
        "  Glyph Count: 418",
        "Total CPU memory usage:",
        "  319949 bytes, 312.45 KB (0.00 bytes is purgeable)",
        "",
        "Profile data in ms:",
        "",
        f"\t{window} (visibility=0)",
    ]
    if framestats:
        out += [f"Window: {component}", stats_block(stats).rstrip("\n"), "---PROFILEDATA---"]
        out.append(",".join(PROFILEDATA_COLUMNS) + ",")
        out += [f.row() for f in stats.recent]
        out += ["---PROFILEDATA---", ""]
    out += [
        "View hierarchy:",
        "",
        f"  {window}",
        f"  {views} views, {render_kb:.2f} kB of render nodes",
        "",
        "",
        "Total ViewRootImpl: 1",
        f"Total attached Views: {views}",
        f"Total RenderNode: {render_kb:.2f} kB (used) / {render_kb * 4 / 1024:.2f} MB (capacity)",
        "",
    ]
    return "\n".join(out) + "\n"
