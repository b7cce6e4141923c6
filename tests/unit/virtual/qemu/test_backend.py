"""QemuKernel over a fake guest: boot cycle, forwarded files and knobs, threads, the handset around it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from android_suite.virtual.api import FsError
from android_suite.virtual.bootloader import Bootloader
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.qemu.backend import QemuKernel
from android_suite.virtual.qemu.guest import GuestDown
from android_suite.virtual.shell import BufferIO
from tests.unit.virtual.qemu.fakeguest import FakeLauncher, boot_image


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def booted(tmp_path: Path, launcher: FakeLauncher | None = None) -> tuple[QemuKernel, FakeLauncher]:
    launcher = launcher or FakeLauncher()
    kernel = QemuKernel(load_profile("qemu_arm64"), launcher=launcher, work_dir=tmp_path)
    assert kernel.load_boot_image(boot_image())
    kernel.on_boot(kernel.boot)
    kernel.wait_ready(5.0)
    assert kernel.ready()
    return kernel, launcher


def test_boot_unpacks_the_image_and_serves_guest_files(tmp_path: Path) -> None:
    kernel, launcher = booted(tmp_path)
    files = launcher.booted[0]
    assert files.arch == "arm64" and files.cmdline == "console=ttyAMA0"
    assert files.initramfs.read_bytes() == b"070701fake-cpio"
    assert kernel.kind == "virtual-qemu"
    served = kernel.files()
    assert "/proc/vmstat" in served and "/proc/pressure/memory" not in served  # absent in this guest
    assert served["/proc/vmstat"]().startswith(b"nr_free_pages")
    assert kernel.uname().release == "6.12.38" and kernel.uname().machine == "aarch64"
    assert kernel.uname().version.startswith("#1 SMP")


def test_knobs_forward_writes_and_errnos(tmp_path: Path) -> None:
    kernel, _ = booted(tmp_path)
    knobs = kernel.knobs()
    assert set(knobs) == {"/proc/sys/vm/swappiness", "/proc/sys/vm/kcompressd"}
    knobs["/proc/sys/vm/kcompressd"].on_write(b"0\n")
    assert knobs["/proc/sys/vm/kcompressd"].render() == b"0\n"
    with pytest.raises(FsError) as err:
        knobs["/proc/sys/vm/kcompressd"].on_write(b"999\n")
    assert err.value.errno_name == "EINVAL"


def test_threads_publish_reclaim_thread_stats(tmp_path: Path) -> None:
    kernel, _ = booted(tmp_path)
    rows = {r.name: r for r in kernel.threads()}
    assert {"kswapd0", "kcompressd0", "kthreadd"} <= set(rows) and "init" not in rows
    assert all(r.kernel_thread for r in rows.values())
    assert "/proc/38/stat" in kernel.files() and "/proc/39/stat" in kernel.files()
    assert sorted(kernel.reclaim_pids()) == [38, 39]


def test_reads_fail_with_eio_while_down_and_reboot_replaces_the_guest(tmp_path: Path) -> None:
    kernel, launcher = booted(tmp_path)
    kernel.close()
    assert launcher.guests[0].stopped and not kernel.ready()
    with pytest.raises(FsError) as err:
        kernel.files()["/proc/vmstat"]()
    assert err.value.errno_name == "EIO"
    kernel.on_boot(kernel.boot)
    kernel.wait_ready(5.0)
    assert len(launcher.guests) == 2 and kernel.ready()


def test_failed_boot_is_reported(tmp_path: Path) -> None:
    kernel = QemuKernel(load_profile("qemu_arm64"), launcher=FakeLauncher(fail=True), work_dir=tmp_path)
    assert kernel.load_boot_image(boot_image())
    kernel.on_boot(kernel.boot)
    with pytest.raises(GuestDown, match="kernel panic"):
        kernel.wait_ready(5.0)


def test_refuses_images_qemu_cannot_boot(tmp_path: Path) -> None:
    from android_suite.virtual.bootimg import build_boot_image

    kernel = QemuKernel(load_profile("qemu_arm64"), launcher=FakeLauncher(), work_dir=tmp_path)
    assert not kernel.load_boot_image(build_boot_image(b"Linux version 6.1.0 (model)", b"rd"))
    assert not kernel.load_boot_image(b"junk")


def sh(handset: VirtualHandset, command: str) -> str:
    io = BufferIO()
    asyncio.run(handset.shell.run(command, io))
    return io.out + io.err


def test_handset_boots_the_slot_and_gates_boot_completed(tmp_path: Path) -> None:
    clock, launcher = Clock(), FakeLauncher()
    profile = load_profile("qemu_arm64")
    kernel = QemuKernel(profile, clock, launcher=launcher, work_dir=tmp_path)
    handset = VirtualHandset(profile, name="q", clock=clock, kernel=kernel, off_seconds=0.0)
    handset.bootloader = Bootloader(product="asuite_qemu_arm64", serialno="q", images={"boot_a": boot_image(b"A"),
                                    "boot_b": boot_image(b"B")}, check_images=True)  # fmt: skip
    assert handset.props.get("ro.android_suite.kind") == "virtual-qemu"
    handset.request_reboot()
    clock.now += 5.0
    kernel.wait_ready(5.0)
    assert handset.boot_completed
    assert b"A" in launcher.booted[0].kernel.read_bytes()
    assert sh(handset, "cat /proc/sys/vm/kcompressd") == "256\n"
    assert sh(handset, "echo 0 > /proc/sys/vm/kcompressd; cat /proc/sys/vm/kcompressd") == "0\n"
    assert "kcompressd0" in sh(handset, "ps -A")
    # A corrupt slot a: the bootloader falls back to b, whose kernel QEMU then boots.
    handset.bootloader.contents["boot_a"] = boot_image(b"A")[:4096] + b"\0" * 4096
    handset.request_reboot()
    kernel.wait_ready(5.0)
    assert handset.bootloader.active_slot == "b" and b"B" in launcher.booted[-1].kernel.read_bytes()
    assert launcher.guests[0].stopped


class SwapAgent:
    def __init__(self) -> None:
        self.on = True
        self.argv: list[list[str]] = []

    def exec(self, argv: list[str], timeout: float) -> tuple[int, bytes]:
        self.argv.append(list(argv))
        if argv[0] == "swapon" and self.on:
            return 255, b"swapon: /dev/zram0: Device or resource busy\n"
        self.on = argv[0] == "swapon" or (self.on and argv[0] == "mkswap")
        return 0, b""

    def read(self, path: str, timeout: float | None = None) -> bytes:
        assert path == "/sys/block/zram0/size"
        return b"524288\n"  # 512-byte sectors: 256 MiB


def test_swap_applets_run_in_the_guest() -> None:
    from android_suite.virtual.qemu import swapctl

    agent = SwapAgent()
    with pytest.raises(FsError) as err:
        swapctl.run_swap_applet(agent, ["swapon", "/dev/zram0"], "/dev/block/zram0")  # type: ignore[arg-type]
    assert err.value.errno_name == "EBUSY"
    swapctl.run_swap_applet(agent, ["swapoff", "/dev/zram0"], "/dev/block/zram0")  # type: ignore[arg-type]
    assert swapctl.mkswap_kb(agent, "/dev/block/zram0") == 262140  # type: ignore[arg-type]
    assert agent.argv[-1] == ["mkswap", "/dev/zram0"]


def test_a_kernel_that_panics_falls_back_to_the_other_slot(tmp_path: Path) -> None:
    clock, launcher = Clock(), FakeLauncher(panic_tag=b"PANIC")
    profile = load_profile("qemu_arm64")
    kernel = QemuKernel(profile, clock, launcher=launcher, work_dir=tmp_path)
    handset = VirtualHandset(profile, name="q", clock=clock, kernel=kernel, off_seconds=0.0)
    handset.bootloader = Bootloader(product="asuite_qemu_arm64", serialno="q", images={"boot_a": boot_image(b"A"),
                                    "boot_b": boot_image(b"B")}, check_images=True)  # fmt: skip
    failures: list[str] = []

    def failed() -> None:  # what compose.py schedules on the event loop
        failures.append(handset.bootloader.active_slot)  # type: ignore[attr-defined]
        handset.bootloader.boot_failed()  # type: ignore[attr-defined]
        handset.request_reboot()

    kernel.on_boot_failed(failed)
    handset.bootloader.contents["boot_a"] = boot_image(b"PANIC")  # type: ignore[attr-defined]
    handset.request_reboot()
    deadline = time.monotonic() + 5
    while not (failures and kernel.ready()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert failures == ["a"] and handset.bootloader.active_slot == "b"  # type: ignore[attr-defined]
    assert b"B" in launcher.booted[-1].kernel.read_bytes()


def test_close_during_a_boot_leaves_no_guest_running(tmp_path: Path) -> None:
    import threading

    from android_suite.virtual.qemu.guest import BootFiles, GuestSlot
    from tests.unit.virtual.qemu.fakeguest import FakeAgent, FakeGuest

    release = threading.Event()
    started: list[FakeGuest] = []

    def slow_launcher(files: BootFiles) -> FakeGuest:
        release.wait(5)
        guest = FakeGuest(FakeAgent())
        started.append(guest)
        return guest

    slot = GuestSlot(slow_launcher, lambda guest: None)
    slot.boot(BootFiles("arm64", tmp_path / "k", tmp_path / "i", ""))
    threading.Timer(0.05, release.set).start()
    slot.stop()  # waits for the boot in flight, which then stops what it started
    assert len(started) == 1 and started[0].stopped and not slot.ready()
