"""The faults of the matrix: what is injected, when, and what the record must then show.

Moments: ``before`` the run starts; ``at_launch``, when the first app launch
of the first iteration is recorded (the sampler is running, the eater too if
any: mid-iteration); ``at_pressure``, just before the first memory eater is
pushed and started. Signal rows run ``android-suite run`` as a subprocess and
signal it once its first iteration is in the store.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from android_suite.virtual.control import ControlClient


@dataclass
class Ctx:
    """The scenario's handset, as its triggers reach it."""

    control: ControlClient
    name: str
    serial: str
    timers: list[threading.Timer] = field(default_factory=list)

    def faults(self, **fields: Any) -> None:
        self.control.set_faults(self.name, **fields)

    def clear_after(self, seconds: float) -> None:
        """Clear every fault after ``seconds`` (the fault lasts that long)."""
        timer = threading.Timer(seconds, self.control.clear_faults, (self.name,))
        timer.daemon = True
        timer.start()
        self.timers.append(timer)


Trigger = Callable[[Ctx], None]
# A scenario's own evidence check: the run's iterations (a DataFrame), its status
# reason, the handset's error and the subprocess exit code; returns problems.
Check = Callable[["Evidence"], list[str]]


@dataclass(frozen=True)
class Evidence:
    iterations: Any  # pandas DataFrame of the run's iterations (extra columns spread)
    status: str
    status_reason: str
    error: str
    exit_code: int | None
    launches: Any  # DataFrame


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: str
    when: str
    expect: str  # "recovered" | "reported"
    check: Check
    profile: str = "mediatek"
    before: Trigger | None = None
    at_launch: Trigger | None = None
    at_pressure: Trigger | None = None
    eater: bool = False
    flash: bool = False
    signal: int | None = None  # run as a subprocess and send this signal


def _for(seconds: float, **fields: Any) -> Trigger:
    """Arm ``fields`` now and clear them after ``seconds``."""

    def trigger(c: Ctx) -> None:
        c.faults(**fields)
        c.clear_after(seconds)

    return trigger


def _reasons(e: Evidence) -> list[str]:
    return [str(r) for r in e.iterations["reason"] if r]


def _column(e: Evidence, name: str) -> list[Any]:
    return list(e.iterations[name]) if name in e.iterations else []


def _need(ok: bool, problem: str) -> list[str]:
    return [] if ok else [problem]


def _gap_recorded(e: Evidence) -> list[str]:
    gaps = [g for gs in _column(e, "sampler_gaps") if isinstance(gs, list) for g in gs]
    return _need(bool(gaps), "no sampler gap recorded")


def _push_ridden_out(e: Evidence) -> list[str]:
    notes = [n for ns in _column(e, "recovered") if isinstance(ns, list) for n in ns]
    return _need(any("push" in n for n in notes), f"no drop during the push recorded (notes {notes})")


def _flash_retried(e: Evidence) -> list[str]:
    attempts = [int((s.get("flash") or {}).get("attempts") or 0) for s in _column(e, "state") if isinstance(s, dict)]
    return _need(max(attempts, default=0) >= 2, f"no flash retry recorded (attempts {attempts})")


def _rebooted_and_rerun(e: Evidence) -> list[str]:
    rebooted = any(r.startswith("rebooted") for r in _reasons(e))
    reruns = [r for r in _column(e, "rerun_of") if r is not None and r == r]  # NaN != NaN
    return _need(rebooted, f"no iteration marked 'rebooted' ({_reasons(e)})") + _need(bool(reruns), "no rerun")


def _names_command(text: str) -> Check:
    def check(e: Evidence) -> list[str]:
        hits = [r for r in _reasons(e) if "DeviceTimeoutError" in r and "serial " in r and f"command: {text}" in r]
        return _need(bool(hits), f"no timeout naming serial and 'command: {text}' ({_reasons(e)})")

    return check


def _timed_out(e: Evidence) -> list[str]:
    hits = [r for r in _reasons(e) if "DeviceTimeoutError" in r and "serial " in r and "command: " in r]
    return _need(bool(hits), f"no timeout naming serial and command ({_reasons(e)})")


def _garbled(e: Evidence) -> list[str]:
    spoilt = sum(int(s.get("torn_frames", 0)) + int(s.get("junk_lines", 0)) for s in _sampler(e))
    launches = e.launches
    errors = 0
    if len(launches) and "error" in launches:
        errors = int(launches["error"].astype(str).str.len().gt(0).sum())
    return _need(e.status == "complete", f"run {e.status}: {e.status_reason}") + _need(
        spoilt + errors > 0, "no torn sampler frame, junk line or unreadable launch recorded"
    )


def _sampler(e: Evidence) -> list[dict[str, Any]]:
    return [s for s in _column(e, "sampler") if isinstance(s, dict)]


def _no_space(e: Evidence) -> list[str]:
    return _need(any("No space left on device" in r for r in _reasons(e)), f"ENOSPC not reported ({_reasons(e)})")


def _killed(e: Evidence) -> list[str]:
    return _need(e.status == "incomplete" and "is gone" in e.status_reason, f"run {e.status}: {e.status_reason!r}")


def _interrupted(sig: str, code: int) -> Check:
    def check(e: Evidence) -> list[str]:
        return _need(
            e.status == "incomplete" and f"interrupted ({sig})" in e.status_reason,
            f"run {e.status}: {e.status_reason!r}",
        ) + _need(e.exit_code == code, f"exit code {e.exit_code}, expected {code}")

    return check


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "drop-mid-sample", "adb link dropped", "mid-iteration, sampler running", "recovered", _gap_recorded,
        at_launch=lambda c: c.control.drop(c.name, delay_s=0.3),
    ),
    Scenario(
        "drop-mid-push", "adb link dropped after 48 KiB", "during the memory eater push", "recovered",
        _push_ridden_out, eater=True, at_pressure=lambda c: c.faults(drop_after_bytes=48 * 1024),
    ),
    Scenario(
        "drop-mid-flash", "fastboot link reset after 4 KiB of 8", "during the boot image download", "recovered",
        _flash_retried, profile="generic_arm", flash=True,
        before=lambda c: c.faults(fastboot_drop_after_bytes=4096),
    ),
    Scenario(
        "reboot-mid-iteration", "handset rebooted", "mid-iteration", "recovered", _rebooted_and_rerun,
        at_launch=lambda c: c.control.reboot(c.name, delay_s=0.3),
    ),
    Scenario(
        "hang-device", "whole handset hung for 8 s", "mid-iteration", "recovered", _timed_out,
        at_launch=_for(8.0, hang=True),
    ),
    Scenario(
        "hang-command", "'dumpsys gfxinfo' hangs for 6 s", "mid-iteration", "recovered",
        _names_command("dumpsys gfxinfo"),
        at_launch=_for(6.0, hang_command="dumpsys gfxinfo"),
    ),
    Scenario(
        "garbled-output", "shell stdout garbled for 1.5 s", "mid-iteration", "recovered", _garbled,
        at_launch=_for(1.5, garble=True),
    ),
    Scenario(
        "storage-full", "/data full (ENOSPC)", "before the run", "reported", _no_space, eater=True,
        before=lambda c: c.faults(storage_full="/data"),
    ),
    Scenario(
        "sigkill-runner", "android-suite run killed (SIGKILL)", "after its first iteration", "reported", _killed,
        signal=signal.SIGKILL,
    ),
    Scenario(
        "sigint-runner", "Ctrl-C (SIGINT) to android-suite run", "after its first iteration", "reported",
        _interrupted("SIGINT", 130), signal=signal.SIGINT,
    ),
    Scenario(
        "sigterm-runner", "SIGTERM to android-suite run", "after its first iteration", "reported",
        _interrupted("SIGTERM", 143), signal=signal.SIGTERM,
    ),
)  # fmt: skip
