"""Run the fault matrix: one virtual-handset process, one handset per scenario, checked rows.

Scenarios run side by side on their own handsets (a few at a time: the
machine may have two cores), each through the real adb server. Each row
is checked three ways: the outcome is the expected one and the record shows
the fault (the scenario's own check); the results are intact (every count
seen during the run is still in the store afterwards, the run's status is
right); the handset is restored (:mod:`probe`).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from android_suite.errors import ConfigError
from android_suite.faults.record import FaultRecord
from android_suite.faults.scenarios import SCENARIOS, Ctx, Evidence, Scenario

Progress = Callable[[str], None]


def select(only: Sequence[str] | None) -> list[Scenario]:
    if not only:
        return list(SCENARIOS)
    known = {s.name for s in SCENARIOS}
    unknown = sorted(set(only) - known)
    if unknown:
        raise ConfigError(f"unknown fault scenario(s) {unknown}; known: {sorted(known)}")
    return [s for s in SCENARIOS if s.name in only]


def run_matrix(
    only: Sequence[str] | None = None,
    *,
    workdir: Path | None = None,
    parallel: int = 4,
    progress: Progress = print,
) -> list[FaultRecord]:
    """Run the chosen scenarios (all by default) and return their records, in matrix order."""
    from android_suite.session import HandsetSession, free_port

    chosen = select(only)
    port = free_port()
    # Every adb call here names its port; the variable is for anything that reads it at
    # import (adbutils). Put back afterwards: a pytest session has its own server.
    old_port = os.environ.get("ANDROID_ADB_SERVER_PORT")
    os.environ["ANDROID_ADB_SERVER_PORT"] = str(port)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="android_suite-faults-"))
    session = HandsetSession(serial=None, adb_port=port, profiles=tuple(s.profile for s in chosen))
    progress(f"[faults] {len(chosen)} scenario(s) on {len(chosen)} virtual handset(s); work in {workdir}")
    manifest: Any = None
    try:
        targets = session.start()
        if any(s.flash for s in chosen):
            from android_suite.kernel.images import build_virtual_images

            # Our own manifest file: the flash path reads the factory entry back from the file,
            # and the shared virtual.toml is rewritten by any other run building other profiles.
            manifest = build_virtual_images(
                sorted({s.profile for s in chosen if s.flash}), manifest_name=f"fault-matrix-{os.getpid()}.toml"
            )
        with ThreadPoolExecutor(max(1, parallel)) as pool:
            jobs = [
                pool.submit(_one, session, t, s, workdir, manifest, progress)
                for s, t in zip(chosen, targets, strict=True)
            ]
            return [j.result() for j in jobs]
    finally:
        session.stop()
        if manifest is not None:
            Path(manifest.path).unlink(missing_ok=True)
        if old_port is None:
            os.environ.pop("ANDROID_ADB_SERVER_PORT", None)
        else:
            os.environ["ANDROID_ADB_SERVER_PORT"] = old_port


def _one(
    session: Any, target: Any, scenario: Scenario, workdir: Path, manifest: Any, progress: Progress
) -> FaultRecord:
    rec = FaultRecord(scenario.name, scenario.fault, scenario.when, scenario.expect)
    started = time.monotonic()
    ctx = Ctx(target.control, target.virtual.name, target.serial)
    progress(f"[faults] {scenario.name}: starting on {target.name} ({target.serial})")
    try:
        from android_suite.device.adb import AdbTransport
        from android_suite.device.device import Device
        from android_suite.faults import probe, runs

        device = Device(AdbTransport(target.serial, port=session.adb_port))
        before = probe.snapshot(device, ctx.control, ctx.name)
        try:
            if scenario.before is not None:
                scenario.before(ctx)
            if scenario.signal is not None:
                ran = runs.run_signalled(target, session.adb_port, scenario, workdir)
            else:
                ran = runs.run_inproc(session, target, scenario, ctx, workdir, manifest)
        finally:
            for timer in ctx.timers:
                timer.cancel()
            ctx.control.clear_faults(ctx.name)
        if scenario.signal is not None:
            ran.replayed = _replay_journal(device)
        after = probe.settle(device, ctx.control, ctx.name, before)
        _judge(rec, scenario, ran, before, after)
    except Exception as exc:  # a scenario that blows up is a failed row, not a failed matrix
        rec.outcome = "crashed"
        rec.problems.append(f"{type(exc).__name__}: {exc}")
    rec.seconds = time.monotonic() - started
    progress(f"[faults] {scenario.name}: {rec.outcome} in {rec.seconds:.0f} s" + ("" if rec.passed else " (FAILED)"))
    return rec


def _replay_journal(device: Any) -> list[str]:
    """What the next run does first on a handset whose runner was killed: undo what it left."""
    from android_suite.workloads.journal import replay

    return replay(device)


def _judge(rec: FaultRecord, scenario: Scenario, ran: Any, before: Any, after: Any) -> None:
    from android_suite.faults import probe

    found, run = probe.counts(ran.url, ran.run_id)  # opening marks a dead writer's run
    its = run.iterations
    evidence = Evidence(its, found.status, found.reason, ran.error, ran.exit_code, run.launches)
    rec.outcome = _outcome(scenario, ran, its, found)
    invalid = its[its["valid"].astype("boolean").fillna(False).eq(False)] if len(its) else its
    rec.says = [f"run {found.status}" + (f": {_short(found.reason)}" if found.reason else "")]
    rec.says += [f"invalid {r.variant} #{r.iteration}: {_short(str(r.reason))}" for r in invalid.itertuples()]
    gaps = [g for gs in its.get("sampler_gaps", []) if isinstance(gs, list) for g in gs]
    rec.says += [f"sampler gap {g.get('seconds')} s: {_short(str(g.get('reason')))}" for g in gaps]
    notes = [n for ns in its.get("recovered", []) if isinstance(ns, list) for n in ns]
    rec.says += [f"rode out: {_short(n)}" for n in notes]
    flashes = [s["flash"] for s in its.get("state", []) if isinstance(s, dict) and isinstance(s.get("flash"), dict)]
    rec.says += [f"flashed {f.get('entry')} to slot {f.get('slot')} in {f.get('attempts')} attempt(s)" for f in flashes]
    stats = [s for s in its.get("sampler", []) if isinstance(s, dict)]
    torn = sum(int(s.get("torn_frames", 0)) for s in stats)
    junk = sum(int(s.get("junk_lines", 0)) for s in stats)
    if torn or junk:
        rec.says.append(f"sampler: {torn} torn frame(s), {junk} junk line(s) discarded")
    launches = run.launches
    if len(launches) and "error" in launches:
        # A monkey launch (no activity) has no `am start -W` output to read: status "error", no error text.
        bad = launches[(launches["status"].astype(str) == "error") & launches["error"].astype(str).str.len().gt(0)]
        if len(bad):
            rec.says.append(f"{len(bad)} launch(es) recorded as unreadable: {_short(str(bad['error'].iloc[0]), 80)}")
    rec.says += [f"next run's start-up undid: {line}" for line in ran.replayed]
    if ran.error:
        rec.says.append(f"error: {_short(ran.error)}")
    if ran.exit_code is not None:
        rec.says.append(f"exit code {ran.exit_code}")
    rec.problems += scenario.check(evidence)
    seen = ran.seen
    rec.intact = f"seen {seen.brief()}; stored {found.brief()}"
    for what in ("iterations", "samples", "launches"):
        if getattr(found, what) < getattr(seen, what):
            rec.problems.append(f"{what}: {getattr(seen, what)} seen but {getattr(found, what)} stored")
    if found.status == "running":
        rec.problems.append("the run is still marked running")
    diffs = probe.differences(before, after)
    rec.restored = "yes: " + after.brief() if not diffs else "NO: " + "; ".join(diffs)
    rec.problems += [f"not restored: {d}" for d in diffs]
    if rec.outcome != scenario.expect:
        rec.problems.append(f"outcome {rec.outcome}, expected {scenario.expect}; log: {_short(ran.log_tail, 600)}")


def _outcome(scenario: Scenario, ran: Any, its: Any, found: Any) -> str:
    """recovered: every scheduled iteration has a valid result (itself or a rerun); else reported, if said."""
    if scenario.signal is None and not ran.error and len(its):
        valid = its[its["valid"].astype("boolean").fillna(False)]
        covered = set()
        for r in valid.itertuples():
            origin = getattr(r, "rerun_of", None)
            covered.add((str(r.variant), int(origin) if origin is not None and origin == origin else int(r.iteration)))
        scheduled = {(o.slot.variant, o.slot.index) for o in ran.outcomes if o.rerun_of is None}
        if scheduled and scheduled <= covered:
            return "recovered"
    said = bool(found.reason) or bool(ran.error) or bool(its["reason"].astype(str).str.len().gt(0).any())
    return "reported" if said else "silent"


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
