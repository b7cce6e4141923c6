"""The kcompressd variants (docs/kcompressd.md): threads, queue depth, knobs.

=============  ======================  ================================  ==========================
variant        threads                 queue                             knob
=============  ======================  ================================  ==========================
none           -                       - (kswapd compresses inline)      -
v1             kcompressd0             256-slot FIFO                     none
unofficial     kcompressd0             depth = vm.kcompressd (24)        /proc/sys/vm/kcompressd 0..256, 0 = off
rfc            kcompressd:<i>, from    nr_kcompressd (4) x               /sys/module/kcompressd/parameters/
               the first queued write  queue_size_per_kcompressd (4096)  nr_kcompressd, queue_size_per_kcompressd
=============  ======================  ================================  ==========================

The RFC's parameter ranges are not documented; the model accepts positive integers.
"""

from __future__ import annotations

from collections.abc import Callable

from android_suite.virtual.vfs import fs_error

SYSCTL = "/proc/sys/vm/kcompressd"
RFC_PARAMS = "/sys/module/kcompressd/parameters"
V1_DEPTH = 256
UNOFFICIAL_DEFAULT, UNOFFICIAL_MAX = 24, 256
RFC_THREADS, RFC_QUEUE = 4, 4096
KCOMPRESSD_PID = 121  # next to kswapd0 (120): both start in kswapd_run()

Knob = tuple[Callable[[], bytes], Callable[[bytes], None]]


def _parse_int(data: bytes, path: str, low: int, high: int) -> int:
    text = data.decode(errors="replace").strip()
    if not text.lstrip("-").isdigit() or not low <= int(text) <= high:
        raise fs_error("EINVAL", path)
    return int(text)


class Kcompressd:
    """Runtime state of whichever variant the booted kernel was built with."""

    def __init__(self, variant: str) -> None:
        self.variant = variant
        self.sysctl = UNOFFICIAL_DEFAULT
        self.nr = RFC_THREADS
        self.queue_size = RFC_QUEUE

    @property
    def threads(self) -> int:
        """Compression threads that drain the queue."""
        return {"none": 0, "v1": 1, "unofficial": 1, "rfc": self.nr}[self.variant]

    @property
    def capacity(self) -> int:
        """Queue slots (folios); 0 means kswapd compresses inline."""
        if self.variant == "v1":
            return V1_DEPTH
        if self.variant == "unofficial":
            return self.sysctl
        if self.variant == "rfc":
            return self.nr * self.queue_size
        return 0

    def thread_names(self, started: bool) -> list[tuple[int, str]]:
        """(pid, comm) of the threads ps shows; the RFC starts its threads on first use."""
        if self.variant in ("v1", "unofficial"):
            return [(KCOMPRESSD_PID, "kcompressd0")]
        if self.variant == "rfc" and started:
            return [(KCOMPRESSD_PID + 1 + i, f"kcompressd:{i}") for i in range(self.nr)]
        return []

    def knobs(self) -> dict[str, Knob]:
        if self.variant == "unofficial":
            return {SYSCTL: (lambda: f"{self.sysctl}\n".encode(), self._set_sysctl)}
        if self.variant == "rfc":
            return {
                f"{RFC_PARAMS}/nr_kcompressd": (lambda: f"{self.nr}\n".encode(), self._set_nr),
                f"{RFC_PARAMS}/queue_size_per_kcompressd": (lambda: f"{self.queue_size}\n".encode(), self._set_qs),
            }
        return {}

    def _set_sysctl(self, data: bytes) -> None:
        self.sysctl = _parse_int(data, SYSCTL, 0, UNOFFICIAL_MAX)

    def _set_nr(self, data: bytes) -> None:
        self.nr = _parse_int(data, f"{RFC_PARAMS}/nr_kcompressd", 1, 64)

    def _set_qs(self, data: bytes) -> None:
        self.queue_size = _parse_int(data, f"{RFC_PARAMS}/queue_size_per_kcompressd", 1, 1 << 20)
