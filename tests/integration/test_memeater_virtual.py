"""The memory eater end to end: built, pushed and run on a virtual handset through the real adb server.

The pushed file is the real arm64 build; the virtual handset recognises its
marker and runs the emulation against its modelled kernel, so the pressure
shows up in /proc/vmstat and zram's mm_stat exactly where a phone shows it.
"""

from __future__ import annotations

import time

import pytest

from android_suite.device.device import Device
from android_suite.parsers.vmstat import Vmstat, parse_vmstat
from android_suite.parsers.zram import ZramMmStat, parse_mm_stat
from android_suite.workloads.build import find_compiler
from android_suite.workloads.eater_config import EaterConfig
from android_suite.workloads.memeater import REMOTE_PATH, MemoryEater

pytestmark = pytest.mark.virtual_only

MM_STAT = "/sys/block/zram0/mm_stat"


def counters(device: Device) -> tuple[Vmstat, ZramMmStat]:
    vmstat = parse_vmstat(device.shell(["cat", "/proc/vmstat"]).stdout)
    return vmstat, parse_mm_stat(device.shell(["cat", MM_STAT]).stdout)


def test_eater_drives_reclaim_into_zram_and_cleans_up(device: Device) -> None:
    if find_compiler("arm64-v8a") is None:
        pytest.skip("no arm64 cross compiler (./suite setup installs gcc-aarch64-linux-gnu)")
    vm0, zram0 = counters(device)
    # Fast enough to overcommit RAM within seconds; 67% compressible, as ChromeOS tast's default level.
    config = EaterConfig(size_pct=90, rate_mbps=2000, compressibility=0.67, touch_fraction=0.3, interval_s=0.5)
    with MemoryEater(device, config) as eater:
        start = eater.start()
        assert eater.impl == "binary" and eater.fallback_reason is None
        assert device.shell(["ls", REMOTE_PATH]).exit_code == 0
        deadline = time.monotonic() + 60
        while True:
            eater.poll(timeout=0.5)
            vm, zram = counters(device)
            assert vm.pswpout is not None and vm.pgsteal_anon is not None
            assert vm0.pswpout is not None and vm0.pgsteal_anon is not None
            if vm.pswpout - vm0.pswpout > 50_000 and zram.orig_data_size > zram0.orig_data_size + 100 * 2**20:
                break
            assert time.monotonic() < deadline, f"no reclaim into zram: {vm.pswpout=} {zram=}"
        assert vm.pgsteal_anon - vm0.pgsteal_anon >= vm.pswpout - vm0.pswpout  # anon pages went to swap
        assert 0 < zram.compr_data_size < zram.orig_data_size  # compressed, not stored as same-filled pages
        assert eater.running and eater.pid == start.pid
    result = eater.result
    assert result is not None
    assert (result.impl, result.stopped_by, result.exit_code, result.cleanup_errors) == ("binary", "term", 0, ())
    end = result.log.end
    assert end is not None and end.reason == "signal" and end.allocated_kb > 0
    assert len(result.log.progress) >= 1
    # Cleanup: the binary is gone, the process is gone, and so is its memory in zram.
    assert device.shell(["ls", REMOTE_PATH], check=False).exit_code != 0
    assert device.shell(["kill", "-0", str(start.pid)], check=False).exit_code != 0
    _, zram_after = counters(device)
    assert zram_after.orig_data_size < zram.orig_data_size


def test_exec_failure_falls_back_to_the_shell_eater(device: Device) -> None:
    if find_compiler("x86_64") is None:
        pytest.skip("no host compiler")
    from android_suite.workloads.build import build_memeater

    # An x86_64 build on an arm64 handset: exec fails as on a phone ("not executable: 64-bit ELF file").
    config = EaterConfig(size_mb=4, rate_mbps=8, interval_s=0.2, duration_s=1)
    with MemoryEater(device, config, find_binary=lambda abi: build_memeater("x86_64")) as eater:
        start = eater.start()
        assert eater.impl == "shell" and start.impl == "shell"
        assert eater.fallback_reason is not None and "not executable: 64-bit ELF file" in eater.fallback_reason
        deadline = time.monotonic() + 30
        while eater.running:
            eater.poll(timeout=0.5)
            assert time.monotonic() < deadline
    result = eater.result
    assert result is not None and result.stopped_by == "ended" and result.exit_code == 0
    assert result.log.end is not None and result.log.end.reason == "duration"
    assert result.cleanup_errors == ()
    assert device.shell(["ls", REMOTE_PATH], check=False).exit_code != 0
