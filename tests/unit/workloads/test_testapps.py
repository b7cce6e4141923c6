"""The [testapps] table, testapp_switch.toml, and the plan a job makes from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.device.device import Device
from android_suite.device.fake import FakeTransport
from android_suite.errors import ConfigError
from android_suite.workloads.definition import load_workload, parse_workload
from android_suite.workloads.install import ApkToInstall
from android_suite.workloads.job import Job, JobOptions
from android_suite.workloads.testapps import TestAppSet

WORKLOAD = Path(__file__).parents[3] / "apk_workloads" / "testapp_switch.toml"


def test_the_shipped_workload() -> None:
    w = load_workload(WORKLOAD)
    assert w.testapps == TestAppSet(4, (64, 96, 128, 192), ("arm64-v8a", "x86_64"))
    assert [a.package for a in w.apps] == [f"org.androidsuite.testapp.a0{i}" for i in range(1, 5)]
    assert {a.activity for a in w.apps} == {"android.app.NativeActivity"}
    assert w.apps[0].label == "ASuite A01"
    assert w.apps[0].interactions and w.memory_eater is not None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("count = 0", "must be >= 1"),
        ("count = 100", "at most 99"),
        ('anon_mb = ["big"]', "list of MiB"),
        ('abis = ["mips"]', "unknown ABI"),
        ("colour = 1", "colour"),
    ],
)
def test_bad_tables(table: str, message: str) -> None:
    text = f'[workload]\nname = "t"\n[testapps]\n{table}\n'
    with pytest.raises(ConfigError, match=message):
        parse_workload(text, Path("t.toml"))


def test_job_plans_installs_and_the_frame_log(tmp_path: Path) -> None:
    job = Job(WORKLOAD, JobOptions(iterations=1))
    built: list[TestAppSet] = []

    def builder(spec: TestAppSet) -> list[ApkToInstall]:
        built.append(spec)
        return [ApkToInstall(p, tmp_path / f"{p}.apk", "0" * 64) for p, _ in spec.members()]

    job.apk_builder = builder
    fake = FakeTransport()
    fake.expect(["pm", "list", "packages"], "package:com.android.settings\n", times=2)
    plan = job.plan_for(Device(fake))
    assert plan.frame_log and [a.package for a in plan.installs] == [a.package for a in plan.apps]
    assert len(plan.apps) == 4 and not job.dropped[fake.serial]
    job.plan_for(Device(fake))
    assert len(built) == 1  # built once per job, for every handset
    fake.assert_all_consumed()
