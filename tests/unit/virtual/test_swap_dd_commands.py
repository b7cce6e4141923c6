"""toybox dd, mkswap, swapon and swapoff on the virtual handset (the zram reset dance and boot-partition reads)."""

from __future__ import annotations

import asyncio

from android_suite.virtual.bootimg import build_boot_image
from android_suite.virtual.bootloader import Bootloader
from android_suite.virtual.commands.context import ROOT_UID, SHELL_UID
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.shell import BufferIO
from android_suite.virtual.sim.kimage import profile_kernel


def sh(handset: VirtualHandset, command: str, *, root: bool = True) -> tuple[int, str, str]:
    io = BufferIO(b"")
    status = asyncio.run(handset.shell.run_as(command, io, ROOT_UID if root else SHELL_UID))
    return status, io.out, io.err


def test_reset_dance_through_the_shell() -> None:
    h = VirtualHandset(load_profile("mediatek"), name="vh-swap")
    assert sh(h, "swapoff /dev/block/zram0")[0] == 0
    assert sh(h, "cat /proc/swaps")[1].count("\n") == 1
    assert sh(h, "swapoff /dev/block/zram0") == (1, "", "swapoff: failed to remove swaparea: Invalid argument\n")
    assert sh(h, "echo 1 > /sys/block/zram0/reset; echo zstd > /sys/block/zram0/comp_algorithm")[0] == 0
    assert sh(h, "echo 268435456 > /sys/block/zram0/disksize")[0] == 0
    status, out, _ = sh(h, "mkswap /dev/block/zram0")
    assert status == 0 and out.startswith(f"Swapspace size: {(65536 - 1) * 4}k, LABEL=(null), UUID=")
    assert sh(h, "swapon -p 5 /dev/block/zram0")[0] == 0
    assert sh(h, "swapon /dev/block/zram0") == (1, "", "swapon: '/dev/block/zram0': Device or resource busy\n")
    assert sh(h, "cat /proc/swaps")[1].split()[-1] == "5"
    # The shell user has no CAP_SYS_ADMIN.
    assert sh(h, "swapoff /dev/block/zram0", root=False) == (
        1,
        "",
        "swapoff: '/dev/block/zram0': Operation not permitted\n",
    )


def test_dd_reads_a_boot_partition_padded_to_its_size() -> None:
    profile = load_profile("mediatek")
    h = VirtualHandset(profile, name="vh-dd")
    image = build_boot_image(profile_kernel(profile))
    h.bootloader = Bootloader(product="rubens", serialno="vh-dd", images={"boot_a": image, "boot_b": image})
    status, _, err = sh(h, "dd if=/dev/block/by-name/boot_a of=/data/local/tmp/boot.img bs=1048576")
    assert status == 0 and err.startswith("64+0 records in\n64+0 records out\n67108864 bytes")
    data = h.fs.read("/data/local/tmp/boot.img")
    assert data.startswith(image) and len(data) == 64 << 20 and not data[len(image) :].strip(b"\0")
    assert sh(h, "dd if=/dev/block/by-name/nope of=/x")[2] == "dd: /dev/block/by-name/nope: No such file or directory\n"
    assert sh(h, "dd if=/x conv=sync")[0] == 1  # unmodelled operands fail loudly
