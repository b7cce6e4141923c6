"""What a handset's memory reclaim looks like: the records :mod:`detect` fills in.

Every fact that could not be read is None, never a guess: a kernel without
zswap has ``zswap_enabled=None``, not False. See shared/docs/kcompressd.md for
the variants and for when offload engages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from android_suite.parsers.swaps import SwapArea

#: kcompressd mechanisms, by how the running kernel exposes it.
MECHANISMS = ("none", "build", "sysctl", "module")
SYSCTL_PATH = "/proc/sys/vm/kcompressd"
MODULE_PARAMS = "/sys/module/kcompressd/parameters"
ZSWAP_ENABLED = "/sys/module/zswap/parameters/enabled"
LRU_GEN_ENABLED = "/sys/kernel/mm/lru_gen/enabled"
SWAPPINESS = "/proc/sys/vm/swappiness"


@dataclass(frozen=True)
class ZramDevice:
    """One ``/sys/block/zram<id>``.

    Attributes:
        name: ``zram0``.
        algorithm: the selected ``comp_algorithm`` (None: unreadable or none bracketed).
        algorithms: every algorithm the kernel lists (None: unreadable).
        disksize: bytes (0: not initialised).
        max_comp_streams: as read; since 4.7 the kernel ignores writes and
            uses one stream per CPU whatever this says.
        backing_dev: writeback device path; None when none is set (the file
            says ``none``) or the kernel lacks CONFIG_ZRAM_WRITEBACK.
        swap: its ``/proc/swaps`` row when it is an active swap area.
    """

    name: str
    algorithm: str | None = None
    algorithms: tuple[str, ...] | None = None
    disksize: int | None = None
    max_comp_streams: int | None = None
    backing_dev: str | None = None
    swap: SwapArea | None = None

    @property
    def swap_active(self) -> bool:
        return self.swap is not None


@dataclass(frozen=True)
class ReclaimSetup:
    """The reclaim configuration of one handset at one moment.

    Attributes:
        serial: the handset.
        proc_version: the ``/proc/version`` line (identifies the booted kernel).
        product: ``ro.product.device`` (what fastboot calls ``product``).
        mechanism: ``none``, ``build`` (v1: ``kcompressd<nid>`` and no knob),
            ``sysctl`` (Kcompressd-Unofficial / ABK backport: ``vm.kcompressd``),
            ``module`` (March 2025 RFC: module parameters); None when the
            thread list could not be read and no knob settles it.
        sysctl_value: ``vm.kcompressd`` (0 = off, else the queue depth).
        nr_kcompressd / queue_size_per_kcompressd: the RFC's parameters.
        kcompressd_threads / kswapd_threads: thread names from ps (None: ps unreadable).
        offload_active: kcompressd can take work now (thread and non-zero
            knob; for the RFC, non-zero ``nr_kcompressd``: its threads start on
            the first queued write). None when unknown.
        zram: the zram devices, in name order.
        swaps: ``/proc/swaps`` rows (None: unreadable).
        zswap_enabled: ``/sys/module/zswap/parameters/enabled`` (None: no zswap).
        swappiness: ``vm.swappiness``.
        mglru_mask: ``/sys/kernel/mm/lru_gen/enabled`` (None: no MGLRU).
        kernel_config: CONFIG_* -> value from /proc/config.gz (None: not available).
        notes: observations worth a human's look (unreadable files, odd combinations).
    """

    serial: str
    proc_version: str | None = None
    product: str | None = None
    mechanism: str | None = None
    sysctl_value: int | None = None
    nr_kcompressd: int | None = None
    queue_size_per_kcompressd: int | None = None
    kcompressd_threads: tuple[str, ...] | None = None
    kswapd_threads: tuple[str, ...] | None = None
    offload_active: bool | None = None
    zram: tuple[ZramDevice, ...] = ()
    swaps: tuple[SwapArea, ...] | None = None
    zswap_enabled: bool | None = None
    swappiness: int | None = None
    mglru_mask: int | None = None
    kernel_config: Mapping[str, str] | None = None
    notes: tuple[str, ...] = ()

    @property
    def mglru_enabled(self) -> bool | None:
        """MGLRU's core switch (bit 0 of the mask)."""
        return None if self.mglru_mask is None else bool(self.mglru_mask & 1)

    @property
    def zram_swap_active(self) -> bool:
        return any(z.swap_active for z in self.zram)

    @property
    def offload_possible(self) -> bool | None:
        """Whether kcompressd could engage: active, and zram swap or zswap in use.

        zswap only sees pages if some swap area exists behind it.
        """
        if self.offload_active is None:
            return None
        zswap = bool(self.zswap_enabled) and bool(self.swaps)
        return self.offload_active and (self.zram_swap_active or zswap)

    def to_dict(self, *, with_config: bool = True) -> dict[str, Any]:
        """Plain data for results (JSON-safe); ``with_config=False`` drops the kernel config."""
        out = dataclasses.asdict(self)
        out["kernel_config"] = dict(self.kernel_config) if with_config and self.kernel_config is not None else None
        out["mglru_enabled"] = self.mglru_enabled
        out["offload_possible"] = self.offload_possible
        for key in ("kcompressd_threads", "kswapd_threads", "notes"):
            out[key] = list(out[key]) if out[key] is not None else None
        return out
