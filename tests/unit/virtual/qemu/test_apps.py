"""GuestMemory (apps as guest asuite-app processes) and the guest memeater relay, over the fake agent."""

from __future__ import annotations

import asyncio
from pathlib import Path

from android_suite.virtual.bootloader import Bootloader
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.memory_api import ProcSpec
from android_suite.virtual.profile import load_profile
from android_suite.virtual.qemu.apps import GuestMemory
from android_suite.virtual.shell import BufferIO
from tests.unit.virtual.qemu.fakeguest import DATA, FakeAgent, boot_image


def memory(agent: FakeAgent, console: str = "") -> GuestMemory:
    return GuestMemory(load_profile("qemu_arm64"), lambda: agent, lambda: 42.0, lambda: console, lambda: [])


def test_spawn_sizes_the_app_from_the_profile_and_brings_it_to_front() -> None:
    agent = FakeAgent()
    mem = memory(agent)
    pid = mem.spawn(ProcSpec("com.android.chrome", uid=10100, compressibility=0.62))
    app = agent.apps[pid]
    assert app.argv[:5] == ["asuite-app", "--name", "com.android.chrome", "--anon-mb", "64"]
    assert "--ratio" in app.argv and app.argv[app.argv.index("--ratio") + 1] == "0.62"
    assert app.touch_count == 1 and app.state == "foreground"  # SIGUSR1 after allocation
    first = mem.allocate(pid, 64 * 1024)
    assert first.stall_s > 0 and mem.allocate(pid, 1024).stall_s == 0  # later growth is not modelled
    assert mem.alive(pid) and mem.resident_fraction(pid) == 0.5


def test_resume_measures_the_touch_and_background_stops_rendering() -> None:
    agent = FakeAgent()
    mem = memory(agent)
    pid = mem.spawn(ProcSpec("com.whatsapp"))
    mem.set_oom_score_adj(pid, 700)
    assert agent.apps[pid].state == "background" and ("K", f"{pid} 12") in agent.calls
    result = mem.touch(pid, 0.6)
    assert result.stall_s == 0.25 and result.swapins == 100  # last_touch_ms and the majflt delta
    assert agent.apps[pid].touch_count == 2


def test_frame_touches_follow_the_render_loop_jank_rate() -> None:
    agent = FakeAgent()
    mem = memory(agent)
    pid = mem.spawn(ProcSpec("com.spotify.music"))
    agent.kill(pid, 10)  # another 50 frames, 10 janky: a 20% rate
    mem.apps[pid].stats_at = float("-inf")
    stalls = [mem.touch(pid, 0.02).stall_s for _ in range(10)]
    assert sum(1 for s in stalls if s > 0.0205) == 2


def test_exit_kills_and_cleans_up() -> None:
    agent = FakeAgent()
    mem = memory(agent)
    pid = mem.spawn(ProcSpec("com.android.settings"))
    stats = agent.apps[pid].stats_path
    mem.exit(pid)
    assert not mem.alive(pid) and stats not in agent.files
    mem.exit(pid)  # twice: the second kill finds no process and is ignored


def test_kills_come_from_the_kernel_oom_killer() -> None:
    console = (DATA / "console_oom.txt").read_text()
    mem = memory(FakeAgent(), console)
    kills = mem.kills_since(0.0)
    assert [(k.pid, k.name) for k in kills] == [(131, "asuite-app"), (150, "memeater")]
    assert "OOM killer" in kills[0].reason and kills[0].t == 42.0
    assert len(mem.kills_since(0.0)) == 2  # read once; not repeated


def test_memeater_runs_in_the_guest(tmp_path: Path) -> None:
    from android_suite.virtual.qemu.backend import QemuKernel
    from tests.unit.virtual.qemu.fakeguest import FakeLauncher

    launcher = FakeLauncher()
    profile = load_profile("qemu_arm64")
    kernel = QemuKernel(profile, launcher=launcher, work_dir=tmp_path)
    handset = VirtualHandset(profile, name="q", kernel=kernel, off_seconds=0.0)
    handset.bootloader = Bootloader(product="asuite_qemu_arm64", serialno="q", images={"boot_a": boot_image(),
                                    "boot_b": boot_image()}, check_images=True)  # fmt: skip
    handset.request_reboot()
    kernel.wait_ready(5.0)
    handset.fs.write("/data/local/tmp/memeater", b"#!stub ANDROID_SUITE_MEMEATER v1", mode=0o755)
    io = BufferIO()
    status = asyncio.run(handset.shell.run("/data/local/tmp/memeater --size-mb 1 --duration 0.1", io))
    assert status == 0, io.err
    assert io.out.splitlines()[0].startswith("memeater start pid=") and "reason=duration" in io.out
    assert "::asuite" not in io.out
    agent = launcher.current.agent
    spawned = [c for c in agent.calls if c[0] == "S"]
    assert spawned == [("S", "sh")]
