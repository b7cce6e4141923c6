"""Turn a workload file and run options into what the A/B runner needs, per handset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from android_suite.device.device import Device
from android_suite.workloads.definition import Workload, load_workload
from android_suite.workloads.plan import AppStep, RunPlan
from android_suite.workloads.resolve import resolve_on_device
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
    """

    iterations: int = 3
    warmup: int = 1
    rounds: int | None = None
    dwell_s: float | None = None
    period_s: float = 0.2
    eater: bool = True
    order: str = "interleaved"
    eater_rate_mbps: float | None = None


class Job:
    """One workload, resolved per handset."""

    def __init__(self, workload: Workload | Path | str = DEFAULT_WORKLOAD, options: JobOptions | None = None) -> None:
        self.workload = workload if isinstance(workload, Workload) else load_workload(workload)
        self.options = options or JobOptions()
        self.dropped: dict[str, list[str]] = {}  # serial -> apps left out, with reasons

    def plan_for(self, device: Device) -> RunPlan:
        """The plan for ``device``: apps resolved against what it has installed."""
        resolution = resolve_on_device(device, self.workload).require(self.workload)
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
