"""The zram reset dance on the modelled kernel: swapoff, reset, algorithm, disksize, mkswap, swapon."""

from __future__ import annotations

import pytest

from android_suite.virtual.sim.calibrate import PAGE_SIZE
from android_suite.virtual.vfs import FsError
from tests.unit.virtual.sim.simkit import eat, make_kernel, vmstat

ZRAM = "/sys/block/zram0"
DEV = "/dev/block/zram0"


def errno_of(call: object, *args: object) -> str:
    with pytest.raises(FsError) as info:
        call(*args)  # type: ignore[operator]
    return info.value.errno_name


def test_reset_dance_moves_swapped_pages_back_and_switches_algorithm() -> None:
    kernel, clock = make_kernel()
    knobs = kernel.knobs()
    eat(kernel, clock, 0.05, keep=True)
    swapped = kernel.zram.slots_used
    assert swapped > 0
    assert errno_of(knobs[f"{ZRAM}/reset"].on_write, b"1\n") == "EBUSY"  # still swapon'd
    pswpin = vmstat(kernel)["pswpin"]
    kernel.swapoff(DEV)
    assert kernel.zram.slots_used == 0 and kernel.zram.swap_pages == 0
    assert vmstat(kernel)["pswpin"] > pswpin  # try_to_unuse read the pages back
    assert kernel.files()["/proc/swaps"]().count(b"\n") == 1
    assert errno_of(kernel.swapoff, DEV) == "EINVAL"  # not a swap area any more
    assert errno_of(knobs[f"{ZRAM}/reset"].on_write, b"0\n") == "EINVAL"
    knobs[f"{ZRAM}/reset"].on_write(b"1\n")
    assert knobs[f"{ZRAM}/disksize"].render() == b"0\n"
    assert errno_of(kernel.mkswap, DEV) == "EINVAL"  # a reset device has no size
    knobs[f"{ZRAM}/comp_algorithm"].on_write(b"zstd\n")
    knobs[f"{ZRAM}/disksize"].on_write(b"128M\n")
    assert errno_of(kernel.swapon, DEV, None) == "EINVAL"  # no swap header yet
    assert kernel.mkswap(DEV) == (128 * 1024 * 1024 // PAGE_SIZE - 1) * 4
    kernel.swapon(DEV, None)
    assert errno_of(kernel.swapon, DEV, None) == "EBUSY"
    assert errno_of(kernel.mkswap, DEV) == "EBUSY"
    assert kernel.files()["/proc/swaps"]().split()[-1] == b"-2"
    eat(kernel, clock, 0.05, keep=True)
    assert kernel.zram.compr > 0 and kernel.zram.cal is not None and kernel.zram.cal.algorithm == "zstd"


def test_swap_commands_reject_other_devices() -> None:
    kernel, _ = make_kernel()
    assert errno_of(kernel.swapoff, "/dev/block/sda") == "ENOENT"
    assert errno_of(kernel.mkswap, "/data/swapfile") == "ENOENT"
