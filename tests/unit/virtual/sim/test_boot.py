"""Kernel images, calibration, and booting a SimKernel through the handset's bootloader."""

from __future__ import annotations

import asyncio
import gzip
import random

import lz4.block
import pytest

from android_suite.virtual.bootimg import build_boot_image
from android_suite.virtual.bootloader import Bootloader
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.memory_api import ProcSpec
from android_suite.virtual.profile import load_profile
from android_suite.virtual.shell import BufferIO
from android_suite.virtual.sim import SimKernel, profile_kernel
from android_suite.virtual.sim.calibrate import HUGE_CLASS_SIZE, PAGE_SIZE, calibrate, make_page
from android_suite.virtual.sim.kimage import (
    build_kernel_image,
    config_text,
    default_config,
    parse_config,
    parse_kernel_image,
    variant_of,
)
from tests.unit.virtual.sim.simkit import Clock

RELEASE = "6.1.75-android14-11-gkcompressd"


def test_kernel_image_round_trip() -> None:
    config = default_config("unofficial", zram_comp="zstd")
    for gzipped in (False, True):
        image = parse_kernel_image(build_kernel_image(RELEASE, config, gzipped=gzipped))
        assert image is not None and image.release == RELEASE and image.variant == "unofficial"
        assert image.banner.startswith(f"Linux version {RELEASE} (") and image.string("CONFIG_ZRAM_DEF_COMP") == "zstd"
        assert image.config_text is not None and parse_config(image.config_text) == config
    bare = parse_kernel_image(b"\0" * 64 + f"Linux version {RELEASE} (ci)\n".encode())
    assert bare is not None and bare.config is None and bare.variant == "none"
    assert parse_kernel_image(b"not a kernel") is None
    assert "# CONFIG_KCOMPRESSD is not set" in config_text({"CONFIG_KCOMPRESSD": "n"})


@pytest.mark.parametrize(
    ("config", "variant"),
    [
        ({}, "none"),
        ({"CONFIG_KCOMPRESSD": "n"}, "none"),
        ({"CONFIG_KCOMPRESSD": "y"}, "v1"),
        ({"CONFIG_KCOMPRESSD": "y", "CONFIG_KCOMPRESSD_SYSCTL": "y"}, "unofficial"),
        ({"CONFIG_KCOMPRESSD": "m"}, "rfc"),
        ({"CONFIG_KCOMPRESSD": "y", "CONFIG_KCOMPRESSD_RFC": "y"}, "rfc"),
    ],
)
def test_variant_from_config(config: dict[str, str], variant: str) -> None:
    assert variant_of(config) == variant


def test_calibration_is_real_lz4_and_cached() -> None:
    cal = calibrate("lz4")
    assert calibrate("lz4") is cal and cal.backend == "lz4.block"
    rng = random.Random(1)
    pages = [make_page(rng, 0.3) for _ in range(32)]
    sizes = [len(lz4.block.compress(p, store_size=False)) for p in pages]
    measured = sum(PAGE_SIZE if s >= HUGE_CLASS_SIZE else s for s in sizes) / len(sizes)
    assert abs(cal.at(0.3).stored_bytes - measured) / measured < 0.05
    ratios = [cal.at(x / 10).ratio for x in range(11)]
    assert ratios == sorted(ratios, reverse=True) and ratios[-1] == 1.0  # random pages are stored whole
    assert cal.at(1.0).huge_fraction == 1.0 and cal.at(0.0).huge_fraction == 0.0
    assert all(p.compress_s > 0 and p.decompress_s > 0 for p in cal.points)
    assert calibrate("lzo-rle").backend.endswith("(stand-in for lzo)")


def make_handset(profile: str = "generic_arm") -> tuple[VirtualHandset, Bootloader, Clock]:
    clock = Clock()
    clock.now = 100.0
    handset = VirtualHandset(load_profile(profile), name="vh-sim", clock=clock)
    factory = build_boot_image(profile_kernel(handset.profile))
    bootloader = Bootloader("vphone", "vh-sim", images={"boot_a": factory, "boot_b": factory})
    handset.bootloader = bootloader
    return handset, bootloader, clock


def sh(handset: VirtualHandset, command: str) -> str:
    io = BufferIO()
    asyncio.run(handset.shell.run(command, io))
    return io.out


def boot(handset: VirtualHandset, clock: Clock) -> None:
    handset.request_reboot()
    clock.now += handset.off_seconds + handset.profile.boot_seconds


def test_handset_runs_the_model_by_default() -> None:
    handset, _, _ = make_handset("mediatek")
    assert isinstance(handset.kernel, SimKernel)
    assert sh(handset, "cat /proc/sys/vm/kcompressd") == "24\n"  # the factory kernel: Kcompressd-Unofficial
    assert "[kcompressd0]" in sh(handset, "ps -A")


def test_flashed_kcompressd_kernel_shows_its_thread_and_reverting_removes_it() -> None:
    handset, bootloader, clock = make_handset("generic_arm")
    assert "kcompressd0" not in sh(handset, "ps -A")
    kernel = build_kernel_image(RELEASE, default_config("v1"))
    bootloader.flash("boot_b", build_boot_image(kernel))
    bootloader.set_active("b")
    boot(handset, clock)
    assert bootloader.active_slot == "b" and bootloader.state("b").successful
    assert "[kcompressd0]" in sh(handset, "ps -A")
    assert sh(handset, "uname -r") == f"{RELEASE}\n"
    assert "CONFIG_KCOMPRESSD=y" in gzip.decompress(handset.fs.read("/proc/config.gz")).decode()
    assert sh(handset, "cat /proc/sys/vm/kcompressd") == ""  # v1 has no knob
    # Back to slot a (no kcompressd): the thread is gone after the reboot.
    bootloader.set_active("a")
    boot(handset, clock)
    assert "kcompressd0" not in sh(handset, "ps -A")
    assert sh(handset, "uname -r") == f"{handset.profile.kernel.release}\n"


def test_corrupt_image_falls_back_to_the_other_slot() -> None:
    handset, bootloader, clock = make_handset("mediatek")
    bootloader.flash("boot_b", b"ANDROID!" + b"\xff" * 100)  # truncated header
    bootloader.set_active("b")
    boot(handset, clock)
    assert bootloader.active_slot == "a" and handset.mode == "android"
    assert sh(handset, "cat /proc/sys/vm/kcompressd") == "24\n"
    # A valid boot image whose kernel has no banner never comes up either.
    bootloader.flash("boot_b", build_boot_image(b"\0" * 4096))
    bootloader.set_active("b")
    boot(handset, clock)
    assert bootloader.active_slot == "a" and bootloader.state("b").unbootable
    # Nothing bootable: the phone stays in the bootloader, where fastboot can still flash it.
    bootloader.flash("boot_a", b"")
    bootloader.set_active("b")
    boot(handset, clock)
    assert handset.mode == "bootloader"


def test_model_files_follow_processes_through_the_handset() -> None:
    handset, _, _ = make_handset("mediatek")
    kernel = handset.kernel
    assert isinstance(kernel, SimKernel)
    pid = kernel.spawn(ProcSpec("com.example.app", anon_kb=4096))
    assert sh(handset, f"cat /proc/{pid}/stat").startswith(f"{pid} (com.example.app) S ")
    kernel.exit(pid)
    assert sh(handset, f"cat /proc/{pid}/stat") == ""
    assert sh(handset, "cat /proc/vmstat").startswith("nr_free_pages ")
