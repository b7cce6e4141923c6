"""The main job: an A/B kcompressd run on every selected handset, recorded, then reported.

One thread per handset (each with its own uiautomator2 session and sampler),
one results store for the run. A handset that cannot reach an arm (no knob,
no flashable image, no stand-in) is recorded with the reason and left out;
the run goes on with the others. Every handset's state is restored whatever
happens, and results already written stay written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from android_suite.device.adb import AdbTransport
from android_suite.device.device import Device
from android_suite.errors import SuiteError
from android_suite.results.store import ResultStore
from android_suite.results.writer import RunWriter
from android_suite.session import HandsetSession, Target
from android_suite.workloads.plan import RunPlan
from android_suite.workloads.recovery import StopRequest
from android_suite.workloads.runner import AbRunner, IterationOutcome, Pressure

Progress = Callable[[str], None]
PlanFor = Callable[[Device], RunPlan]
PressureFor = Callable[[Device], Callable[[], Pressure] | None]


@dataclass
class HandsetResult:
    serial: str
    name: str
    outcomes: list[IterationOutcome] = field(default_factory=list)
    skipped: str = ""  # why this handset took no part
    error: str = ""


def _control(device: Device, target: Target, manifest: Any) -> Any:
    from android_suite.kernel.control import KcompressdControl

    fastboot = None
    flashable = False
    if manifest is not None and target.virtual is not None:
        from android_suite.device.fastboot import FastbootClient

        fastboot = FastbootClient(f"tcp:127.0.0.1:{target.virtual.fastboot_port}")
        flashable = True  # virtual handsets are unlocked and ours to flash
    return KcompressdControl(device, target=target, fastboot=fastboot, manifest=manifest, flashable=flashable)


def _swiper(serial: str) -> Any:
    """One uiautomator2 session per handset, reused for the whole run (u2 honours ANDROID_ADB_SERVER_PORT)."""
    import uiautomator2 as u2

    return u2.connect(serial)


def _unplug(device: Device) -> None:
    device.shell(["dumpsys", "battery", "unplug"], timeout=30)


def run_handset(
    session: HandsetSession,
    target: Target,
    writer: RunWriter,
    plan_for: PlanFor,
    pressure_for: PressureFor,
    manifest: Any,
    progress: Progress,
    use_u2: bool = True,
    stop: threading.Event | None = None,
) -> HandsetResult:
    from android_suite.kernel.state import StateUnavailable

    result = HandsetResult(target.serial, target.name)
    device = Device(AdbTransport(target.serial, host=session.adb_host, port=session.adb_port))
    try:
        from android_suite.workloads.journal import replay

        for line in replay(device):  # a killed run's leftovers on this handset
            progress(f"[{target.serial}] undone after a killed run: {line}")
        info = device.info()
        writer.add_device(info)
        plan = plan_for(device)
        # A USB cable makes battery counters meaningless, so samples while charging are
        # flagged and left out of energy. The virtual handsets model a charger that
        # `dumpsys battery unplug` really stops; on a phone it only fakes the plug
        # state, so it is never sent to one (use a switchable hub there). It is sent
        # before every iteration because a flash reboots the handset and plugs it back.
        unplug = target.kind.startswith("virtual")
        runner = AbRunner(
            device,
            _control(device, target, manifest),
            writer,
            plan,
            pressure=pressure_for(device),
            swiper=_swiper(target.serial) if use_u2 else None,
            progress=progress,
            before_iteration=_unplug if unplug else None,
            stop=stop,
        )
        try:
            runner.run()
        finally:
            result.outcomes = runner.outcomes  # what ran is kept even when the run ended early
            if unplug:
                device.shell(["dumpsys", "battery", "reset"], timeout=30, check=False)
    except StateUnavailable as exc:
        result.skipped = exc.reason
        progress(f"[{target.serial}] left out: {exc.reason}")
    except (SuiteError, OSError) as exc:
        result.error = str(exc)
        progress(f"[{target.serial}] failed: {exc}")
    return result


def run_ab(
    session: HandsetSession,
    store_url: str,
    *,
    plan_for: PlanFor,
    pressure_for: PressureFor,
    manifest: Any = None,
    context: dict[str, Any] | None = None,
    progress: Progress = print,
    use_u2: bool = True,
    stop: StopRequest | None = None,
) -> tuple[str, list[HandsetResult]]:
    """Run on every target of the (started) session in parallel; returns (run_id, per-handset results).

    ``stop`` (set by the CLI's SIGINT/SIGTERM handler) ends every handset's run
    at its next step; each restores its handset on its own thread, and the run
    is recorded "incomplete" with the reason. So is a run where a handset failed.
    """
    results: list[HandsetResult] = []
    stop = stop if stop is not None else StopRequest()
    with ResultStore.open(store_url) as store, store.writer() as writer:
        run_id = writer.begin_run({**(context or {}), "handsets": [t.name for t in session.targets]})
        progress(f"run {run_id}: {len(session.targets)} handset(s), results in {store_url}")
        lock = threading.Lock()

        def one(t: Target) -> None:
            r = run_handset(session, t, writer, plan_for, pressure_for, manifest, progress, use_u2, stop)
            with lock:
                results.append(r)

        threads = [threading.Thread(target=one, args=(t,), name=f"ab-{t.name}", daemon=True) for t in session.targets]
        start = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        progress(f"run {run_id}: done in {time.monotonic() - start:.0f} s")
        failed = [f"{r.name}: {r.error}" for r in results if r.error]
        if stop.is_set():
            writer.finish("incomplete", f"interrupted ({stop.reason or 'stop requested'}); " + "; ".join(failed))
        elif failed and any(r.outcomes for r in results):
            writer.finish("incomplete", "a handset failed: " + "; ".join(failed))
        elif not any(r.outcomes for r in results):
            writer.finish(
                "incomplete",
                "no handset completed an iteration: " + "; ".join(f"{r.name}: {r.skipped or r.error}" for r in results),
            )
    return run_id, results


def summary_lines(results: Sequence[HandsetResult]) -> list[str]:
    lines = []
    for r in results:
        valid = sum(o.valid for o in r.outcomes if not o.slot.warmup)
        invalid = [o for o in r.outcomes if not o.valid]
        if r.skipped:
            state = f"left out: {r.skipped}"
        elif r.error:
            state = f"failed: {r.error}"
        else:
            state = f"{valid} valid iterations, {len(invalid)} invalid"
        lines.append(f"{r.name} ({r.serial}): {state}")
        lines += [f"  invalid: {o.slot.variant} #{o.slot.index}: {o.reason}" for o in invalid]
    return lines


def default_out(out: str | Path) -> Path:
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    return path
