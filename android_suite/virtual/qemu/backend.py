"""QemuKernel: a real Linux kernel under QEMU behind a virtual handset (``kind = "virtual-qemu"``).

A :class:`~android_suite.virtual.kernel.KernelBackend` whose files and knobs
forward every read and write to the guest agent, so ``/proc/vmstat``, zram's
``mm_stat``, PSI, ``/proc/<pid>/stat`` of ``kswapd0``/``kcompressd0`` and the
``vm.kcompressd`` sysctl are the guest kernel's own. It is also the
framework's MemoryBackend (delegating to :class:`~.apps.GuestMemory`).

Boot cycle: the handset hands over the active slot's boot image
(:meth:`load_boot_image`: kernel + ramdisk + cmdline, see ``guestfacts``);
:meth:`on_boot` (re)starts QEMU with it in a thread; :meth:`ready` turns true
once the guest agent answered, which gates ``sys.boot_completed``. So
flashing the stock, v1 or sysctl build with fastboot and rebooting really
changes the kernel. Reads before the guest is up fail with EIO.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from android_suite.errors import SuiteError
from android_suite.virtual.api import BootState, FsError
from android_suite.virtual.kernel import Knob, ProcessInfo, UnameInfo
from android_suite.virtual.memory_api import KillEvent, ProcSpec, TouchResult
from android_suite.virtual.profile import Profile, QemuSettings
from android_suite.virtual.qemu import paths, swapctl
from android_suite.virtual.qemu.apps import GuestMemory
from android_suite.virtual.qemu.guest import AgentLike, BootFiles, Guest, GuestSlot, Launcher, write_boot_files
from android_suite.virtual.qemu.guestfacts import GuestTask, parse_task_stats, split_boot_image
from android_suite.virtual.vfs import Renderer

log = logging.getLogger(__name__)
_MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
_BANNER = re.compile(r"Linux version (\S+) .*?(#\d+.*)$")
THREADS_TTL_S = 1.0  # ps and the sampler's pid lookup may ask often; the guest's thread set rarely changes


def _fs_error(exc: BaseException, path: str) -> FsError:
    if isinstance(exc, OSError) and exc.errno:
        return FsError(errno.errorcode.get(exc.errno, "EIO"), f"{path}: {os.strerror(exc.errno)}")
    return FsError("EIO", f"{path}: I/O error ({exc})")


class QemuKernel:
    """See the module docstring.

    Args:
        profile: the handset; ``profile.qemu`` gives arch, CPUs and RAM.
        clock: the handset's monotonic clock.
        launcher: boots a guest from kernel + initramfs files (default: QEMU via ``machine.py``).
        work_dir: where boot images are unpacked for QEMU.
        image: what to boot when no boot image was handed over (a handset without a bootloader).
    """

    kind = "virtual-qemu"

    def __init__(
        self,
        profile: Profile,
        clock: Callable[[], float] = time.monotonic,
        *,
        launcher: Launcher,
        work_dir: Path,
        image: BootFiles | None = None,
    ) -> None:
        self.profile = profile
        self.settings = profile.qemu or QemuSettings()
        self.clock = clock
        self.work_dir = work_dir
        self.boot = BootState(boot_id="00000000-0000-0000-0000-000000000000", booted_at=clock())
        self._image = image
        self._slot = GuestSlot(launcher, self._guest_up)
        self._watchers: list[Callable[[], None]] = []
        self._pending_notify = False
        self._present: frozenset[str] = frozenset(paths.READ_ONLY + paths.KNOBS)
        self._task_pids: dict[int, str] = {}  # guest pid -> name, whose /proc/<pid>/* files are published
        self._tasks: tuple[float, list[GuestTask]] = (float("-inf"), [])
        self._uname = UnameInfo("Linux", "localhost", profile.kernel.release, profile.kernel.version,
                                _MACHINES.get(self.settings.arch, "aarch64"))  # fmt: skip
        self.memory = GuestMemory(profile, self.agent, self._since_boot, self.console_text, self.reclaim_pids)

    # -- boot cycle ---------------------------------------------------------------
    def load_boot_image(self, data: bytes) -> bool:
        """Take the kernel + initramfs of a boot image for the next boot; False if QEMU cannot boot it."""
        payload = split_boot_image(data)
        if payload is None or payload.arch != self.settings.arch or not payload.ramdisk:
            return False
        self._image = write_boot_files(payload, self.work_dir)
        return True

    def on_boot(self, boot: BootState) -> None:
        self.boot = boot
        self.memory.reset()
        self._task_pids = {}
        self._tasks = (float("-inf"), [])
        if self._image is None:
            self._slot.stop()
            return
        self._slot.boot(self._image)
        self._notify()

    def _guest_up(self, guest: Guest) -> None:
        """In the boot thread, once the agent answers: learn which files exist and the banner."""
        agent = guest.agent
        _, out = agent.exec(paths.probe_argv(paths.READ_ONLY + paths.KNOBS), timeout=60.0)
        self._present = frozenset(out.decode(errors="replace").split())
        banner = agent.read("/proc/version").decode(errors="replace").strip()
        m = _BANNER.match(banner)
        if m:
            self._uname = UnameInfo("Linux", "localhost", m.group(1), m.group(2), self._uname.machine)
        self._pending_notify = True  # published from the handset's own thread (ready())

    def ready(self) -> bool:
        """The guest agent answered since the last boot (gates sys.boot_completed)."""
        up = self._slot.ready()
        if up and self._pending_notify:
            self._pending_notify = False
            self.threads()
            self._notify()
        return up

    def wait_ready(self, timeout: float) -> None:
        """Block until the current boot is up; raises GuestDown with the reason otherwise."""
        self._slot.wait(timeout)

    def close(self) -> None:
        """Stop QEMU (every exit path of the handset process calls this); never raises."""
        self._slot.stop()

    @property
    def boot_error(self) -> str | None:
        return self._slot.error

    def on_boot_failed(self, callback: Callable[[], None] | None) -> None:
        """Call ``callback`` (from the boot thread) whenever a guest fails to come up."""
        self._slot.on_failed = callback

    def agent(self) -> AgentLike:
        return self._slot.agent()

    def console_text(self) -> str:
        guest = self._slot.guest
        return guest.console_text() if guest is not None else ""

    def watch_files(self, callback: Callable[[], None]) -> None:
        self._watchers.append(callback)

    def _notify(self) -> None:
        for notify in self._watchers:
            notify()

    def _since_boot(self) -> float:
        return max(0.0, self.clock() - self.boot.booted_at)

    # -- KernelBackend -------------------------------------------------------------
    def uname(self) -> UnameInfo:
        return self._uname

    def files(self) -> Mapping[str, Renderer]:
        out = {p: functools.partial(self._read, p) for p in paths.READ_ONLY if p in self._present}
        for pid in self._task_pids:
            for name in paths.TASK_FILES:
                path = f"/proc/{pid}/{name}"
                out[path] = functools.partial(self._read, path)
        return out

    def knobs(self) -> Mapping[str, Knob]:
        return {
            p: Knob(functools.partial(self._read, p), functools.partial(self._write, p))
            for p in paths.KNOBS
            if p in self._present
        }

    def _read(self, path: str) -> bytes:
        try:
            return self.agent().read(path)
        except (OSError, SuiteError) as exc:
            raise _fs_error(exc, path) from exc

    def _write(self, path: str, data: bytes) -> None:
        try:
            self.agent().write(path, data)
        except (OSError, SuiteError) as exc:
            raise _fs_error(exc, path) from exc

    def guest_tasks(self) -> list[GuestTask]:
        """Every guest task (one agent exec, cached briefly); [] while the guest is down."""
        at, tasks = self._tasks
        now = time.monotonic()
        if now - at < THREADS_TTL_S:
            return tasks
        try:
            _, out = self.agent().exec(paths.stat_all_argv(), timeout=30.0)
        except SuiteError:
            return []
        tasks = parse_task_stats(out.decode(errors="replace"))
        self._tasks = (now, tasks)
        return tasks

    def threads(self) -> list[ProcessInfo]:
        rows = [
            ProcessInfo(t.pid, t.ppid, t.comm, state=t.state, kernel_thread=True, wchan="0")
            for t in self.guest_tasks()
            if t.kernel_thread
        ]
        self._publish({r.pid: r.name for r in rows if r.name.startswith(paths.SAMPLED_THREADS)})
        return rows

    def reclaim_pids(self) -> list[int]:
        return [pid for pid, name in self._task_pids.items() if name.startswith(paths.SAMPLED_THREADS)]

    def _publish(self, tasks: dict[int, str]) -> None:
        """Publish /proc/<pid>/* for these tasks (and the apps'); remount only when the set changed."""
        wanted = {**tasks, **{pid: app.name for pid, app in self.memory.apps.items()}}
        if wanted != self._task_pids:
            self._task_pids = wanted
            self._notify()

    # -- SwapControl (the shell's mkswap/swapon/swapoff) ---------------------------------
    def mkswap(self, path: str) -> int:
        return swapctl.mkswap_kb(self._swap_agent(path), path)

    def swapon(self, path: str, priority: int | None = None) -> None:
        # Debian's busybox swapon takes no -p; zram0 is the guest's only swap area anyway.
        swapctl.run_swap_applet(self._swap_agent(path), ["swapon", swapctl.guest_device(path)], path)

    def swapoff(self, path: str) -> None:
        swapctl.run_swap_applet(self._swap_agent(path), ["swapoff", swapctl.guest_device(path)], path)

    def _swap_agent(self, path: str) -> AgentLike:
        try:
            return self.agent()
        except SuiteError as exc:
            raise _fs_error(exc, path) from exc

    # -- MemoryBackend (the framework's) ------------------------------------------------
    def now(self) -> float:
        return self.memory.now()

    def spawn(self, spec: ProcSpec) -> int:
        pid = self.memory.spawn(spec)
        self._publish({p: n for p, n in self._task_pids.items() if n.startswith(paths.SAMPLED_THREADS)})
        return pid

    def exit(self, pid: int) -> None:
        self.memory.exit(pid)

    def alive(self, pid: int) -> bool:
        return self.memory.alive(pid)

    def set_oom_score_adj(self, pid: int, adj: int) -> None:
        self.memory.set_oom_score_adj(pid, adj)

    def allocate(self, pid: int, anon_kb: int, compressibility: float = 0.5) -> TouchResult:
        return self.memory.allocate(pid, anon_kb, compressibility)

    def free(self, pid: int, anon_kb: int) -> None:
        self.memory.free(pid, anon_kb)

    def touch(self, pid: int, fraction: float = 1.0) -> TouchResult:
        return self.memory.touch(pid, fraction)

    def resident_fraction(self, pid: int) -> float:
        return self.memory.resident_fraction(pid)

    def kills_since(self, t: float) -> list[KillEvent]:
        return self.memory.kills_since(t)

    def cpu_busy(self) -> float:
        return self.memory.cpu_busy()
