"""A plausible synthetic A/B run, for tests, benchmarks and the demo.

Two handsets, kcompressd off and on, interleaved iterations (one warm-up per
arm, one spoilt by a reboot), each with vmstat-like counters and PSI sampled
over time, app launches, frames, lmkd kills and energy. The treatment arm's
true effects are set by :class:`Effects` (relative changes); per-iteration
and per-sample noise by :class:`Noise`. Everything comes from one seeded
numpy Generator, so a seed gives the same run every time. Frames are built
column-wise (no per-row Python objects): an hour of 100 ms samples is quick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from android_suite.analysis import synthetic_events as events
from android_suite.analysis import synthetic_parts as parts
from android_suite.results.rundata import RunData


@dataclass(frozen=True)
class Effects:
    """True relative change of the treatment arm against the baseline (0.3 = +30%)."""

    pgsteal_anon: float = 0.8
    allocstall: float = -0.35
    pswpout: float = 0.5
    launch: float = -0.06
    frame: float = -0.04
    kills: float = -0.3
    energy: float = 0.0
    psi: float = -0.25

    @classmethod
    def none(cls) -> Effects:
        """No true effect anywhere: what an A/A run looks like."""
        return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Noise:
    """Coefficients of variation between iterations (per-sample noise is added on top)."""

    reclaim: float = 0.08
    allocstall: float = 0.15
    launch: float = 0.15  # lognormal sigma of one launch
    frame: float = 0.35  # lognormal sigma of one frame
    energy: float = 0.03
    psi: float = 0.12
    sample: float = 0.3  # relative noise of one sampling interval's increase


@dataclass(frozen=True)
class SyntheticDevice:
    """One handset's identity and baseline levels (per second unless stated)."""

    serial: str
    model: str
    soc_vendor: str
    soc_model: str
    kernel_version: str
    ram_kb: float
    pgsteal_anon: float = 300_000.0  # the RFC's baseline, pages/s
    allocstall: float = 40.0
    pswpout: float = 120_000.0
    launch_ms: float = 650.0
    frame_ms: float = 9.0
    kills: float = 3.0  # per iteration
    energy_j: float = 180.0  # per iteration
    psi_some: float = 12.0  # avg10, percent


DEFAULT_DEVICES: tuple[SyntheticDevice, ...] = (
    SyntheticDevice("virt-mediatek-0", "MT6895 virtual", "MediaTek", "MT6895", "6.1.75-android14-11", 8_000_000.0),
    SyntheticDevice(
        "virt-generic_arm-0",
        "SM8550 virtual",
        "Qualcomm",
        "SM8550",
        "5.15.137-android14-9",
        12_000_000.0,
        pgsteal_anon=220_000.0,
        allocstall=25.0,
        pswpout=90_000.0,
        launch_ms=520.0,
        frame_ms=7.5,
        kills=2.0,
        energy_j=150.0,
        psi_some=8.0,
    ),
)


@dataclass(frozen=True)
class SyntheticSpec:
    """What to generate. Defaults give the issue's A/B run: 2 devices x on/off x 10 iterations."""

    seed: int = 0
    devices: Sequence[SyntheticDevice] = DEFAULT_DEVICES
    iterations: int = 10  # measured iterations per device and variant
    warmup: int = 1  # extra warm-up iterations per device and variant, first
    invalid: int = 1  # extra iterations per device spoilt by a reboot (baseline arm)
    duration_s: float = 60.0  # sampled time per iteration
    period_s: float = 1.0
    effects: Effects = field(default_factory=Effects)
    noise: Noise = field(default_factory=Noise)
    variants: tuple[str, str] = ("off", "on")  # baseline, treatment
    virtual: bool = True
    comp_algorithm: str = "lz4"
    mechanism: str = "sysctl"


def synthetic_run(spec: SyntheticSpec | None = None, **overrides: object) -> RunData:
    """Build a RunData from ``spec`` (or the defaults), with keyword overrides of its fields.

    Example: ``synthetic_run(seed=3, effects=Effects.none())``.
    """
    base = spec or SyntheticSpec()
    if overrides:
        base = SyntheticSpec(**{**base.__dict__, **overrides})
    rng = np.random.default_rng(base.seed)
    # Warm-up and spoilt iterations get data too: the analysis must drop them, not the generator.
    its = parts.iteration_table(base, rng)
    return RunData(
        run_id=f"synthetic-{base.seed:04d}",
        status="complete",
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T02:00:00+00:00",
        context={
            "workload": "synthetic memory pressure",
            "seed": base.seed,
            "source": "android_suite.analysis.synthetic",
            "comp_algorithm": base.comp_algorithm,
        },
        devices=parts.device_table(base),
        iterations=its.drop(columns=["order"]),
        samples=parts.sample_table(base, its, rng),
        launches=events.launch_table(base, its, rng),
        frames=events.frame_table(base, its, rng),
        kills=events.kill_table(base, its, rng),
        energy=events.energy_table(base, its, rng),
    )
