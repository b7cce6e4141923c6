"""The kernel behind a virtual handset, as an interface plus a static backend.

The handset asks a :class:`KernelBackend` for everything kernel-owned: files
under ``/proc`` and ``/sys`` (rendered at read time), writable knobs, kernel
threads for ``ps`` and ``uname`` data. It never invents kernel numbers itself,
so a modelled kernel (SimKernel) or a real one under QEMU can replace
:class:`StaticKernel` without touching the shell or the adb endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from android_suite.virtual.api import BootState
from android_suite.virtual.profile import Profile
from android_suite.virtual.vfs import Renderer, WriteHandler, fs_error


@dataclass(frozen=True)
class ProcessInfo:
    """One row of ``ps -A`` (sizes in KiB, as toybox prints them)."""

    pid: int
    ppid: int
    name: str  # kernel threads without brackets; ps adds them
    user: str = "root"
    vsz_kb: int = 0
    rss_kb: int = 0
    wchan: str = "0"
    state: str = "S"
    kernel_thread: bool = False


@dataclass(frozen=True)
class UnameInfo:
    sysname: str
    nodename: str
    release: str
    version: str
    machine: str


@dataclass(frozen=True)
class Knob:
    """A writable kernel file; ``on_write`` validates and may raise FsError."""

    render: Renderer
    on_write: WriteHandler
    mode: int = 0o644


class KernelBackend(Protocol):
    """What the handset needs from a kernel, whichever kind it is."""

    #: how results from this kernel are labelled: "virtual-sim" (a model) or
    #: "virtual-qemu" (a real kernel under QEMU); surfaces as DeviceInfo.kind.
    kind: str

    def files(self) -> Mapping[str, Renderer]:
        """Read-only files (absolute paths under /proc and /sys) and their renderers."""
        ...

    def knobs(self) -> Mapping[str, Knob]:
        """Writable files (sysctls, sysfs attributes)."""
        ...

    def threads(self) -> list[ProcessInfo]:
        """Kernel threads, for ps."""
        ...

    def uname(self) -> UnameInfo: ...

    def on_boot(self, boot: BootState) -> None:
        """A (re)boot started: reset runtime state, remember the new boot_id."""
        ...


@runtime_checkable
class SwapControl(Protocol):
    """Swap areas, for a kernel backend that can run mkswap/swapon/swapoff (errors: FsError)."""

    def mkswap(self, path: str) -> int:
        """Write a swap header on ``path``; returns the area's size in KiB."""
        ...

    def swapon(self, path: str, priority: int | None = None) -> None: ...

    def swapoff(self, path: str) -> None: ...


class StaticKernel:
    """Fixed numbers from the profile; only uptime and boot_id move.

    Args:
        profile: the handset profile (kernel identity, CPUs, RAM, zram).
        clock: the handset's monotonic clock (same one as ``BootState.booted_at``).
    """

    kind = "virtual-sim"

    def __init__(self, profile: Profile, clock: Callable[[], float] = time.monotonic) -> None:
        self._profile = profile
        self._clock = clock
        self._boot = BootState(boot_id="00000000-0000-0000-0000-000000000000", booted_at=clock())
        self._swappiness = 100  # Android's init.rc sets vm.swappiness=100 since Android 11

    def on_boot(self, boot: BootState) -> None:
        self._boot = boot
        self._swappiness = 100  # sysctls do not survive a reboot

    def uname(self) -> UnameInfo:
        k = self._profile.kernel
        return UnameInfo("Linux", "localhost", k.release, k.version, "aarch64")

    def threads(self) -> list[ProcessInfo]:
        cores = self._profile.cores
        rows = [ProcessInfo(2, 0, "kthreadd", wchan="kthreadd", kernel_thread=True)]
        pid = 3
        for name in ("rcu_gp", "rcu_par_gp", "slub_flushwq", "netns", "mm_percpu_wq", "rcu_tasks_kthread"):
            rows.append(ProcessInfo(pid, 2, name, wchan="rescuer_thread", kernel_thread=True))
            pid += 1
        for cpu in range(cores):
            rows.append(ProcessInfo(pid, 2, f"ksoftirqd/{cpu}", wchan="smpboot_thread_fn", kernel_thread=True))
            pid += 1
        rows.append(ProcessInfo(pid, 2, "oom_reaper", wchan="oom_reaper", kernel_thread=True))
        # kswapd0 and kcompressd0 are what the suite samples (/proc/<pid>/stat CPU time).
        rows.append(ProcessInfo(120, 2, "kswapd0", wchan="kswapd", kernel_thread=True))
        if self._profile.kernel.has_kcompressd:
            rows.append(ProcessInfo(121, 2, "kcompressd0", wchan="kcompressd", kernel_thread=True))
        return rows

    def files(self) -> Mapping[str, Renderer]:
        return {
            "/proc/version": self._version,
            "/proc/cpuinfo": self._cpuinfo,
            "/proc/meminfo": self._meminfo,
            "/proc/uptime": self._uptime,
            "/proc/loadavg": lambda: b"1.87 1.62 1.41 2/1532 9873\n",
            "/proc/swaps": self._swaps,
            "/proc/sys/kernel/random/boot_id": lambda: f"{self._boot.boot_id}\n".encode(),
            "/proc/sys/kernel/osrelease": lambda: f"{self._profile.kernel.release}\n".encode(),
            "/sys/devices/system/cpu/online": self._cpu_range,
            "/sys/devices/system/cpu/possible": self._cpu_range,
            "/sys/devices/system/cpu/present": self._cpu_range,
            "/sys/block/zram0/disksize": lambda: f"{(self._profile.swap_total_kb + 4) * 1024}\n".encode(),
        }

    def knobs(self) -> Mapping[str, Knob]:
        return {"/proc/sys/vm/swappiness": Knob(lambda: f"{self._swappiness}\n".encode(), self._set_swappiness)}

    def _set_swappiness(self, data: bytes) -> None:
        text = data.decode(errors="replace").strip()
        # The sysctl handler accepts 0..200 (since 5.8) and rejects anything else with EINVAL.
        if not text.isdigit() or not 0 <= int(text) <= 200:
            raise fs_error("EINVAL", "/proc/sys/vm/swappiness")
        self._swappiness = int(text)

    def _version(self) -> bytes:
        k = self._profile.kernel
        return f"Linux version {k.release} {k.build} {k.version}\n".encode()

    def _cpu_range(self) -> bytes:
        return f"0-{self._profile.cores - 1}\n".encode()

    def _uptime(self) -> bytes:
        up = max(0.0, self._clock() - self._boot.booted_at)
        # Second field is summed idle time of all CPUs; a mostly idle phone.
        return f"{up:.2f} {up * self._profile.cores * 0.85:.2f}\n".encode()

    def _cpuinfo(self) -> bytes:
        p = self._profile
        blocks: list[str] = []
        cpu = 0
        for cluster in p.clusters:
            for _ in range(cluster.count):
                # "CPU architecture:" has no tab before the colon, unlike the other keys.
                blocks.append(
                    f"processor\t: {cpu}\nBogoMIPS\t: {p.bogomips}\nFeatures\t: {p.cpu_features}\n"
                    f"CPU implementer\t: {cluster.implementer}\nCPU architecture: 8\n"
                    f"CPU variant\t: {cluster.variant}\nCPU part\t: {cluster.part}\n"
                    f"CPU revision\t: {cluster.revision}\n\n"
                )
                cpu += 1
        return "".join(blocks).encode()

    def _meminfo(self) -> bytes:
        total = self._profile.mem_total_kb
        swap = self._profile.swap_total_kb

        def part(frac: float) -> int:
            return int(total * frac)

        rows: list[tuple[str, int]] = [
            ("MemTotal", total), ("MemFree", part(0.06)), ("MemAvailable", part(0.41)),
            ("Buffers", part(0.004)), ("Cached", part(0.36)), ("SwapCached", part(0.003)),
            ("Active", part(0.31)), ("Inactive", part(0.30)), ("Active(anon)", part(0.12)),
            ("Inactive(anon)", part(0.13)), ("Active(file)", part(0.19)), ("Inactive(file)", part(0.17)),
            ("Unevictable", part(0.02)), ("Mlocked", part(0.004)), ("SwapTotal", swap),
            ("SwapFree", int(swap * 0.68)), ("Dirty", 412), ("Writeback", 0), ("AnonPages", part(0.24)),
            ("Mapped", part(0.14)), ("Shmem", part(0.012)), ("KReclaimable", part(0.03)),
            ("Slab", part(0.055)), ("SReclaimable", part(0.022)), ("SUnreclaim", part(0.033)),
            ("KernelStack", 61184), ("ShadowCallStack", 15296), ("PageTables", part(0.014)),
        ]  # fmt: skip
        if not self._profile.kernel.release.startswith("5."):
            rows.append(("SecPageTables", 0))  # added in 6.0
        rows += [
            ("NFS_Unstable", 0), ("Bounce", 0), ("WritebackTmp", 0),
            ("CommitLimit", total // 2 + swap), ("Committed_AS", part(9.8)),
            ("VmallocTotal", 263061440), ("VmallocUsed", 231424), ("VmallocChunk", 0),
            ("Percpu", 8832), ("AnonHugePages", 0), ("ShmemHugePages", 0), ("ShmemPmdMapped", 0),
            ("FileHugePages", 0), ("FilePmdMapped", 0), ("CmaTotal", 229376), ("CmaFree", 1024),
        ]  # fmt: skip
        # Linux pads "Name:" to 16 columns and the value to 8 (show_val_kb).
        return "".join(f"{name + ':':<16}{value:>8} kB\n" for name, value in rows).encode()

    def _swaps(self) -> bytes:
        header = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
        size = self._profile.swap_total_kb
        if not size:
            return header.encode()
        used = size - int(size * 0.68)
        return (header + f"{'/dev/block/zram0':<40}partition\t{size}\t\t{used}\t\t-2\n").encode()
