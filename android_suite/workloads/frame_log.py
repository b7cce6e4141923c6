"""The test app's own frame log, collected once per iteration and recorded beside gfxinfo's frames.

The runner clears logcat when an iteration starts, so one ``logcat -d -s
ASuiteApp:I`` at its end holds every line the test-app variants logged in
it. Their frames go to the run's frame table under each package (a
NativeActivity has no hwui frames, so nothing is counted twice) and feed the
same ``janky_frame_share`` / ``frame_time_*`` metrics; what only the app
knows is recorded as per-iteration samples: ``testapp_touch_ms`` (reading
``touch_pct`` of its memory on resume: the swap-in cost a switch pays),
``testapp_fill_ms`` (allocating on a cold start) and the app's own
``testapp_janky_frame_share`` / ``testapp_frame_time_p90_ms``.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean
from typing import TYPE_CHECKING

from android_suite.analysis.frames import MetricSample
from android_suite.parsers.testapp_log import TestAppLog, frame_rows, jank_metrics, parse_testapp_log

if TYPE_CHECKING:
    from android_suite.device.device import Device
    from android_suite.results.writer import RunWriter
    from android_suite.results.writer_sql import IterationKey

LOGCAT_ARGV = ["logcat", "-d", "-v", "threadtime", "-s", "ASuiteApp:I"]


@dataclass(frozen=True)
class FrameLogOutcome:
    frames: int
    packages: tuple[str, ...]
    issues: tuple[str, ...]  # reported by the parser (gaps in seq, unknown versions)


def read(device: Device, timeout: float = 30.0) -> TestAppLog:
    return parse_testapp_log(device.shell(LOGCAT_ARGV, timeout=timeout, check=False).stdout)


def summary_samples(
    log: TestAppLog, *, device: str, variant: str, iteration: int, t: float, boot_id: str | None
) -> list[MetricSample]:
    """The app-only metrics of one iteration as samples (none for what the log lacks)."""
    values: list[tuple[str, float, str]] = []
    if log.resumes:
        values.append(("testapp_touch_ms", fmean(r.touch_ms for r in log.resumes), "ms"))
    if log.starts:
        values.append(("testapp_fill_ms", fmean(s.fill_ms for s in log.starts), "ms"))
    jank = jank_metrics(log.frames())
    if jank is not None:
        values.append(("testapp_janky_frame_share", jank.janky_frame_share, "1"))
        values.append(("testapp_frame_time_p90_ms", jank.frame_time_p90_ms, "ms"))
    return [MetricSample(device, variant, iteration, t, m, v, u, boot_id) for m, v, u in values]


def record(device: Device, writer: RunWriter, key: IterationKey, *, timeout: float = 30.0) -> FrameLogOutcome:
    """Read the iteration's frame log and record frames and app metrics under ``key``.

    Goes HOME first: the app in front logs its last (partial) batch of frames
    and its pause line only when it leaves the front.
    """
    device.shell(["input", "keyevent", "KEYCODE_HOME"], timeout=timeout, check=False)
    log = read(device, timeout)
    frames = 0
    for pkg in log.packages:
        ms, janky = frame_rows(log.frames(pkg))
        if ms:
            writer.add_frames(key, pkg, ms, janky)
            frames += len(ms)
    uptime = device.shell(["cat", "/proc/uptime"], timeout=timeout, check=False).stdout.split()
    t = float(uptime[0]) if uptime else 0.0
    samples = summary_samples(log, device=key.device, variant=key.variant, iteration=key.iteration, t=t, boot_id=None)
    if samples:
        writer.add_samples(samples)
    issues = tuple(f"line {i.line}: {i.reason}" for i in log.issues)
    return FrameLogOutcome(frames, tuple(log.packages), issues)
