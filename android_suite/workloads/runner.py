"""The A/B runner: one handset, interleaved kcompressd arms, everything recorded as it happens.

For each scheduled iteration (see :mod:`plan`): put the handset into the arm's
state (only when the arm changes), start the sampler and the memory
pressure, switch through the apps (``am start -W``, uiautomator2 swipes for
the dwell, gfxinfo reset/collect around it), then stop pressure and sampler
and record launches, frames, kills, samples and energy. An iteration whose
device rebooted (new boot_id) or whose pressure failed is recorded as invalid
with the reason, never dropped silently. Samples are written while the
iteration runs, so a killed runner loses at most the writer's last batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from android_suite.collect.power import PowerSample, charging_from_status, integrate_energy, normalise_power
from android_suite.collect.sampler import Sampler
from android_suite.collect.sampler_types import DEFAULT_SOURCES, Sample, SamplerConfig
from android_suite.collect.tidy import TidyStats, tidy_samples
from android_suite.device.device import Device
from android_suite.errors import DeviceError
from android_suite.parsers.procstat import parse_ps
from android_suite.results.writer import RunWriter
from android_suite.workloads import collect_iteration as ci
from android_suite.workloads.plan import RunPlan, Slot, schedule

BATTERY = "/sys/class/power_supply/battery"
Progress = Callable[[str], None]


class StateSetter(Protocol):
    """Puts the handset into an arm's state (KcompressdControl fits)."""

    def set_state(self, wanted: Any) -> Any: ...

    def restore(self) -> Any: ...


class Pressure(Protocol):
    """Background memory pressure for the length of an iteration (the memory eater)."""

    def start(self) -> None: ...

    def stop(self) -> None:
        """Stop and clean up; never raises."""
        ...


class Swiper(Protocol):
    def swipe(self, fx: float, fy: float, tx: float, ty: float, duration: float) -> Any: ...


_STROKES = {
    "up": (0.5, 0.75, 0.5, 0.3),
    "down": (0.5, 0.3, 0.5, 0.75),
    "left": (0.8, 0.5, 0.2, 0.5),
    "right": (0.2, 0.5, 0.8, 0.5),
}


@dataclass(frozen=True)
class _Swipe:
    kind: str = "swipe"
    count: int = 1
    duration_ms: int = 300
    direction: str = "up"


@dataclass
class IterationOutcome:
    slot: Slot
    valid: bool
    reason: str = ""
    launches: int = 0
    frames: int = 0
    kills: int = 0
    samples: int = 0
    tidy: TidyStats = field(default_factory=TidyStats)


def reclaim_sources(device: Device) -> dict[str, str]:
    """The default sampler sources plus kswapd/kcompressd CPU and battery readings."""
    sources = dict(DEFAULT_SOURCES)
    for name, pid in parse_ps(device.shell(["ps", "-A"], timeout=30).stdout).reclaim_pids().items():
        sources[name.replace(":", "_")] = f"/proc/{pid}/stat"
    sources["battery_current_now"] = f"{BATTERY}/current_now"
    sources["battery_voltage_now"] = f"{BATTERY}/voltage_now"
    sources["battery_status"] = f"{BATTERY}/status"
    return sources


class AbRunner:
    """Runs a :class:`RunPlan` on one handset into a :class:`RunWriter`.

    Args:
        device: the handset.
        control: sets each arm's state; restored by the caller (or use :meth:`run`'s finally).
        writer: the run's writer (begin_run already called, device added).
        plan: what to run.
        pressure: makes a fresh Pressure per iteration (None: no memory eater).
        swiper: uiautomator2 device (or anything with ``swipe``) for interactions.
        progress: one line per step, for long runs.
        before_iteration: called at the start of every iteration, once the arm's state is set.
    """

    def __init__(
        self,
        device: Device,
        control: StateSetter,
        writer: RunWriter,
        plan: RunPlan,
        *,
        pressure: Callable[[], Pressure] | None = None,
        swiper: Swiper | None = None,
        progress: Progress = print,
        before_iteration: Callable[[Device], None] | None = None,
    ) -> None:
        self.device = device
        self.control = control
        self.writer = writer
        self.plan = plan
        self.pressure = pressure
        self.swiper = swiper
        self.progress = progress
        self.before_iteration = before_iteration
        self.outcomes: list[IterationOutcome] = []
        self._state: Mapping[str, Any] = {}
        self._arm: str | None = None

    def run(self) -> list[IterationOutcome]:
        """Every scheduled iteration; the handset's state is restored whatever happens."""
        slots = schedule(self.plan)
        started = time.monotonic()
        try:
            for n, slot in enumerate(slots, 1):
                kind = "warm-up" if slot.warmup else "iteration"
                done = n - 1
                eta = ""
                if done:
                    left = (time.monotonic() - started) / done * (len(slots) - done)
                    eta = f", ETA {int(left // 60)}m{int(left % 60):02d}s"
                self.progress(
                    f"[{self.device.serial}] {n}/{len(slots)}: kcompressd {slot.variant}, {kind} {slot.index}{eta}"
                )
                self.outcomes.append(self._iteration(slot))
        finally:
            self.control.restore()
        return self.outcomes

    def _prepare(self) -> tuple[dict[str, Any], Any]:
        """Before each iteration: caches dropped where allowed, battery cooled.

        Returns what happened (for the record) and the last battery reading, so
        the iteration's context does not ask ``dumpsys battery`` again.
        """
        notes: dict[str, Any] = {}
        if self.plan.drop_caches:
            notes["drop_caches"] = ci.drop_caches(self.device) or "done"
        if self.plan.max_temp_c is None:
            return notes, None
        deadline = time.monotonic() + self.plan.cooldown_timeout_s
        state = ci.battery(self.device)
        temp = ci.battery_temp_c(state)
        while temp is not None and temp > self.plan.max_temp_c and time.monotonic() < deadline:
            self.progress(f"[{self.device.serial}] cooling down: battery {temp:.1f} C > {self.plan.max_temp_c} C")
            threading.Event().wait(min(5.0, max(0.0, deadline - time.monotonic())))  # poll, bounded
            state = ci.battery(self.device)
            temp = ci.battery_temp_c(state)
        notes["start_temp_c"] = temp
        if temp is not None and temp > self.plan.max_temp_c:
            notes["cooldown"] = f"still {temp:.1f} C after {self.plan.cooldown_timeout_s:.0f} s"
        return notes, state

    def _ensure(self, variant: str) -> Mapping[str, Any]:
        if variant != self._arm:
            if self.plan.reboot_between_variants and self._arm is not None:
                self.progress(f"[{self.device.serial}] rebooting between variants")
                self.device.reboot(timeout=300)
            record = self.control.set_state(variant)
            self._state = record.to_dict() if hasattr(record, "to_dict") else dict(record)
            self._arm = variant
        return self._state

    def _iteration(self, slot: Slot) -> IterationOutcome:
        state = self._ensure(slot.variant)
        if self.before_iteration is not None:
            # After the arm's state is set: a flash reboots, which resets what the hook sets up.
            self.before_iteration(self.device)
        prepared, battery = self._prepare()
        zram = ci.zram_config(self.device)
        boot_before = self.device.boot_id()
        sources = reclaim_sources(self.device)
        key = self.writer.begin_iteration(
            self.device.serial,
            slot.variant,
            slot.index,
            warmup=slot.warmup,
            mechanism=str(state.get("mechanism") or "none"),
            state=state,
            context=ci.context(self.device, battery),
            prepared=prepared,
            comp_algorithm=zram["comp_algorithm"],
            zram=zram,
        )
        out = IterationOutcome(slot, valid=True)
        ci.clear_log(self.device)
        sampler = Sampler(self.device, SamplerConfig(sources=sources, period_s=self.plan.period_s))
        power: list[PowerSample] = []
        pressure = self.pressure() if self.pressure else None
        try:
            sampler.start()
            if pressure is not None:
                pressure.start()
            for _ in range(self.plan.rounds):
                for app in self.plan.apps:
                    self._visit(key, app.package, app.activity, out, app.interactions)
                    self._drain(sampler, sources, slot, boot_before, key, out, power)
        except DeviceError as exc:
            out.valid, out.reason = False, f"{type(exc).__name__}: {exc.message}"
        finally:
            if pressure is not None:
                pressure.stop()
            sampler.stop()
            self._drain(sampler, sources, slot, boot_before, key, out, power)
        self._finish(key, out, boot_before, power)
        return out

    def _visit(
        self, key: Any, package: str, activity: str | None, out: IterationOutcome, interactions: tuple[Any, ...] = ()
    ) -> None:
        launched = ci.launch(self.device, package, activity)
        res = launched.result
        self.writer.add_launch(
            key,
            package=package,
            launch_state=res.launch_state if res else None,
            total_time_ms=res.total_time_ms if res else None,
            wait_time_ms=res.wait_time_ms if res else None,
            status=res.status if res else "error",
            error=launched.error,
        )
        out.launches += 1
        ci.reset_frames(self.device, package)
        self._dwell(interactions)
        durations, janky = ci.frames(self.device, package)
        if durations:
            self.writer.add_frames(key, package, durations, janky)
            out.frames += len(durations)

    def _dwell(self, interactions: tuple[Any, ...]) -> None:
        """Keep the app in front for dwell_s, doing its interactions (the workload's own duration)."""
        deadline = time.monotonic() + self.plan.dwell_s
        gestures = interactions or tuple(_Swipe() for _ in range(self.plan.swipes))
        for gesture in gestures:
            for _ in range(getattr(gesture, "count", 1)):
                if time.monotonic() >= deadline:
                    break
                self._gesture(gesture)
        # Dwell is part of the workload, not a synchronisation: wait out what is left of it.
        threading.Event().wait(max(0.0, deadline - time.monotonic()))

    def _gesture(self, g: Any) -> None:
        kind = getattr(g, "kind", "swipe")
        seconds = getattr(g, "duration_ms", 300) / 1000
        if kind == "tap_text":
            if self.swiper is not None and getattr(g, "text", None):
                self.swiper(text=g.text).click_exists(timeout=1.0)  # type: ignore[operator]
            return
        # Screen fractions: the finger moves in `direction` ("up" reveals what is below).
        fx, fy, tx, ty = _STROKES.get(getattr(g, "direction", None) or "up", _STROKES["up"])
        if self.swiper is not None:
            self.swiper.swipe(fx, fy, tx, ty, seconds)
        else:
            w, h = 1080, 2400
            argv = [
                "input",
                "swipe",
                *(str(int(v)) for v in (fx * w, fy * h, tx * w, ty * h)),
                str(int(seconds * 1000)),
            ]
            self.device.shell(argv, timeout=30, check=False)

    def _drain(
        self,
        sampler: Sampler,
        sources: Mapping[str, str],
        slot: Slot,
        boot_id: str,
        key: Any,
        out: IterationOutcome,
        power: list[PowerSample],
    ) -> None:
        ticks: list[Sample] = sampler.drain()
        for s in ticks:
            cur, volt = s.sources.get("battery_current_now"), s.sources.get("battery_voltage_now")
            if s.device_t is not None and cur and volt:
                # The charging state tells the sign convention apart, and flags samples on USB power.
                charging = charging_from_status(s.sources.get("battery_status"))
                power.append(PowerSample(s.device_t, float(cur), float(volt), charging))
        rows = tidy_samples(
            ticks,
            sources,
            device=self.device.serial,
            variant=slot.variant,
            iteration=slot.index,
            boot_id=boot_id,
            stats=out.tidy,
        )
        if rows:
            out.samples += self.writer.add_samples(rows)

    def _finish(self, key: Any, out: IterationOutcome, boot_before: str, power: list[PowerSample]) -> None:
        try:
            if self.device.boot_id() != boot_before:
                out.valid, out.reason = False, "the handset rebooted during the iteration (new boot_id)"
            for k in ci.kills(self.device):
                self.writer.add_kill(
                    key,
                    t=None,
                    process=k.process,
                    oom_score_adj=k.oom_score_adj,
                    rss_kb=k.rss_kb,
                    swap_kb=k.swap_kb,
                    reason=k.reason,
                )
                out.kills += 1
        except DeviceError as exc:
            out.valid, out.reason = False, out.reason or f"{type(exc).__name__}: {exc.message}"
        if len(power) >= 2:
            series = normalise_power(power, model=self.device.getprop("ro.product.model"))
            energy = integrate_energy(series.readings, max_gap_s=max(2.0, 5 * self.plan.period_s))
            self.writer.add_energy(
                key,
                joules=energy.joules,
                mah=energy.mah,
                charging_s=energy.charging_s,
                convention=series.convention.reason,
            )
        self.writer.end_iteration(key, valid=out.valid, reason=out.reason)
