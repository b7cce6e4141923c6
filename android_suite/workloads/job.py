"""Turn a workload file and run options into what the A/B runner needs, per handset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from android_suite.device.device import Device
from android_suite.workloads.definition import Workload, load_workload
from android_suite.workloads.plan import AppStep, RunPlan
from android_suite.workloads.resolve import installed_packages, resolve_apps
from android_suite.workloads.runner import Pressure

DEFAULT_WORKLOAD = Path(__file__).resolve().parents[2] / "apk_workloads" / "app_switch.toml"


@dataclass(frozen=True)
class JobOptions:
    """Overrides of the workload file for one run (None = the file's value).

    Attributes:
        iterations / warmup: per variant.
        rounds: passes over the apps per iteration.
        dwell_s: seconds per app visit.
        period_s: sampler period.
        eater: False runs without the workload's memory eater.
        eater_rate_mbps: override the eater's allocation rate (short runs need a
            faster eater to reach reclaim within an iteration).
        max_reruns, reconnect_s, command_timeout_s: recovery (see RunPlan).
    """

    iterations: int = 3
    warmup: int = 1
    rounds: int | None = None
    dwell_s: float | None = None
    period_s: float = 0.2
    eater: bool = True
    order: str = "interleaved"
    eater_rate_mbps: float | None = None
    max_reruns: int = 2
    reconnect_s: float = 60.0
    command_timeout_s: float = 30.0


class Job:
    """One workload, resolved per handset."""

    def __init__(self, workload: Workload | Path | str = DEFAULT_WORKLOAD, options: JobOptions | None = None) -> None:
        self.workload = workload if isinstance(workload, Workload) else load_workload(workload)
        self.options = options or JobOptions()
        self.dropped: dict[str, list[str]] = {}  # serial -> apps left out, with reasons
        # Builds the workload's test-app set (testapps.build_apks); tests may put a stand-in here.
        self.apk_builder: Any = None
        self._testapp_apks: tuple[Any, ...] | None = None

    def testapp_apks(self) -> tuple[Any, ...]:
        """The workload's test-app APKs, built once per job (empty when it has none)."""
        spec = self.workload.testapps
        if spec is None:
            return ()
        if self._testapp_apks is None:
            from android_suite.workloads.testapps import build_apks

            self._testapp_apks = tuple((self.apk_builder or build_apks)(spec))
        return self._testapp_apks

    def plan_for(self, device: Device) -> RunPlan:
        """The plan for ``device``: apps resolved against what it has installed."""
        installs = self.testapp_apks()
        ours = frozenset(a.package for a in installs)  # installed by the runner before it starts
        resolution = resolve_apps(self.workload, installed_packages(device) | ours).require(self.workload)
        self.dropped[device.serial] = [f"{d.spec.package}: {d.reason}" for d in resolution.dropped]
        apps = tuple(AppStep(a.package, a.activity, tuple(a.spec.interactions)) for a in resolution.apps)
        o = self.options
        return RunPlan(
            apps=apps,
            iterations=o.iterations,
            warmup=o.warmup,
            rounds=o.rounds if o.rounds is not None else self.workload.rounds,
            dwell_s=o.dwell_s if o.dwell_s is not None else self.workload.dwell_s,
            period_s=o.period_s,
            order=o.order,
            seed=self.workload.seed,
            max_reruns=o.max_reruns,
            reconnect_s=o.reconnect_s,
            command_timeout_s=o.command_timeout_s,
            installs=installs,
            frame_log=bool(ours),
        )

    def pressure_for(self, device: Device) -> Callable[[], Pressure] | None:
        """A fresh memory eater per iteration, as the workload configures it."""
        config = self.workload.memory_eater
        if config is None or not self.options.eater:
            return None
        from android_suite.workloads.memeater import MemoryEater

        cfg = replace(config, duration_s=0) if getattr(config, "duration_s", 0) else config
        if self.options.eater_rate_mbps is not None:
            cfg = replace(cfg, rate_mbps=self.options.eater_rate_mbps)

        def make() -> Pressure:
            return _EaterPressure(MemoryEater(device, cfg))

        return make

    def context(self) -> dict[str, Any]:
        return {
            "workload": self.workload.name,
            "workload_file": str(self.workload.source),
            "seed": self.workload.seed,
            "options": self.options.__dict__,
        }


class _EaterPressure:
    """The Pressure protocol over MemoryEater (start, a stop that never raises)."""

    def __init__(self, eater: Any) -> None:
        self.eater = eater
        self.result: Any = None

    def start(self) -> None:
        self.eater.start()

    def stop(self) -> None:
        self.result = self.eater.stop()
