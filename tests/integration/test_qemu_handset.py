"""The real-kernel virtual handset end to end: real adb server -> virtual handset -> Linux under QEMU.

One guest is booted for the whole module (a TCG boot takes seconds). Needs
qemu-system-aarch64 and kbuild's sysctl and stock builds: when QEMU is
installed but a build is missing, the build runs first (cached by content, so
only a cold cache pays for it); only a machine without QEMU skips, and says so.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.device.device import Device
from android_suite.parsers.vmstat import parse_vmstat
from android_suite.session import HandsetSession, Target

# A cold cache builds both kernels in the first fixture: several minutes on 2 cores.
pytestmark = [pytest.mark.virtual_only, pytest.mark.timeout(1800)]
VARIANTS = ("sysctl", "stock")


def _require_kernels() -> None:
    from android_suite.virtual.qemu import machine

    if not machine.qemu_available("arm64"):
        pytest.skip("qemu-system-aarch64 is not installed (./suite setup installs it): real-kernel tests not run")
    missing = [v for v in VARIANTS if machine.find_image("arm64", v) is None]
    if missing:
        from android_suite.kbuild.build import build_kernel

        for variant in missing:  # cached by a hash of source, config and patches: once per machine
            build_kernel("arm64", variant)


@pytest.fixture(scope="module")
def qemu_handset() -> Iterator[tuple[Target, Device]]:
    _require_kernels()
    from android_suite.device.adb import AdbTransport

    session = HandsetSession(serial=None, profiles=("qemu_arm64",), kernel="qemu",
                             state_dir=Path(tempfile.mkdtemp(prefix="asuite-qemu-")))  # fmt: skip
    try:
        [target] = session.start()
        assert session.adb_port is not None
        yield target, Device(AdbTransport(target.serial, port=session.adb_port))
    finally:
        session.stop()


def kernel_threads(device: Device) -> set[str]:
    out = device.shell(["ps", "-A"]).stdout
    return {line.split()[-1].strip("[]") for line in out.splitlines()[1:] if line.strip()}


def test_props_and_real_kernel_files(qemu_handset: tuple[Target, Device]) -> None:
    target, device = qemu_handset
    assert target.kind == "virtual-qemu"
    assert device.getprop("ro.android_suite.kind") == "virtual-qemu"
    assert device.getprop("ro.product.device") == "asuite_qemu_arm64"
    assert device.shell(["cat", "/proc/version"]).stdout.startswith("Linux version 6.12")
    assert "kcompressd0" in kernel_threads(device) and "kswapd0" in kernel_threads(device)
    assert device.shell(["cat", "/proc/sys/vm/kcompressd"]).stdout.strip().isdigit()
    assert "lz4" in device.shell(["cat", "/sys/block/zram0/comp_algorithm"]).stdout


def test_vmstat_moves_under_the_memory_eater(qemu_handset: tuple[Target, Device], tmp_path: Path) -> None:
    _, device = qemu_handset
    stub = tmp_path / "memeater"
    stub.write_bytes(b"#!/system/bin/sh\n# ANDROID_SUITE_MEMEATER v1 (runs the guest's /bin/memeater)\n")
    device.push(str(stub), "/data/local/tmp/memeater")
    device.shell(["chmod", "755", "/data/local/tmp/memeater"])
    before = parse_vmstat(device.shell(["cat", "/proc/vmstat"]).stdout)
    # 1.1 GB in a 1 GiB guest, as fast as TCG fills it (about 100 MB/s): zram swap in use within seconds.
    # Not more: zram's disksize (half of RAM) caps swap at 512 MB of pages, and 1.3 GB was OOM-killed.
    eater = ["/data/local/tmp/memeater", "--size-mb", "1100", "--rate-mbps", "0", "--duration", "20", "--interval", "5"]
    run = device.shell(eater, timeout=180)
    after = parse_vmstat(device.shell(["cat", "/proc/vmstat"]).stdout)
    assert "memeater end" in run.stdout, run.stdout + run.stderr
    assert after.pswpout is not None and before.pswpout is not None and after.pswpout > before.pswpout
    assert (after.pgsteal_anon or 0) > (before.pgsteal_anon or 0)


def test_app_launch_is_a_guest_process(qemu_handset: tuple[Target, Device]) -> None:
    _, device = qemu_handset
    out = device.shell(["am", "start", "-W", "-n", "com.android.settings/.Settings"], timeout=120).stdout
    assert "TotalTime" in out, out
    rows = [line.split() for line in device.shell(["ps", "-A"]).stdout.splitlines() if "com.android.settings" in line]
    assert rows, "the app process is not listed"
    pid = rows[0][1]
    assert device.shell(["cat", f"/proc/{pid}/stat"]).stdout.startswith(f"{pid} (asuite-app)")
    device.shell(["am", "force-stop", "com.android.settings"])


def _fastboot(target: Target, *args: str) -> subprocess.CompletedProcess[str]:
    assert target.virtual is not None
    argv = ["fastboot", "-s", f"tcp:127.0.0.1:{target.virtual.fastboot_port}", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def _flash(target: Target, device: Device, image: Path) -> None:
    device.reboot(target="bootloader", wait=False)
    flashed = _fastboot(target, "flash", "boot", str(image))
    assert flashed.returncode == 0, flashed.stderr
    assert _fastboot(target, "reboot").returncode == 0
    device.wait_for_boot(timeout=240)


def test_flashing_stock_and_sysctl_builds_toggles_kcompressd(
    qemu_handset: tuple[Target, Device], tmp_path: Path
) -> None:
    from android_suite.virtual.qemu.launch import guest_boot_image

    target, device = qemu_handset
    images = {}
    for build in VARIANTS:
        images[build] = tmp_path / f"boot-{build}.img"
        images[build].write_bytes(guest_boot_image("arm64", build))
    try:
        _flash(target, device, images["stock"])
        assert "kcompressd0" not in kernel_threads(device)
        assert device.shell(["ls", "/proc/sys/vm/kcompressd"], check=False).exit_code != 0
        _flash(target, device, images["sysctl"])
        assert "kcompressd0" in kernel_threads(device)
        device.shell(["sh", "-c", "echo 0 > /proc/sys/vm/kcompressd"])
        assert device.shell(["cat", "/proc/sys/vm/kcompressd"]).stdout.strip() == "0"
    finally:
        _flash(target, device, images["sysctl"])  # the factory build, whatever happened
