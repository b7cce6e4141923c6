"""SimKernel's files, knobs and kernel threads, each rendered from the model at read time.

Which files exist follows the booted kernel's config: ``/proc/pressure/memory``
with CONFIG_PSI, ``/proc/config.gz`` with CONFIG_IKCONFIG_PROC, zram's sysfs
with CONFIG_ZRAM (``bd_stat`` with CONFIG_ZRAM_WRITEBACK), the kcompressd knob
of the variant. Every renderer first advances the model to the handset clock.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from android_suite.virtual.kernel import Knob, ProcessInfo, StaticKernel
from android_suite.virtual.sim import procfiles, render
from android_suite.virtual.sim.procfiles import PF_FORKNOEXEC, PF_KSWAPD, PF_KTHREAD, PF_MEMALLOC, TaskStat
from android_suite.virtual.sim.zram import Zram
from android_suite.virtual.vfs import Renderer, fs_error

if TYPE_CHECKING:
    from android_suite.virtual.sim.kernel import SimKernel

ZRAM = "/sys/block/zram0"
KSWAPD_PID = 120
_SIZE = re.compile(r"^(\d+)([KkMmGg]?)$")


def _static(k: SimKernel) -> StaticKernel:
    """The fixed files (cpuinfo, uptime, boot_id) come from StaticKernel, with the booted release."""
    kernel = dataclasses.replace(k.profile.kernel, release=k.image.release)
    static = StaticKernel(dataclasses.replace(k.profile, kernel=kernel), k.clock)
    static.on_boot(k.boot)
    return static


def files(k: SimKernel) -> dict[str, Renderer]:
    def live(render_fn: Callable[[], bytes]) -> Renderer:
        def renderer() -> bytes:
            k.sync()
            return render_fn()

        return renderer

    out = {p: r for p, r in _static(k).files().items() if not p.startswith(ZRAM)}
    out["/proc/version"] = lambda: f"{k.image.banner}\n".encode()
    out["/proc/meminfo"] = live(lambda: render.meminfo(k.node, k.features))
    out["/proc/vmstat"] = live(lambda: render.vmstat(k.node, k.features, k.config))
    out["/proc/swaps"] = live(lambda: procfiles.swaps(k.zram, k.node.queue_pages))
    if k.config.get("CONFIG_PSI") == "y":
        out["/proc/pressure/memory"] = live(k.psi.render)
    text = k.image.config_text
    if k.config.get("CONFIG_IKCONFIG_PROC") == "y" and text is not None:
        blob = gzip.compress(text.encode(), mtime=0)
        out["/proc/config.gz"] = lambda: blob
    if k.config.get("CONFIG_ZRAM") in ("y", "m"):
        out[f"{ZRAM}/mm_stat"] = live(lambda: k.zram.mm_stat(k.features.mm_stat_fields).encode())
        out[f"{ZRAM}/io_stat"] = live(lambda: procfiles.io_stat(k.zram))
        if k.config.get("CONFIG_ZRAM_WRITEBACK") == "y":
            out[f"{ZRAM}/bd_stat"] = procfiles.bd_stat
    for stat in _task_stats(k):
        out[f"/proc/{stat.pid}/stat"] = live(functools.partial(_stat_of, k, stat.pid))
    return out


def _stat_of(k: SimKernel, pid: int) -> bytes:
    for stat in _task_stats(k):
        if stat.pid == pid:
            return stat.render()
    raise fs_error("ENOENT", f"/proc/{pid}/stat")


def _task_stats(k: SimKernel) -> list[TaskStat]:
    rows = [
        TaskStat(KSWAPD_PID, "kswapd0", "R" if "kswapd" in k.running else "S", 2,
                 PF_KTHREAD | PF_KSWAPD | PF_MEMALLOC | PF_FORKNOEXEC, 0.0, k.kswapd_cpu, 0.3),
    ]  # fmt: skip
    started = k.node.offload_used
    for i, (pid, name) in enumerate(k.kcompressd.thread_names(started)):
        cpu = k.kcompressd_cpu[i] if i < len(k.kcompressd_cpu) else 0.0
        state = "R" if "kcompressd" in k.running else "S"
        # v1's thread lacks PF_MEMALLOC (Nhat Pham's review); it runs on another core than kswapd.
        rows.append(TaskStat(pid, name, state, 2, PF_KTHREAD | PF_FORKNOEXEC, 0.0, cpu, 0.3, processor=1 + i))
    for p in k.node.procs.values():
        rows.append(
            TaskStat(
                p.pid, p.name, "S", 700, 0x400140, p.utime, p.stime, p.start, p.minflt, p.majflt,
                threads=20, vsize=(p.anon_total + p.file_resident + p.file_evicted) * 4096, rss=p.rss,
                kernel_thread=False,
            )
        )  # fmt: skip
    return rows


def threads(k: SimKernel) -> list[ProcessInfo]:
    rows = [r for r in _static(k).threads() if r.name not in ("kswapd0", "kcompressd0")]
    rows.append(ProcessInfo(KSWAPD_PID, 2, "kswapd0", wchan="kswapd", kernel_thread=True,
                            state="R" if "kswapd" in k.running else "S"))  # fmt: skip
    for pid, name in k.kcompressd.thread_names(k.node.offload_used):
        state = "R" if "kcompressd" in k.running else "S"
        rows.append(ProcessInfo(pid, 2, name, wchan="kcompressd", kernel_thread=True, state=state))
    return sorted(rows, key=lambda r: r.pid)


def user_processes(k: SimKernel) -> list[ProcessInfo]:
    """The model's processes as ps rows (forked from zygote64, pid 700)."""
    return [
        ProcessInfo(p.pid, 700, p.name, f"u0_a{p.uid % 100000 - 10000}" if p.uid >= 10000 else "system",
                    (p.anon_total + p.file_resident) * 4 + 1_000_000, p.rss * 4, "do_epoll_wait")
        for p in k.node.procs.values()
    ]  # fmt: skip


def _int_knob(path: str, get: Callable[[], int], put: Callable[[int], None], low: int, high: int) -> Knob:
    def write(data: bytes) -> None:
        text = data.decode(errors="replace").strip()
        # proc_dointvec_minmax: EINVAL for anything but an integer within range.
        if not text.lstrip("-").isdigit() or not low <= int(text) <= high:
            raise fs_error("EINVAL", path)
        put(int(text))

    return Knob(lambda: f"{get()}\n".encode(), write)


def knobs(k: SimKernel) -> dict[str, Knob]:
    node = k.node

    def set_swappiness(v: int) -> None:
        node.swappiness = v

    def set_min_free(v: int) -> None:
        node.min_free_kbytes = v
        node.wm = node.watermarks()

    def set_scale(v: int) -> None:
        node.scale_factor = v
        node.wm = node.watermarks()

    out = {
        "/proc/sys/vm/swappiness": _int_knob("/proc/sys/vm/swappiness", lambda: node.swappiness,
                                             set_swappiness, 0, 200),
        "/proc/sys/vm/min_free_kbytes": _int_knob("/proc/sys/vm/min_free_kbytes", lambda: node.min_free_kbytes,
                                                  set_min_free, 0, 1 << 30),
        "/proc/sys/vm/watermark_scale_factor": _int_knob("/proc/sys/vm/watermark_scale_factor",
                                                         lambda: node.scale_factor, set_scale, 1, 3000),
    }  # fmt: skip
    if k.config.get("CONFIG_ZRAM") in ("y", "m"):
        out.update(_zram_knobs(k, k.zram))
    for path, (render_fn, write_fn) in k.kcompressd.knobs().items():
        out[path] = Knob(render_fn, write_fn)
    return out


def _write_only(path: str) -> Renderer:
    def render() -> bytes:
        raise fs_error("EACCES", path)

    return render


def _zram_knobs(k: SimKernel, zram: Zram) -> dict[str, Knob]:
    def set_algorithm(data: bytes) -> None:
        name = data.decode(errors="replace").strip()
        if zram.disksize:
            raise fs_error("EBUSY", f"{ZRAM}/comp_algorithm")  # "Can't change algorithm for initialized device"
        if name not in zram.ALGORITHMS:
            raise fs_error("EINVAL", f"{ZRAM}/comp_algorithm")
        zram.algorithm = name

    def set_disksize(data: bytes) -> None:
        m = _SIZE.match(data.decode(errors="replace").strip())
        if zram.disksize:
            raise fs_error("EBUSY", f"{ZRAM}/disksize")
        if m is None or not int(m.group(1)):
            raise fs_error("EINVAL", f"{ZRAM}/disksize")
        scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
        # Initialises the device; it becomes swap only after mkswap and swapon.
        zram.set_disksize(int(m.group(1)) * scale)

    def reset(data: bytes) -> None:
        # reset_store: kstrtou16, 0 is EINVAL; EBUSY while the device is open (swapon holds it).
        text = data.decode(errors="replace").strip()
        if not text.isdigit() or not int(text):
            raise fs_error("EINVAL", f"{ZRAM}/reset")
        if zram.active:
            raise fs_error("EBUSY", f"{ZRAM}/reset")
        k.sync()
        zram.reset()

    return {
        f"{ZRAM}/comp_algorithm": Knob(lambda: zram.comp_algorithm().encode(), set_algorithm),
        f"{ZRAM}/disksize": Knob(lambda: f"{zram.disksize}\n".encode(), set_disksize),
        # Since 4.7 zram has one stream per CPU; the attribute reads the CPU count and ignores writes.
        f"{ZRAM}/max_comp_streams": Knob(lambda: f"{k.profile.cores}\n".encode(), lambda _data: None),
        # Write-only in the kernel (0200); reading it as root still fails.
        f"{ZRAM}/reset": Knob(_write_only(f"{ZRAM}/reset"), reset, mode=0o200),
    }
