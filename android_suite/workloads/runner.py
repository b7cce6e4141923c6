"""The A/B runner: one handset, interleaved kcompressd arms, everything recorded as it happens.

For each scheduled iteration (see :mod:`plan`): put the handset into the arm's
state (only when the arm changes), start the sampler and the memory
pressure, switch through the apps (``am start -W``, uiautomator2 swipes for
the dwell, gfxinfo reset/collect around it), then stop pressure and sampler
and record launches, frames, kills, samples and energy. An iteration whose
device rebooted (new boot_id) or whose pressure failed is recorded as invalid
with the reason, never dropped silently. Samples are written while the
iteration runs, so a killed runner loses at most the writer's last batch.

Faults (see :mod:`recovery`): a drop is waited out and the step run again
(the sampler records the gap, kept with the iteration); a reboot makes the
iteration invalid ("rebooted") and it is run again, like any iteration spoilt
by a transient fault, at most ``plan.max_reruns`` times (reruns take the next
free index and record ``rerun_of``); a handset that does not come back ends
its run; ``stop`` (set on SIGINT/SIGTERM) ends it at the next step. The
handset's state is restored on every way out of :meth:`AbRunner.run`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from android_suite.collect.power import PowerSample
from android_suite.collect.sampler import Sampler
from android_suite.collect.sampler_types import SamplerConfig
from android_suite.device.device import Device
from android_suite.errors import DeviceError, TransientDeviceError
from android_suite.results.writer import RunWriter
from android_suite.workloads import collect_iteration as ci
from android_suite.workloads import install as apk_install
from android_suite.workloads import iteration_end as end
from android_suite.workloads import journal
from android_suite.workloads.gestures import Swiper, dwell
from android_suite.workloads.iteration_end import IterationOutcome, reclaim_sources
from android_suite.workloads.plan import RunPlan, Slot, schedule
from android_suite.workloads.recovery import HandsetGone, HandsetRebooted, Recovery, RunInterrupted, describe

Progress = Callable[[str], None]

__all__ = ["AbRunner", "IterationOutcome", "Pressure", "StateSetter", "Swiper", "reclaim_sources"]


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


class AbRunner:
    """Runs a :class:`RunPlan` on one handset into a :class:`RunWriter`.

    Args:
        device: the handset.
        control: sets each arm's state; restored by :meth:`run` on every way out.
        writer: the run's writer (begin_run already called, device added).
        plan: what to run.
        pressure: makes a fresh Pressure per iteration (None: no memory eater).
        swiper: uiautomator2 device (or anything with ``swipe``) for interactions.
        progress: one line per step, for long runs.
        before_iteration: called at the start of every iteration, once the arm's state is set.
        stop: set it to stop the run at the next step (Ctrl-C, SIGTERM); the
            run then raises RunInterrupted after restoring the handset.
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
        stop: threading.Event | None = None,
    ) -> None:
        self.device = device
        self.control = control
        self.writer = writer
        self.plan = plan
        self.pressure = pressure
        self.swiper = swiper
        self.progress = progress
        self.before_iteration = before_iteration
        self.stop = stop or threading.Event()
        self.outcomes: list[IterationOutcome] = []
        self._state: Mapping[str, Any] = {}
        self._arm: str | None = None
        self._t = plan.command_timeout_s
        self._setups = 0  # set-ups in a row that failed on a transient fault

    def run(self) -> list[IterationOutcome]:
        """Every scheduled iteration (plus reruns); the handset's state is restored whatever happens."""
        queue: deque[tuple[Slot, int | None]] = deque((s, None) for s in schedule(self.plan))
        total = len(queue)
        next_index = dict.fromkeys(self.plan.variants, self.plan.warmup + self.plan.iterations)
        reruns: dict[tuple[str, int], int] = {}
        started = time.monotonic()
        # The workload's own APKs (the test-app set) go on first; only those the run added come off.
        installed = apk_install.ensure_installed(self.device, self.plan.installs, self.progress)
        try:
            while queue:
                self._check()
                slot, rerun_of = queue.popleft()
                self._announce(slot, rerun_of, len(self.outcomes), total, started)
                out = self._attempt(slot, rerun_of)
                if out is None:  # failed before it was recorded; the handset is back
                    queue.appendleft((slot, rerun_of))
                    continue
                self._setups = 0
                self.outcomes.append(out)
                origin = (slot.variant, out.rerun_of if out.rerun_of is not None else slot.index)
                if out.retry and reruns.get(origin, 0) < self.plan.max_reruns:
                    reruns[origin] = reruns.get(origin, 0) + 1
                    again = Slot(slot.variant, next_index[slot.variant], slot.warmup)
                    next_index[slot.variant] += 1
                    queue.appendleft((again, origin[1]))
                    total += 1
                    self.progress(f"[{self.device.serial}] {out.reason}: running it again as #{again.index}")
        finally:
            failures = self.control.restore()
            if not failures:
                journal.clear(self.device.serial)
            apk_install.uninstall_ours(self.device, installed)
        return self.outcomes

    def _check(self) -> None:
        if self.stop.is_set():
            raise RunInterrupted(f"[{self.device.serial}] the run was interrupted")

    def _announce(self, slot: Slot, rerun_of: int | None, done: int, total: int, started: float) -> None:
        kind = "warm-up" if slot.warmup else "iteration"
        eta = ""
        if done:
            left = (time.monotonic() - started) / done * (total - done)
            eta = f", ETA {int(left // 60)}m{int(left % 60):02d}s"
        again = f" (rerun of #{rerun_of})" if rerun_of is not None else ""
        self.progress(
            f"[{self.device.serial}] {done + 1}/{total}: kcompressd {slot.variant}, {kind} {slot.index}{again}{eta}"
        )

    def _attempt(self, slot: Slot, rerun_of: int | None) -> IterationOutcome | None:
        """One iteration; None when the set-up before it failed on a drop or reboot and the handset is back."""
        try:
            return self._iteration(slot, rerun_of)
        except _SetupFailed as failed:
            exc = failed.cause
            if isinstance(exc, HandsetGone) or not isinstance(exc, TransientDeviceError):
                raise exc from None
            self._setups += 1
            if self._setups > self.plan.max_reruns + 1:
                raise exc from None
            self.progress(f"[{self.device.serial}] before iteration {slot.index}: {describe(exc)}; waiting for it")
            with contextlib.suppress(HandsetRebooted):  # expected: "" is no boot_id
                Recovery(self.device, "", reconnect_s=self.plan.reconnect_s, stop=self.stop).wait_back(exc)
            self._arm = None  # whatever state was set may be gone: set it again
            return None

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
        state = ci.battery(self.device, timeout=self._t)
        temp = ci.battery_temp_c(state)
        while temp is not None and temp > self.plan.max_temp_c and time.monotonic() < deadline:
            self.progress(f"[{self.device.serial}] cooling down: battery {temp:.1f} C > {self.plan.max_temp_c} C")
            self.stop.wait(min(5.0, max(0.0, deadline - time.monotonic())))  # poll, bounded
            self._check()
            state = ci.battery(self.device, timeout=self._t)
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
            knob, before = self._state.get("knob_path"), self._state.get("knob_before")
            if knob and before is not None:
                journal.note_knob(self.device.serial, str(knob), str(before))  # for a SIGKILL
        return self._state

    def _iteration(self, slot: Slot, rerun_of: int | None = None) -> IterationOutcome:
        try:
            state = self._ensure(slot.variant)
            if self.before_iteration is not None:
                # After the arm's state is set: a flash reboots, which resets what the hook sets up.
                self.before_iteration(self.device)
            prepared, battery = self._prepare()
            zram = ci.zram_config(self.device, timeout=self._t)
            boot_before = self.device.boot_id()
            sources = reclaim_sources(self.device, self._t)
            context = ci.context(self.device, battery)
        except DeviceError as exc:
            raise _SetupFailed(exc) from exc
        extra: dict[str, Any] = {"rerun_of": rerun_of} if rerun_of is not None else {}
        key = self.writer.begin_iteration(
            self.device.serial,
            slot.variant,
            slot.index,
            warmup=slot.warmup,
            mechanism=str(state.get("mechanism") or "none"),
            state=state,
            context=context,
            prepared=prepared,
            comp_algorithm=zram["comp_algorithm"],
            zram=zram,
            **extra,
        )
        out = IterationOutcome(slot, valid=True, rerun_of=rerun_of)
        guard = Recovery(self.device, boot_before, reconnect_s=self.plan.reconnect_s, stop=self.stop)
        config = SamplerConfig(sources=sources, period_s=self.plan.period_s, reconnect_deadline_s=self.plan.reconnect_s)
        sampler = Sampler(self.device, config)
        power: list[PowerSample] = []
        pressure = self.pressure() if self.pressure else None
        ending: BaseException | None = None  # re-raised once the iteration is recorded
        try:
            guard.call(lambda: ci.clear_log(self.device, timeout=self._t))
            guard.call(sampler.start)
            if pressure is not None:
                guard.call(pressure.start)
            for _ in range(self.plan.rounds):
                for app in self.plan.apps:
                    self._visit(guard, key, app.package, app.activity, out, app.interactions)
                    self._drain(sampler, sources, slot, boot_before, key, out, power)
        except RunInterrupted as exc:
            out.valid, out.reason, ending = False, "interrupted (the run was stopped)", exc
        except HandsetGone as exc:
            out.valid, out.reason, ending = False, describe(exc), exc
        except HandsetRebooted as exc:
            out.valid, out.reason, out.retry = False, f"rebooted: {exc.message}", True
            self._arm = None  # the arm's state did not survive the reboot: set it again
        except DeviceError as exc:
            out.valid, out.reason, out.retry = False, describe(exc), exc.transient
        finally:
            if pressure is not None:
                pressure.stop()
            sampler.stop()
            self._drain(sampler, sources, slot, boot_before, key, out, power)
            end.note_sampler(out, sampler)
            out.recovered = guard.notes
        self._finish(guard, key, out, power, ending is None)
        if ending is not None:
            raise ending
        return out

    def _visit(
        self,
        guard: Recovery,
        key: Any,
        package: str,
        activity: str | None,
        out: IterationOutcome,
        interactions: tuple[Any, ...] = (),
    ) -> None:
        launched = guard.call(lambda: ci.launch(self.device, package, activity, timeout=self._t))
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
        guard.call(lambda: ci.reset_frames(self.device, package, timeout=self._t))
        plan = self.plan
        guard.call(
            lambda: dwell(
                self.device,
                self.swiper,
                interactions,
                dwell_s=plan.dwell_s,
                swipes=plan.swipes,
                timeout=self._t,
                stop=self.stop,
            )
        )
        guard.check()
        durations, janky = guard.call(lambda: ci.frames(self.device, package, timeout=self._t))
        if durations:
            self.writer.add_frames(key, package, durations, janky)
            out.frames += len(durations)

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
        end.drain(self.writer, sampler, sources, self.device.serial, slot, boot_id, out, power)

    def _finish(self, guard: Recovery, key: Any, out: IterationOutcome, power: list[PowerSample], ask: bool) -> None:
        """Reboot check, kills and energy, then the iteration's end record (``ask``: the handset is reachable)."""
        if end.finish(self.writer, self.device, self.plan, guard, key, out, power, ask=ask):
            self._arm = None  # the arm's state did not survive the reboot: set it again


class _SetupFailed(Exception):
    """A device error before the iteration was recorded (nothing to mark invalid yet)."""

    def __init__(self, cause: DeviceError) -> None:
        super().__init__(str(cause))
        self.cause = cause
