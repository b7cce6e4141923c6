"""testapp_switch.toml through the A/B runner on virtual handsets: built, installed, switched, frame log recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.device.adb import AdbTransport
from android_suite.device.device import Device
from android_suite.errors import ConfigError
from android_suite.results.store import ResultStore
from android_suite.session import HandsetSession
from android_suite.workloads.abrun import run_ab
from android_suite.workloads.install import ApkToInstall
from android_suite.workloads.job import Job, JobOptions
from android_suite.workloads.testapps import TestAppSet, build_apks

pytestmark = pytest.mark.virtual_only

WORKLOAD = Path(__file__).parents[2] / "apk_workloads" / "testapp_switch.toml"


def real_set(spec: TestAppSet) -> list[ApkToInstall]:
    try:
        return build_apks(spec)
    except ConfigError as exc:  # a missing Debian tool: the message names the package
        pytest.skip(f"cannot build the test app here: {exc}")


def test_testapp_switch_records_the_apps_frame_log(handset_session: HandsetSession, tmp_path: Path) -> None:
    job = Job(WORKLOAD, JobOptions(iterations=1, warmup=0, rounds=1, dwell_s=0.8, eater=False, max_reruns=0))
    job.apk_builder = real_set
    db = tmp_path / "run.db"
    run_id, results = run_ab(
        handset_session, str(db), plan_for=job.plan_for, pressure_for=job.pressure_for, progress=print, use_u2=False
    )
    ran = [r for r in results if r.outcomes]
    assert ran, [(r.name, r.skipped, r.error) for r in results]
    for r in ran:
        assert all(o.valid for o in r.outcomes), [o.reason for o in r.outcomes]
        assert all(o.frames > 0 for o in r.outcomes)
    with ResultStore.open(str(db)) as store:
        run = store.load_run(run_id)
    packages = {a.package for a in job.testapp_apks()}
    assert set(run.frames["package"].astype(str)) == packages
    assert run.launches["launch_state"].astype(str).isin(["COLD", "WARM", "HOT"]).all()
    metrics = set(run.samples["metric"].astype(str))
    assert {"testapp_touch_ms", "testapp_fill_ms", "testapp_janky_frame_share", "testapp_frame_time_p90_ms"} <= metrics
    # Only what the run installed is removed afterwards: the handsets are as they were.
    for r in results:
        device = Device(AdbTransport(r.serial, port=handset_session.adb_port))
        listed = device.shell(["pm", "list", "packages"]).stdout
        assert not any(p in listed for p in packages), listed
