"""The end of an iteration: its sampler ticks drained into the store, its closing record.

Split from the runner (which schedules, recovers and interrupts): what an
iteration's outcome holds, the sampler sources, the tidy rows and power
readings taken from each drain, and the closing checks (reboot, lmkd kills,
the test app's frame log, energy) ending in ``end_iteration`` with the
facts only known at the end (sampler gaps and counters, drops ridden out).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from android_suite.collect.power import PowerSample, charging_from_status, integrate_energy, normalise_power
from android_suite.collect.sampler import Sampler
from android_suite.collect.sampler_types import DEFAULT_SOURCES, Sample
from android_suite.collect.tidy import TidyStats, tidy_samples
from android_suite.device.device import Device
from android_suite.errors import DeviceError
from android_suite.parsers.ps import parse_ps
from android_suite.results.writer import RunWriter
from android_suite.workloads import collect_iteration as ci
from android_suite.workloads import frame_log
from android_suite.workloads.plan import RunPlan, Slot
from android_suite.workloads.recovery import HandsetRebooted, Recovery, describe

BATTERY = "/sys/class/power_supply/battery"


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
    rerun_of: int | None = None  # the scheduled index this one stands in for
    retry: bool = False  # spoilt by a transient fault: worth running again
    gaps: list[dict[str, Any]] = field(default_factory=list)  # sampler gaps
    recovered: list[str] = field(default_factory=list)  # drops ridden out
    sampler: dict[str, Any] = field(default_factory=dict)  # frames, torn frames, junk lines


def reclaim_sources(device: Device, timeout: float = 30.0) -> dict[str, str]:
    """The default sampler sources plus kswapd/kcompressd CPU and battery readings."""
    sources = dict(DEFAULT_SOURCES)
    for name, pid in parse_ps(device.shell(["ps", "-A"], timeout=timeout).stdout).reclaim_pids().items():
        sources[name.replace(":", "_")] = f"/proc/{pid}/stat"
    sources["battery_current_now"] = f"{BATTERY}/current_now"
    sources["battery_voltage_now"] = f"{BATTERY}/voltage_now"
    sources["battery_status"] = f"{BATTERY}/status"
    return sources


def drain(
    writer: RunWriter,
    sampler: Sampler,
    sources: Mapping[str, str],
    serial: str,
    slot: Slot,
    boot_id: str,
    out: IterationOutcome,
    power: list[PowerSample],
) -> None:
    """Take what the sampler has read: power readings kept for energy, tidy rows written."""
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
        device=serial,
        variant=slot.variant,
        iteration=slot.index,
        boot_id=boot_id,
        stats=out.tidy,
    )
    if rows:
        out.samples += writer.add_samples(rows)


def finish(
    writer: RunWriter,
    device: Device,
    plan: RunPlan,
    guard: Recovery,
    key: Any,
    out: IterationOutcome,
    power: list[PowerSample],
    *,
    ask: bool,
) -> bool:
    """Reboot check, kills and energy, then the iteration's end record; True when it rebooted.

    ``ask``: the handset is reachable (not after an interrupt or when it is gone).
    """
    timeout = plan.command_timeout_s
    rebooted = False
    try:
        if ask:
            now = _boot_id(device, guard)
            if now != guard.boot_id:
                raise HandsetRebooted(f"boot_id {guard.boot_id} -> {now}", serial=device.serial)
            for k in guard.call(lambda: ci.kills(device, timeout=timeout)):
                writer.add_kill(
                    key,
                    t=None,
                    process=k.process,
                    oom_score_adj=k.oom_score_adj,
                    rss_kb=k.rss_kb,
                    swap_kb=k.swap_kb,
                    reason=k.reason,
                )
                out.kills += 1
            if plan.frame_log:
                log = guard.call(lambda: frame_log.record(device, writer, key, timeout=timeout))
                out.frames += log.frames
    except HandsetRebooted as exc:
        if out.valid or not out.reason.startswith("rebooted"):
            out.reason = f"rebooted: {exc.message}" + (f" (after: {out.reason})" if out.reason else "")
        out.valid, out.retry = False, True
        rebooted = True
    except DeviceError as exc:
        out.valid, out.reason = False, out.reason or describe(exc)
        out.retry = out.retry or exc.transient
    if len(power) >= 2:
        model = None
        if ask:
            with contextlib.suppress(DeviceError):  # the model only names a known convention
                model = device.getprop("ro.product.model")
        series = normalise_power(power, model=model)
        energy = integrate_energy(series.readings, max_gap_s=max(2.0, 5 * plan.period_s))
        writer.add_energy(
            key,
            joules=energy.joules,
            mah=energy.mah,
            charging_s=energy.charging_s,
            convention=series.convention.reason,
        )
    extra: dict[str, Any] = {"sampler_gaps": out.gaps, "recovered": out.recovered, "sampler": out.sampler}
    writer.end_iteration(key, valid=out.valid, reason=out.reason, extra=extra)
    return rebooted


def note_sampler(out: IterationOutcome, sampler: Sampler) -> None:
    """The sampler's gaps and counters, for the iteration's record."""
    stats = sampler.stats()
    out.gaps = [_gap(g) for g in stats.gaps]
    # Torn frames and junk lines are how a garbling link shows; the error, a sampler that gave up.
    out.sampler = {"frames": stats.frames, "torn_frames": stats.torn_frames, "junk_lines": stats.junk_lines}
    if stats.error:
        out.sampler["error"] = stats.error


_BOOT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _boot_id(device: Device, guard: Recovery) -> str:
    """boot_id, read again (at most twice) when garbled output would fake a reboot."""
    now = guard.call(device.boot_id)
    for _ in range(2):
        if now == guard.boot_id or _BOOT_ID.match(now):
            break
        now = guard.call(device.boot_id)
    return now


def _gap(g: Any) -> dict[str, Any]:
    end = g.end_host_t
    return {
        "reason": g.reason,
        "seconds": None if end is None else round(end - g.start_host_t, 3),
        "resumed": end is not None,
        "torn_bytes": g.torn_bytes,
    }
