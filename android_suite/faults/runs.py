"""Two ways to run a scenario: the A/B runner in this process, or ``android-suite run`` signalled.

In process, a thin proxy around the RunWriter fires the scenario's
``at_launch`` trigger when the first launch is recorded, and a wrapper around
the eater fires ``at_pressure`` before its first start. Plans are tiny (one
iteration per arm, two apps, short dwell) so the matrix stays quick.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from android_suite.device.device import Device
from android_suite.faults.probe import StoreCounts, counts
from android_suite.faults.scenarios import Ctx, Scenario
from android_suite.results.store import ResultStore
from android_suite.results.writer import RunWriter
from android_suite.session import HandsetSession, Target
from android_suite.virtual.profile import load_profile
from android_suite.workloads.abrun import run_handset
from android_suite.workloads.eater_config import EaterConfig
from android_suite.workloads.plan import AppStep, RunPlan
from android_suite.workloads.runner import IterationOutcome, Pressure

ITERATION_DWELL_S = 1.2  # per app; two apps: an iteration is a few seconds


@dataclass
class Ran:
    url: str
    run_id: str
    seen: StoreCounts  # what the runner reported, or the store just before the signal
    outcomes: list[IterationOutcome] = field(default_factory=list)
    error: str = ""
    exit_code: int | None = None
    log_tail: str = ""
    replayed: list[str] = field(default_factory=list)  # what the restore journal undid afterwards


def plan_for(profile: str) -> Callable[[Device], RunPlan]:
    packages = [p for p in load_profile(profile).packages if p.activity][:2]
    apps = tuple(AppStep(p.name, p.activity) for p in packages)

    def plan(_device: Device) -> RunPlan:
        return RunPlan(
            apps=apps, iterations=1, warmup=0, dwell_s=ITERATION_DWELL_S, swipes=1, period_s=0.2,
            max_temp_c=None, command_timeout_s=3.0, reconnect_s=20.0,
        )  # fmt: skip

    return plan


class _Tap:
    """The RunWriter, with a hook on the first launch recorded."""

    def __init__(self, inner: RunWriter, on_first_launch: Callable[[], None]) -> None:
        self._inner = inner
        self._hook: Callable[[], None] | None = on_first_launch

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def add_launch(self, key: Any, **fields: Any) -> None:
        self._inner.add_launch(key, **fields)
        hook, self._hook = self._hook, None
        if hook is not None:
            hook()


class _Eater:
    """The memory eater as Pressure, with a hook before its first start."""

    fired = False

    def __init__(self, device: Device, before_start: Callable[[], None] | None) -> None:
        from android_suite.workloads.memeater import MemoryEater

        self.eater = MemoryEater(device, EaterConfig(size_mb=64, rate_mbps=128))
        self.before_start = before_start

    def start(self) -> None:
        if self.before_start is not None and not _Eater.fired:
            _Eater.fired = True
            self.before_start()
        self.eater.start()

    def stop(self) -> None:
        self.eater.stop()


def run_inproc(
    session: HandsetSession, target: Target, scenario: Scenario, ctx: Ctx, workdir: Path, manifest: Any
) -> Ran:
    url = str(workdir / f"{scenario.name}.db")
    fire = threading.Lock()
    fired: set[str] = set()

    def once(name: str, trigger: Callable[[Ctx], None] | None) -> Callable[[], None] | None:
        if trigger is None:
            return None

        def go() -> None:
            with fire:
                if name in fired:
                    return
                fired.add(name)
            trigger(ctx)

        return go

    at_pressure = once("pressure", scenario.at_pressure)

    def pressure_for(device: Device) -> Callable[[], Pressure] | None:
        if not scenario.eater:
            return None
        return lambda: _Eater(device, at_pressure) if at_pressure else _Eater(device, None)

    _Eater.fired = False
    lines: list[str] = []
    with ResultStore.open(url) as store, store.writer() as writer:
        run_id = writer.begin_run({"fault": scenario.name})
        tap = _Tap(writer, once("launch", scenario.at_launch) or (lambda: None))
        result = run_handset(
            session, target, cast(RunWriter, tap), plan_for(scenario.profile), pressure_for,
            manifest if scenario.flash else None, lines.append, use_u2=False,
        )  # fmt: skip
        if result.error:
            writer.finish("incomplete", f"{target.name}: {result.error}")
    outs = result.outcomes
    seen = StoreCounts(
        "incomplete" if result.error else "complete", "", len(outs), sum(o.samples for o in outs),
        sum(o.launches for o in outs),
    )  # fmt: skip
    return Ran(url, run_id, seen, outs, result.error or result.skipped, log_tail="\n".join(lines[-20:]))


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("android-suite")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from android_suite.cli import main; sys.exit(main())"]


def run_signalled(target: Target, adb_port: int, scenario: Scenario, workdir: Path, timeout: float = 120.0) -> Ran:
    """``android-suite run`` on the handset; signalled once an iteration is in the store."""
    assert scenario.signal is not None
    out = workdir / scenario.name
    url = str(out / "results.db")
    argv = [
        *_cli(), "run", "--serial", target.serial, "--adb-port", str(adb_port), "--iterations", "2",
        "--warmup", "0", "--rounds", "1", "--dwell", "1", "--period", "0.2", "--no-eater", "--no-flash",
        "--out", str(out), "--db", url,
    ]  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "run.log").open("wb")
    env = {**os.environ, "ANDROID_ADB_SERVER_PORT": str(adb_port)}
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + timeout
    seen: StoreCounts | None = None
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            seen = _ended_iteration(url)
            if seen is not None:
                break
            time.sleep(0.2)  # polling the store for a condition, with a deadline
        if seen is None:
            raise TimeoutError(f"no iteration ended within {timeout:.0f} s (exit {proc.poll()})")
        proc.send_signal(scenario.signal)
        code = proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    tail = (out / "run.log").read_text(errors="replace")[-3000:]
    _, run = counts(url, mark_stale=False)
    return Ran(url, str(run.run_id), seen, exit_code=code, log_tail=tail)


def _ended_iteration(url: str) -> StoreCounts | None:
    if not Path(url).exists():
        return None
    try:
        n, run = counts(url, mark_stale=False)
    except LookupError:
        return None
    except Exception:  # the child may be creating the schema right now: not yet
        return None
    return n if run.iterations["ended_at"].notna().any() else None
