"""What the device scenarios share: the run settings, the one A/B run per session, one app switch.

Settings: ``--iterations`` (default 3) measured iterations per arm, one
warm-up, the workload's rounds and dwell on phones. On virtual handsets each
iteration is shortened to 1 round of 1 s dwells (the model's numbers settle
fast, and the suite must stay quick on a 2-core CI machine); the iterations
stay at 3 because the analysis needs 3 per arm for an interval.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from android_suite.options import DEFAULT_ITERATIONS

if TYPE_CHECKING:
    from android_suite.analysis.ab import RunAnalysis
    from android_suite.device.device import Device
    from android_suite.results.rundata import RunData
    from android_suite.session import HandsetSession
    from android_suite.workloads.abrun import HandsetResult
    from android_suite.workloads.job import Job

log = logging.getLogger(__name__)

# Every ARM licensee classify_soc names; "arm" in a soc marker matches these (and any arm ABI).
ARM_VENDORS = frozenset({"mediatek", "qualcomm", "google", "samsung", "unisoc", "hisilicon", "rockchip", "arm"})


def store_url(option: str | None, basetemp: Path) -> str:
    """``--results``: a URL as given, a directory -> DIR/results.db, a file path as given; default basetemp."""
    if option is None:
        return str(basetemp / "ab_results.db")
    if "://" in option:
        return option
    path = Path(option)
    if path.is_dir() or not path.suffix:
        path.mkdir(parents=True, exist_ok=True)
        return str(path / "results.db")
    return str(path)


def make_job(workload: str | None, iterations: int | None, virtual: bool) -> Job:
    from android_suite.workloads.job import DEFAULT_WORKLOAD, Job, JobOptions

    n = iterations or DEFAULT_ITERATIONS
    # Short virtual iterations (~10 s) need a faster eater to reach reclaim before they end.
    options = (
        JobOptions(iterations=n, rounds=1, dwell_s=1.0, eater_rate_mbps=1000.0) if virtual else JobOptions(iterations=n)
    )
    return Job(workload or DEFAULT_WORKLOAD, options)


def job_rounds(job: Job) -> int:
    return job.options.rounds if job.options.rounds is not None else job.workload.rounds


@dataclass
class AbResults:
    """The session's one A/B run: what each handset did, the stored data and its analysis."""

    run_id: str
    store_url: str
    run: RunData
    analysis: RunAnalysis | None
    values: pd.DataFrame  # scenario_metrics.scenario_values
    handsets: list[HandsetResult]
    rounds: int
    arms: dict[str, dict[str, str]] = field(default_factory=dict)  # serial -> variant -> mechanism

    def handset(self, serial: str) -> HandsetResult | None:
        return next((h for h in self.handsets if h.serial == serial), None)

    def values_for(self, serial: str) -> pd.DataFrame:
        return self.values[self.values["device"].astype(str) == serial]


def run_once(session: HandsetSession, job: Job, url: str) -> AbResults:
    """Run the A/B job on every target of the started session, load it back and analyse it."""
    from android_suite.analysis.ab import analyse_run
    from android_suite.errors import ConfigError
    from android_suite.results.store import ResultStore
    from android_suite.scenario_metrics import scenario_values
    from android_suite.workloads.abrun import run_ab

    manifest: Any = None
    if session.is_virtual:
        # As `android-suite run`: boot images built (and cached) so handsets without the knob flash an arm.
        from android_suite.kernel.images import build_virtual_images

        manifest = build_virtual_images(list(session.profiles))
    run_id, results = run_ab(
        session,
        url,
        plan_for=job.plan_for,
        pressure_for=job.pressure_for,
        manifest=manifest,
        context={**job.context(), "source": "pytest tests/device"},
        progress=log.info,
    )
    with ResultStore.open(url) as store:
        run = store.load_run(run_id)
    try:
        analysis = analyse_run(run, baseline="off")
    except ConfigError as exc:  # no handset reached both arms
        log.warning("no analysis: %s", exc)
        analysis = None
    rounds = job_rounds(job)
    arms: dict[str, dict[str, str]] = {}
    if not run.iterations.empty:
        for row in run.iterations[["device", "variant", "mechanism"]].astype(str).drop_duplicates().itertuples():
            arms.setdefault(str(row.device), {})[str(row.variant)] = str(row.mechanism)
    return AbResults(run_id, url, run, analysis, scenario_values(run, rounds=rounds), results, rounds, arms)


def soc_matches(wanted: str, vendor: str, abi: str | None) -> bool:
    """The ``soc`` marker: a vendor name (case-insensitive), or "arm" for any ARM part."""
    w, v = wanted.strip().lower(), vendor.strip().lower()
    if w == "arm":
        return v in ARM_VENDORS or (abi or "").startswith("arm")
    return w == v


@dataclass(frozen=True)
class SwitchResult:
    """One pass of the app-switch workload: ``launches`` (package, state, total ms) and frames per package."""

    launches: list[tuple[str, str | None, float | None]]
    frames: dict[str, int]


class AppSwitch:
    """Runs the resolved app-switch workload once on a device (no state change, nothing stored)."""

    def __init__(self, device: Device, job: Job) -> None:
        self.device = device
        self.plan = job.plan_for(device)

    def __call__(self) -> SwitchResult:
        import threading
        import time

        from android_suite.workloads import collect_iteration as ci
        from android_suite.workloads import frame_log
        from android_suite.workloads import install as apk_install

        launches: list[tuple[str, str | None, float | None]] = []
        frames: dict[str, int] = {}
        # A workload with its own APKs (the test-app set): installed for the switch, ours removed after.
        installed = apk_install.ensure_installed(self.device, self.plan.installs)
        try:
            if self.plan.frame_log:
                ci.clear_log(self.device)
            for app in self.plan.apps:
                got = ci.launch(self.device, app.package, app.activity)
                res = got.result
                launches.append((app.package, res.launch_state if res else None, res.total_time_ms if res else None))
                ci.reset_frames(self.device, app.package)
                deadline = time.monotonic() + self.plan.dwell_s
                self.device.shell(["input", "swipe", "540", "1800", "540", "700", "300"], timeout=30, check=False)
                # The dwell is the workload's own duration, not a synchronisation.
                threading.Event().wait(max(0.0, deadline - time.monotonic()))
                frames[app.package] = len(ci.frames(self.device, app.package)[0])
            if self.plan.frame_log:  # the test app's frames are in its own log, not in gfxinfo
                self.device.shell(["input", "keyevent", "KEYCODE_HOME"], timeout=30, check=False)
                log = frame_log.read(self.device)
                for pkg in log.packages:
                    frames[pkg] = frames.get(pkg, 0) + sum(len(b.dur_us) for b in log.frames(pkg))
        finally:
            apk_install.uninstall_ours(self.device, installed)
        return SwitchResult(launches, frames)
