"""mkswap, swapon and swapoff on the modelled zram device (what the zram reset dance needs).

The model has one swap-capable block device, zram0, reachable as
``/dev/block/zram0`` (Android's node) or ``/dev/zram0``. Errors are the
syscalls' errnos as :class:`FsError`, so the commands print them the way
toybox does.

swapoff follows ``try_to_unuse()``: the area stops taking new pages first
(``SWP_WRITEOK`` cleared), then every swapped page of every process is read
back into RAM, reclaiming (file pages, and stalls) as needed; if memory runs
out the area is put back and the call fails with ENOMEM, where a real kernel
would more likely OOM-kill someone first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from android_suite.virtual.api import FsError
from android_suite.virtual.sim import access
from android_suite.virtual.vfs import fs_error

if TYPE_CHECKING:
    from android_suite.virtual.sim.kernel import SimKernel

ZRAM_NODES = ("/dev/block/zram0", "/dev/zram0")


def _zram(k: SimKernel, path: str) -> None:
    if path not in ZRAM_NODES:
        raise fs_error("ENOENT", path)
    if k.config.get("CONFIG_ZRAM") not in ("y", "m"):
        raise fs_error("ENOENT", path)


def mkswap(k: SimKernel, path: str) -> int:
    """Write a swap header; returns the area's size in KiB (what toybox prints)."""
    _zram(k, path)
    zram = k.zram
    if zram.active:
        raise fs_error("EBUSY", path)  # the kernel holds the device exclusively while swapon'd
    if zram.area_pages < 10:
        # An uninitialised zram device has size 0: toybox refuses anything under 40 KiB.
        raise FsError("EINVAL", f"{path}: swap area needs to be at least 40k")
    zram.signature = True
    return zram.area_pages * 4


def swapon(k: SimKernel, path: str, priority: int | None = None) -> None:
    _zram(k, path)
    k.sync()
    zram = k.zram
    if zram.active:
        raise fs_error("EBUSY", path)
    if not zram.signature:
        raise fs_error("EINVAL", path)  # no swap header: sys_swapon cannot read the signature
    zram.active = zram.writeok = True
    # Without -p the kernel assigns -2 on a system whose only area this is.
    zram.priority = priority if priority is not None else -2


def swapoff(k: SimKernel, path: str) -> None:
    _zram(k, path)
    k.sync()
    zram, node = k.zram, k.node
    if not zram.active:
        raise fs_error("EINVAL", path)
    if node.queue_pages:
        # Folios still queued for kcompressd hold swap slots under writeback.
        raise fs_error("EBUSY", path)
    zram.writeok = False
    cost = access.Cost()
    for p in list(node.procs.values()):
        if p.swapped and not access.swap_in_all(node, p, cost, lambda: None):
            zram.writeok = True
            raise fs_error("ENOMEM", path)
    zram.active = False
