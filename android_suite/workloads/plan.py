"""What an A/B run does, and in which order (pure; no device).

Methodology (see anchors.md): warm-up iterations are run and recorded but not
compared; variants are interleaved on a device (ABAB, or randomised pairs
with a seed) so that drift (thermal, battery, fragmentation) falls on both
arms alike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from android_suite.errors import ConfigError

ORDERS = ("interleaved", "random")


@dataclass(frozen=True)
class AppStep:
    """One app of the switch set: launched with ``am start -W`` (or monkey without an activity)."""

    package: str
    activity: str | None = None
    interactions: tuple[Any, ...] = ()  # definition.Interaction records; () = a plain swipe per visit


@dataclass(frozen=True)
class RunPlan:
    """An A/B run on one handset.

    Attributes:
        apps: the app-switch set, launched in order each round.
        variants: the arms; the first is the baseline.
        iterations: measured iterations per variant.
        warmup: unmeasured warm-up iterations per variant, run first.
        rounds: passes over ``apps`` per iteration.
        dwell_s: time each app stays in front (interactions fill it).
        swipes: uiautomator2 swipes per app visit.
        period_s: sampler period.
        order: "interleaved" (AB BA AB ...: counterbalanced pairs) or "random"
            (shuffled AB pairs, seeded).
        seed: for "random" and anything else random in the run.
        reboot_between_variants: reboot the handset whenever the arm changes
            (a clean page cache and heap; slower).
        drop_caches: drop the page cache before each iteration where allowed (root).
        max_temp_c: wait before each iteration until the battery is at or
            below this temperature (thermal throttling skews timings); None = no wait.
        cooldown_timeout_s: give up waiting after this long (the iteration runs
            and records the temperature it started at).
        max_reruns: an iteration spoilt by a transient fault (a reboot, a
            drop not ridden out, a hung command) is recorded invalid and run
            again, at most this many times per scheduled iteration.
        reconnect_s: how long to wait for a handset that dropped off adb or
            stopped answering before leaving it out of the rest of the run.
        command_timeout_s: deadline of each per-iteration device command
            (launch, gfxinfo, logcat...); short runs on virtual handsets lower it.
        installs: APKs to install before the first iteration where missing or
            different (see install.py); those the run installed are removed after it.
        frame_log: read the test app's frame log (tag ASuiteApp) at the end of
            each iteration and record its frames (see frame_log.py).
    """

    apps: tuple[AppStep, ...]
    variants: tuple[str, ...] = ("off", "on")
    iterations: int = 3
    warmup: int = 1
    rounds: int = 1
    dwell_s: float = 1.0
    swipes: int = 2
    period_s: float = 0.2
    order: str = "interleaved"
    seed: int = 0
    reboot_between_variants: bool = False
    drop_caches: bool = True
    max_temp_c: float | None = 40.0
    cooldown_timeout_s: float = 120.0
    max_reruns: int = 2
    reconnect_s: float = 60.0
    command_timeout_s: float = 30.0
    installs: tuple[Any, ...] = ()  # install.ApkToInstall: the workload's own APKs, put on the handset first
    frame_log: bool = False  # the apps include the suite's test app: read its frame log each iteration

    def __post_init__(self) -> None:
        if not self.apps:
            raise ConfigError("run plan: no apps to switch between")
        if len(set(self.variants)) != len(self.variants) or not self.variants:
            raise ConfigError(f"run plan: variants must be distinct and non-empty, got {self.variants}")
        if self.iterations < 1 or self.warmup < 0 or self.rounds < 1 or self.swipes < 0:
            raise ConfigError("run plan: iterations and rounds must be >= 1, warmup and swipes >= 0")
        if self.dwell_s < 0 or not 0.05 <= self.period_s <= 60:
            raise ConfigError("run plan: dwell_s must be >= 0 and period_s within 0.05..60")
        if self.max_reruns < 0 or self.reconnect_s <= 0 or self.command_timeout_s <= 0:
            raise ConfigError("run plan: max_reruns must be >= 0, reconnect_s and command_timeout_s > 0")
        if self.order not in ORDERS:
            raise ConfigError(f"run plan: order must be one of {ORDERS}, got {self.order!r}")


@dataclass(frozen=True)
class Slot:
    """One iteration to run: which arm, its index within the arm, warm-up or not."""

    variant: str
    index: int
    warmup: bool


def schedule(plan: RunPlan) -> list[Slot]:
    """Warm-ups first (one per arm, alternating), then the measured iterations interleaved."""
    slots = [Slot(v, i, True) for i in range(plan.warmup) for v in plan.variants]
    rng = random.Random(plan.seed)
    for i in range(plan.iterations):
        arms = list(plan.variants)
        if plan.order == "random":
            rng.shuffle(arms)
        elif i % 2 == 1:
            arms.reverse()  # ABBA...: no arm always runs first after a switch
        slots.extend(Slot(v, plan.warmup + i, False) for v in arms)
    return slots
