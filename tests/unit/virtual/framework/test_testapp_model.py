"""The test app on the framework model: memory from its settings, the v1 log lines, frames from the backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.virtual.framework.testapp_config import resolve_settings
from tests.helpers.testapk import FixtureApk, build_apk
from tests.unit.virtual.framework.fakes import FakeClock, ScriptedMemory, make
from tests.unit.virtual.framework.test_apk_install import Services, push, run

PKG = "org.androidsuite.testapp.a01"
OTHER = "org.androidsuite.testapp.a02"
SETTINGS = {"anon_mb": "48", "ratio": "0.25", "touch_pct": "40", "frame_work_us": "3000"}


@pytest.fixture(scope="module")
def apks(tmp_path_factory: pytest.TempPathFactory) -> list[FixtureApk]:
    out = tmp_path_factory.mktemp("apks")
    return [build_apk(out, PKG, settings=SETTINGS), build_apk(out, OTHER, settings={"anon_mb": "16"})]


def installed(apks: list[FixtureApk]) -> tuple[Services, ScriptedMemory, FakeClock]:
    fw, memory, clock = make()
    s = Services(fw)
    for i, apk in enumerate(apks):
        assert run(s, "pm", "install", push(s, apk.path, f"/data/local/tmp/{i}.apk"))[0] == 0
    return s, memory, clock


def app_lines(s: Services) -> list[str]:
    _, out, _ = run(s, "logcat", "-d", "-s", "ASuiteApp:I", "-v", "brief")
    return [line.split("): ", 1)[1] for line in out.splitlines() if line.startswith("I/ASuiteApp")]


def test_cold_start_allocates_the_declared_memory_and_logs_start_and_resume(apks: list[FixtureApk]) -> None:
    s, memory, _ = installed(apks)
    status, out, _ = run(s, "am", "start", "-W", "-n", f"{PKG}/android.app.NativeActivity")
    assert status == 0 and "LaunchState: COLD" in out
    pid = s.framework.am.pid_of(PKG)
    assert pid is not None
    proc = memory.procs[pid]
    assert proc.anon_kb == 48 * 1024 and proc.spec.compressibility == 0.25
    assert (pid, 0.4) in memory.touches  # the resume touch: touch_pct of the working set
    lines = app_lines(s)
    assert lines[0].startswith(f"v1 start pkg={PKG} pid={pid} anon_kb=49152 ratio=0.250 fill_ms=")
    assert lines[0].endswith(" page_kb=4")
    assert lines[1].startswith(f"v1 resume pkg={PKG} touch_kb=19660 touch_ms=")


def test_frames_follow_the_backends_stalls_and_pause_on_leaving(apks: list[FixtureApk]) -> None:
    s, memory, clock = installed(apks)
    run(s, "am", "start", "-W", "-n", f"{PKG}/android.app.NativeActivity")
    clock.now += 2.0
    calm = [line for line in app_lines(s) if line.startswith("v1 frames")]
    assert calm and all("deadline_us=16667" in line for line in calm)
    durations = [int(d) for line in calm for d in line.split("dur_us=")[1].split(",")]
    assert all(2500 < d < 5000 for d in durations)  # frame_work_us=3000, no stalls
    memory.touch_stall_s = 0.030  # the kernel model now stalls every touch 30 ms
    clock.now += 2.0
    run(s, "am", "start", "-W", "-n", f"{OTHER}/android.app.NativeActivity")
    lines = app_lines(s)
    every = [int(d) for line in lines if line.startswith(f"v1 frames pkg={PKG}")
             for d in line.split("dur_us=")[1].split(",")]  # fmt: skip
    assert every[: len(durations)] == durations  # seq order kept across lines
    slow = [d for d in every if d > 30_000]
    # 2 s of ~33 ms frames paced on a 16.7 ms clock: a frame every 2 or 3 slots, never 60 a second.
    assert 38 <= len(slow) <= 62
    assert all(d < 5000 for d in every if d <= 30_000)
    pause = next(line for line in lines if line.startswith(f"v1 pause pkg={PKG}"))
    assert pause == f"v1 pause pkg={PKG} frames={len(every)} janky={len(slow)}"
    assert f"v1 stop pkg={PKG}" in lines
    assert s.framework.gfxinfo(PKG) is not None and "Total frames rendered: 0" in (s.framework.gfxinfo(PKG) or "")


def test_force_stop_logs_nothing_and_a_relaunch_starts_again(apks: list[FixtureApk]) -> None:
    s, _, clock = installed(apks)
    run(s, "am", "start", "-W", "-n", f"{PKG}/android.app.NativeActivity")
    run(s, "am", "force-stop", PKG)
    clock.now += 1.0
    assert not any(line.startswith("v1 pause") for line in app_lines(s))
    run(s, "am", "start", "-W", "-n", f"{PKG}/android.app.NativeActivity")
    assert sum(line.startswith("v1 start") for line in app_lines(s)) == 2


def test_settings_precedence_and_errors() -> None:
    conf = {"anon_mb": "100", "ratio": "0.3", "fps": "nope"}
    props = {"debug.asuite.anon_mb": "200", "debug.asuite.touch_pct": "10", "debug.asuite.other": "1"}
    extras = {"asuite.anon_mb": "300", "asuite.ratio": "0.95"}
    settings, errors = resolve_settings(conf, props, extras)
    assert (settings.anon_mb, settings.ratio, settings.touch_pct, settings.fps) == (300, 0.3, 10, 0)
    assert errors == ["fps out of range or not an integer", "ratio must be 0..0.9: 0.95"]


def test_an_apk_without_a_library_for_this_abi_crashes_on_launch(tmp_path: Path) -> None:
    x86_only = build_apk(tmp_path, "org.androidsuite.testapp.a09", abis=())
    fw, _, _ = make()
    s = Services(fw)
    assert run(s, "pm", "install", push(s, x86_only.path))[0] == 0  # no lib/ at all: installs
    run(s, "am", "start", "-W", "-n", "org.androidsuite.testapp.a09/android.app.NativeActivity")
    _, out, _ = run(s, "logcat", "-d", "-b", "crash,system", "-v", "brief")
    assert "Unable to find native library asuiteapp" in out
    assert "org.androidsuite.testapp.a09 (pid" in out and "has died" in out
    assert fw.am.pid_of("org.androidsuite.testapp.a09") is None and not app_lines(s)
