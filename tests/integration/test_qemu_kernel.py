"""The real kernels under QEMU: our kcompressd patch boots, runs, switches and survives pressure.

Builds the kernels when the cache lacks them (minutes, once per machine: the
cache key covers source, fragments, patches and the build script) and boots
them with TCG (KVM when usable). Skipped only when qemu-system-<arch> is not
installed; a missing kernel source or a failed build is an error, not a skip.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.kbuild import DEFAULT_ARCH
from android_suite.kbuild.build import KernelBuild, build_kernel
from android_suite.virtual.qemu.agent import GuestAgent
from android_suite.virtual.qemu.machine import GuestImage, QemuMachine, qemu_available

ARCH = DEFAULT_ARCH
BOOT_BUDGET_S = 30.0
MEMORY_MB = 512
BAD_CONSOLE = re.compile(r"WARNING:|BUG:|lockup|blocked for more than|Oops|Kernel panic")
# Reserves run dry under a fast eater in a 512 MB guest, patched or not (seen on stock too): reported, not failed.
PRESSURE = re.compile(r"page allocation failure|Write-error on swap-device")

pytestmark = [
    pytest.mark.skipif(not qemu_available(ARCH), reason=f"qemu-system for {ARCH} is not installed (./suite setup)"),
    pytest.mark.timeout(1800),  # a cold kernel build on 2 cores is several minutes
]


def _boot(build: KernelBuild, log: Path) -> Iterator[tuple[QemuMachine, GuestAgent]]:
    image = GuestImage(build.arch, build.kernel, build.initramfs, build.cmdline)
    with QemuMachine(image, cpus=2, memory_mb=MEMORY_MB, console_log=log) as machine:
        agent = machine.start(timeout=120)
        yield machine, agent
        console = machine.console_text().splitlines()
        pressure = [line for line in console if PRESSURE.search(line)]
        if pressure:
            print(f"\n{build.variant}: {len(pressure)} allocation-failure/write-error lines, first: {pressure[0]}")
        bad = [line for line in console if BAD_CONSOLE.search(line)]
        assert not bad, f"kernel log of {build.variant}: " + "\n".join(bad[:20])


@pytest.fixture(scope="module")
def sysctl_guest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[QemuMachine, GuestAgent]]:
    build = build_kernel(ARCH, "sysctl")
    yield from _boot(build, tmp_path_factory.mktemp("sysctl") / "console.log")


def _threads(agent: GuestAgent) -> list[str]:
    code, out = agent.exec(["sh", "-c", "cat /proc/[0-9]*/comm"], timeout=20)
    assert code == 0
    return out.decode().split()


def _vmstat(agent: GuestAgent) -> dict[str, int]:
    return {k: int(v) for k, v in (line.split() for line in agent.read("/proc/vmstat").decode().splitlines())}


def _mem_total_kb(agent: GuestAgent) -> int:
    line = next(x for x in agent.read("/proc/meminfo").decode().splitlines() if x.startswith("MemTotal:"))
    return int(line.split()[1])


def test_sysctl_build_boots_fast_with_kcompressd0(sysctl_guest: tuple[QemuMachine, GuestAgent]) -> None:
    machine, agent = sysctl_guest
    assert machine.boot_seconds is not None
    print(f"\n{ARCH} sysctl build: boot to agent in {machine.boot_seconds:.1f} s (kvm={machine.uses_kvm})")
    assert machine.boot_seconds < BOOT_BUDGET_S or machine.uses_kvm
    assert "kcompressd0" in _threads(agent) and "kswapd0" in _threads(agent)
    assert agent.read("/proc/sys/vm/kcompressd") == b"256\n"
    assert b"CONFIG_KCOMPRESSD_SYSCTL=y" in agent.exec(["sh", "-c", "zcat /proc/config.gz"], timeout=20)[1]
    assert b"-asuite-sysctl" in agent.read("/proc/version")


def test_vm_kcompressd_switches(sysctl_guest: tuple[QemuMachine, GuestAgent]) -> None:
    _, agent = sysctl_guest
    for value in (b"0", b"256", b"0", b"256"):
        agent.write("/proc/sys/vm/kcompressd", value)
        assert agent.read("/proc/sys/vm/kcompressd") == value + b"\n"
    with pytest.raises(OSError):
        agent.write("/proc/sys/vm/kcompressd", b"257")  # the range is 0..256
    assert agent.read("/proc/sys/vm/kcompressd") == b"256\n"


@pytest.mark.parametrize("knob", [b"256", b"0"])
def test_memory_eater_swaps_to_zram(sysctl_guest: tuple[QemuMachine, GuestAgent], knob: bytes) -> None:
    _, agent = sysctl_guest
    agent.write("/proc/sys/vm/kcompressd", knob)
    before = _vmstat(agent)
    # As much as MemTotal at 60% compressibility, the working set rewritten every 5 s: kswapd must keep
    # pushing pages into zram. (Past ~105% a 512 MB guest runs its reserves dry, patched or not.)
    size_mb = _mem_total_kb(agent) / 1024
    pid = agent.spawn(["memeater", "--size-mb", f"{size_mb:.0f}", "--rate-mbps", "40", "--compressibility", "0.6",
                       "--touch-fraction", "1", "--touch-period", "5", "--duration", "90"],
                      log="/tmp/memeater.log")  # fmt: skip
    deadline = time.monotonic() + 90
    used = 0
    try:
        while time.monotonic() < deadline:
            swaps = agent.read("/proc/swaps").decode().splitlines()
            used = max(used, int(swaps[1].split()[3])) if len(swaps) > 1 else 0
            if used > 20_000 and _vmstat(agent)["pswpout"] - before["pswpout"] > 10_000:
                break
            time.sleep(0.5)
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have ended (duration, OOM killer)
            agent.kill(pid, 15)
    after = _vmstat(agent)
    print(f"\nvm.kcompressd={knob.decode()}: pswpout +{after['pswpout'] - before['pswpout']}, "
          f"pgsteal_anon +{after['pgsteal_anon'] - before['pgsteal_anon']}, zram used {used} kB")  # fmt: skip
    assert used > 20_000, "zram never held 20 MB"
    assert after["pswpout"] - before["pswpout"] > 10_000
    agent.write("/proc/sys/vm/kcompressd", b"256")


def test_stock_build_has_no_kcompressd(tmp_path: Path) -> None:
    build = build_kernel(ARCH, "stock")
    for _machine, agent in _boot(build, tmp_path / "console.log"):
        assert "kcompressd0" not in _threads(agent) and "kswapd0" in _threads(agent)
        with pytest.raises(FileNotFoundError):
            agent.read("/proc/sys/vm/kcompressd")
        assert b"-asuite-stock" in agent.read("/proc/version")
