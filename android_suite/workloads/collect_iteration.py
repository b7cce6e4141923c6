"""Per-iteration collectors: launches, frames, low-memory kills, run context.

Each function is one device command (an argv list with a deadline) plus a
pure parser; none of them sleeps. They are what the runner calls around each
app's dwell; keeping them here keeps the runner about scheduling only.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from android_suite.device.device import Device
from android_suite.errors import ParseError
from android_suite.parsers.am_start import AmStart, parse_am_start
from android_suite.parsers.battery import DumpsysBattery, parse_dumpsys_battery
from android_suite.parsers.framestats import parse_framestats
from android_suite.parsers.lmkd import LmkdKill, parse_lmkd_kills
from android_suite.parsers.zram import parse_comp_algorithm, parse_disksize

# A frame counts as janky past its own deadline (Android 12+ FrameDeadline);
# without that column, past one 60 Hz vsync, as the legacy jank count does.
LEGACY_DEADLINE_NS = 16_666_667


@dataclass(frozen=True)
class Launch:
    package: str
    result: AmStart | None  # None when the output could not be parsed
    error: str = ""


def launch(device: Device, package: str, activity: str | None, *, timeout: float = 60.0) -> Launch:
    """``am start -W``: launch state and latency as the framework reports them."""
    component = f"{package}/{activity}" if activity else package
    argv = (
        ["am", "start", "-W", "-n", component]
        if activity
        else ["monkey", "-p", package, "-c", "android.intent.category.LAUNCHER", "1"]
    )
    r = device.shell(argv, timeout=timeout, check=False)
    if not activity:
        return Launch(package, None, "" if r.exit_code == 0 else r.stdout + r.stderr)
    try:
        return Launch(package, parse_am_start(r.stdout))
    except ParseError as exc:
        return Launch(package, None, f"{exc}; output: {r.stdout[-500:]}")


def reset_frames(device: Device, package: str, *, timeout: float = 30.0) -> None:
    device.shell(["dumpsys", "gfxinfo", package, "reset"], timeout=timeout, check=False)


def frames(device: Device, package: str, *, timeout: float = 30.0) -> tuple[list[float], list[bool]]:
    """Frame durations (ms) and jank flags of the frames rendered since the last reset."""
    r = device.shell(["dumpsys", "gfxinfo", package, "framestats"], timeout=timeout, check=False)
    try:
        timings = parse_framestats(r.stdout)
    except ParseError:
        return [], []
    durations: list[float] = []
    janky: list[bool] = []
    for f in timings:
        if f.flagged or f.duration_ns is None:
            continue  # flagged rows are not real frames (Flags != 0), per hwui
        durations.append(f.duration_ns / 1e6)
        if f.deadline_ns is not None:
            janky.append(f.frame_completed_ns > f.deadline_ns)
        else:
            janky.append(f.duration_ns > LEGACY_DEADLINE_NS)
    return durations, janky


def clear_log(device: Device, *, timeout: float = 30.0) -> None:
    device.shell(["logcat", "-c"], timeout=timeout, check=False)


def kills(device: Device, *, timeout: float = 60.0) -> list[LmkdKill]:
    """lmkd kills logged since :func:`clear_log`."""
    r = device.shell(["logcat", "-d", "-b", "main,system,events", "-v", "threadtime"], timeout=timeout, check=False)
    try:
        return list(parse_lmkd_kills(r.stdout))
    except ParseError:
        return []


_CONTEXT_PROPS = ("ro.build.fingerprint", "ro.product.model", "ro.product.device")


def battery(device: Device, *, timeout: float = 30.0) -> DumpsysBattery | None:
    """``dumpsys battery`` through its parser; None when the output cannot be read."""
    try:
        return parse_dumpsys_battery(device.shell(["dumpsys", "battery"], timeout=timeout, check=False).stdout)
    except ParseError:
        return None


def battery_temp_c(state: DumpsysBattery | None) -> float | None:
    if state is None or state.temperature_tenths_c is None:
        return None
    return state.temperature_tenths_c / 10


def context(device: Device, state: DumpsysBattery | None = None) -> dict[str, Any]:
    """Run context for an iteration: build, battery level, charging, temperature.

    ``state`` is a battery reading just taken (the cool-down wait has one); read anew otherwise.
    """
    ctx: dict[str, Any] = {p: device.getprop(p) for p in _CONTEXT_PROPS}
    state = state if state is not None else battery(device)
    if state is not None:
        ctx.update(
            battery_level=state.level,
            battery_status=state.status,
            battery_ac_powered=state.ac_powered,
            battery_usb_powered=state.usb_powered,
            battery_temp_c=battery_temp_c(state),
        )
    return ctx


def drop_caches(device: Device) -> str:
    """Drop the page cache as root; returns "" on success or why it was not done."""
    if not device.is_root():
        return "not root: page cache not dropped"
    r = device.shell(["sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches"], timeout=60, check=False, root=True)
    return "" if r.exit_code == 0 else f"drop_caches failed: {(r.stderr or r.stdout).strip()}"


def zram_config(device: Device, *, timeout: float = 30.0) -> dict[str, Any]:
    """zram0's algorithm and size, as recorded with each iteration (None where unreadable)."""
    r = device.shell(
        ["sh", "-c", "cat /sys/block/zram0/comp_algorithm; echo @@; cat /sys/block/zram0/disksize"],
        timeout=timeout,
        check=False,
    )
    algo_text, _, size_text = r.stdout.partition("@@\n")
    out: dict[str, Any] = {"comp_algorithm": None, "disksize": None}
    with contextlib.suppress(ParseError):
        out["comp_algorithm"] = parse_comp_algorithm(algo_text).selected if algo_text.strip() else None
    with contextlib.suppress(ParseError):
        out["disksize"] = parse_disksize(size_text) if size_text.strip() else None
    return out
