"""A virtual handset: filesystem, shell, properties, kernel backend, boot cycle.

Implements ``api.HandsetEndpoint`` (for the adb endpoint), ``api.FastbootTarget``
(for the fastboot endpoint) and ``commands.HandsetServices`` (for commands).

Time: every boot-related value is computed from an injectable monotonic
``clock`` at read time, so nothing needs timers and tests need not sleep.
A reboot drops every adb connection, keeps the mode ``"off"`` for
``off_seconds``, then the handset is in ``"android"`` (``sys.boot_completed``
turns ``"1"`` after the profile's ``boot_seconds``) or ``"bootloader"``.

The adb endpoint must refuse connections while :attr:`accepts_adb` is False
(mode is not ``"android"``); ``faults.refuse`` is left for the tests' own use.

Device-local TCP (``tcp:PORT``): a service calls :meth:`listen_tcp`; the first
:meth:`open_tcp` starts an asyncio server for it on 127.0.0.1 and an ephemeral
port and connects there, so clients get real socket semantics (EOF, half-close).
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping

from android_suite.errors import SuiteError
from android_suite.virtual.api import BootState, Faults, ServiceLog
from android_suite.virtual.bootloader import Bootloader
from android_suite.virtual.commands.props import PropertyStore
from android_suite.virtual.framework import Framework, attach_framework
from android_suite.virtual.kernel import KernelBackend, Knob, ProcessInfo
from android_suite.virtual.profile import Profile
from android_suite.virtual.shell import VirtualShell
from android_suite.virtual.sim import SimKernel, parse_kernel_image
from android_suite.virtual.vfs import Renderer, VirtualFS, fs_error

TcpHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

# Userspace that a freshly booted Android 14 runs (pid, ppid, name, user, vsz KiB, rss KiB, wchan).
_USERSPACE = (
    (1, 0, "init", "root", 10850108, 11756, "do_epoll_wait"),
    (310, 1, "ueventd", "root", 10835452, 3180, "do_sys_poll"),
    (520, 1, "logd", "logd", 10902780, 9204, "sigsuspend"),
    (540, 1, "servicemanager", "system", 10866476, 5380, "do_epoll_wait"),
    (560, 1, "lmkd", "lmkd", 10848844, 3012, "do_epoll_wait"),
    (610, 1, "surfaceflinger", "system", 11315892, 41232, "do_epoll_wait"),
    (700, 1, "zygote64", "root", 16231520, 110320, "do_sys_poll"),
    (701, 1, "zygote", "root", 1829164, 86112, "do_sys_poll"),
    (1250, 700, "system_server", "system", 23155344, 386412, "do_epoll_wait"),
    (1800, 700, "com.android.systemui", "u0_a142", 18320332, 198760, "do_epoll_wait"),
)


class VirtualHandset:
    """One virtual phone.

    Args:
        profile: what it claims to be.
        name: its identity; also its ``ro.serialno`` / ``ro.boot.serialno`` so
            several handsets of one profile stay distinguishable.
        seed: seeds boot ids (each boot still gets a new one).
        features: adb features to advertise instead of the profile's (e.g. ``["cmd"]``).
        clock: monotonic seconds (inject a fake one in tests).
        wall_clock: epoch seconds for file mtimes.
        kernel: the kernel backend (default: a :class:`SimKernel` that boots whatever
            kernel ``bootloader``'s active slot holds, once a Bootloader is attached).
        off_seconds: how long a reboot keeps the handset "off".
    """

    def __init__(
        self,
        profile: Profile,
        *,
        name: str,
        seed: int = 0,
        features: list[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        kernel: KernelBackend | None = None,
        off_seconds: float = 0.5,
    ) -> None:
        self.profile = profile if features is None else profile.with_features(features)
        self.name = name
        self.faults = Faults()
        self.log = ServiceLog()
        self._bootloader: object = None  # assigned by whoever composes the handset
        self.settings: dict[str, dict[str, str]] = {
            "system": {},
            "secure": {},
            "global": {"adb_enabled": "1"},
        }
        self.off_seconds = off_seconds
        self._clock = clock
        self._rng = random.Random(seed)
        # Only a kernel the handset made itself follows the boot image; a given one is kept as is.
        # A real kernel under QEMU (virtual/qemu) boots the slot's image too: it has load_boot_image.
        self._boots_images = kernel is None or callable(getattr(kernel, "load_boot_image", None))
        self._kernel = kernel if kernel is not None else SimKernel(self.profile, clock, seed=seed)
        self._kernel_files: dict[str, Renderer] = {}
        self._kernel_paths: set[str] = set()
        self._kernel_knobs: Mapping[str, Knob] = {}
        # ro.android_suite.kind tags every number read from this handset as
        # coming from a test double (DeviceInfo.kind); the kernel backend
        # decides the value (a modelled kernel, or a real one under QEMU).
        self._base_props = {
            **self.profile.props,
            "ro.serialno": name,
            "ro.boot.serialno": name,
            "ro.android_suite.kind": self.kernel.kind,
        }
        self._props = PropertyStore(self._base_props)
        self._props.define_dynamic("sys.boot_completed", lambda: "1" if self.boot_completed else "")
        self._props.define_dynamic("dev.bootcomplete", lambda: "1" if self.boot_completed else "")
        self._connections: dict[int, Callable[[], None]] = {}
        self._next_conn = 0
        self._listeners: dict[int, TcpHandler] = {}
        self._servers: dict[int, asyncio.Server] = {}
        self._target_mode = "android"
        self._off_until = float("-inf")
        # A new handset has been up for a while: boot finished before the tests start.
        now = clock()
        self._boot = BootState(self._new_boot_id(), now - self.profile.boot_seconds, self.profile.boot_seconds)
        self._kernel.on_boot(self._boot)
        self._fs = VirtualFS(clock=wall_clock)
        self._fs.read_filter = lambda path, data: self.faults.filter_read(path, data)
        self._fs.full_check = lambda path: self.faults.disk_full(path)
        self._shell = VirtualShell(self)
        self._build_image()
        # The Android framework (am, dumpsys, logcat, battery) over the kernel's memory model.
        self.framework: Framework = attach_framework(self, clock=clock, wall_clock=wall_clock, seed=seed)

    # -- HandsetEndpoint / HandsetServices ---------------------------------------
    @property
    def banner(self) -> bytes:
        p = self._props
        return (
            f"device::ro.product.name={p.get('ro.product.name')};ro.product.model={p.get('ro.product.model')};"
            f"ro.product.device={p.get('ro.product.device')};features={','.join(self.profile.adb_features)}"
        ).encode()

    @property
    def fs(self) -> VirtualFS:
        return self._fs

    @property
    def shell(self) -> VirtualShell:
        return self._shell

    @property
    def props(self) -> PropertyStore:
        return self._props

    @property
    def kernel(self) -> KernelBackend:
        return self._kernel

    def processes(self) -> list[ProcessInfo]:
        adbd_user = "root" if self.profile.adbd_root else "shell"
        user = [ProcessInfo(pid, ppid, n, u, vsz, rss, w) for pid, ppid, n, u, vsz, rss, w in _USERSPACE]
        user.append(ProcessInfo(980, 1, "adbd", adbd_user, 10946200, 7420, "do_epoll_wait"))
        try:
            live = self._kernel.threads() + self.framework.processes()
        except SuiteError:
            live = self._kernel.threads()  # a QEMU guest still booting has no app processes yet
        # A guest kernel's pids are its own and may meet the fixed userspace's: the real rows win.
        taken = {p.pid for p in live}
        return sorted([p for p in user if p.pid not in taken] + live, key=lambda p: p.pid)

    # -- boot cycle ---------------------------------------------------------------
    @property
    def mode(self) -> str:
        """ "off" during a reboot, then "android" or "bootloader"."""
        self._boot.mode = "off" if self._clock() < self._off_until else self._target_mode
        return self._boot.mode

    @property
    def boot(self) -> BootState:
        _ = self.mode  # refresh boot.mode
        return self._boot

    @property
    def boot_completed(self) -> bool:
        if not (self.mode == "android" and self._clock() >= self._boot.booted_at + self._boot.boot_seconds):
            return False
        # A kernel under QEMU is up only once its guest agent answers (QemuKernel.ready).
        ready = getattr(self._kernel, "ready", None)
        return bool(ready()) if callable(ready) else True

    @property
    def in_bootloader(self) -> bool:
        return self.mode == "bootloader"

    @property
    def accepts_adb(self) -> bool:
        """adbd runs only in Android (from early boot, before boot_completed)."""
        return self.mode == "android"

    def request_reboot(self, target: str = "") -> None:
        if target not in ("", "bootloader"):
            # recovery/sideload are not modelled: say so, then boot Android anyway.
            self.log.unknown_commands.append(f"reboot {target}")
        self.drop_connections()
        for port in list(self._listeners):
            self.unlisten_tcp(port)  # device processes die with the reboot
        self._target_mode = "bootloader" if target == "bootloader" else "android"
        self._off_until = self._clock() + self.off_seconds
        self._boot = BootState(self._new_boot_id(), self._off_until, self.profile.boot_seconds, "off")
        self._props.reset(self._base_props)
        if self._target_mode == "android" and not self._load_kernel():
            self._target_mode = "bootloader"  # no slot boots: the phone stays in fastboot, still flashable
        self._kernel.on_boot(self._boot)

    @property
    def bootloader(self) -> object:
        return self._bootloader

    @bootloader.setter
    def bootloader(self, bl: object) -> None:
        """Attach the bootloader; its partitions appear as ``/dev/block/by-name/<name>`` (root reads them)."""
        self._bootloader = bl
        if isinstance(bl, Bootloader):
            for part in bl.sizes:
                render = functools.partial(_partition_bytes, bl, part)
                self._fs.add_dynamic(f"/dev/block/by-name/{part}", render, mode=0o600)

    def _load_kernel(self) -> bool:
        """Pick the slot (A/B fallback) and load its kernel into the model; False if none boots."""
        bl, kernel = self.bootloader, self._kernel
        load_boot_image = getattr(kernel, "load_boot_image", None)
        if isinstance(bl, Bootloader) and callable(load_boot_image) and self._boots_images:
            # A real kernel (QemuKernel): it takes the whole image (kernel + initramfs + cmdline).
            while (slot := bl.begin_boot()) is not None:
                if load_boot_image(bl.read(f"boot_{slot}" if slot else "boot")):
                    bl.mark_successful()
                    if bl.slotted:  # as below: init learns the booted slot from the bootloader
                        self._base_props["ro.boot.slot_suffix"] = f"_{bl.active_slot}"
                        self._props.reset(self._base_props)
                    return True
                bl.boot_failed()  # not a kernel QEMU can boot: it never comes up
            return False
        if not (isinstance(bl, Bootloader) and isinstance(kernel, SimKernel) and self._boots_images):
            return True
        while bl.begin_boot() is not None:
            image = parse_kernel_image(bl.kernel_payload() or b"")
            if image is None:
                bl.boot_failed()  # no kernel in the payload: it never comes up
                continue
            kernel.load_image(image)
            bl.mark_successful()  # update_verifier, once the boot is healthy
            if bl.slotted:
                # The bootloader passes the booted slot (androidboot.slot_suffix) to init.
                self._base_props["ro.boot.slot_suffix"] = f"_{bl.active_slot}"
                self._props.reset(self._base_props)
            return True
        return False

    def _new_boot_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    # -- connections ----------------------------------------------------------------
    def register_connection(self, closer: Callable[[], None]) -> Callable[[], None]:
        key = self._next_conn
        self._next_conn += 1
        self._connections[key] = closer

        def unregister() -> None:
            self._connections.pop(key, None)

        return unregister

    def drop_connections(self) -> None:
        """Close every live adb connection (a USB drop, or a reboot)."""
        closers = list(self._connections.values())
        self._connections.clear()
        for closer in closers:
            closer()

    def listen_tcp(self, port: int, handler: TcpHandler) -> None:
        """A device process listens on ``port``; ``handler`` serves each connection."""
        self.unlisten_tcp(port)
        self._listeners[port] = handler

    def unlisten_tcp(self, port: int) -> None:
        self._listeners.pop(port, None)
        server = self._servers.pop(port, None)
        if server is not None:
            server.close()

    async def open_tcp(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        handler = self._listeners.get(port)
        if handler is None or not self.accepts_adb:
            return None
        server = self._servers.get(port)
        if server is None or server.get_loop() is not asyncio.get_running_loop():
            server = await asyncio.start_server(handler, "127.0.0.1", 0)
            self._servers[port] = server
        host, real_port = server.sockets[0].getsockname()[:2]
        return await asyncio.open_connection(host, real_port)

    # -- the image ------------------------------------------------------------------
    def _build_image(self) -> None:
        fs = self._fs
        for path in ("/data/local/tmp", "/sdcard/Download", "/system/bin", "/vendor/bin", "/proc", "/sys"):
            fs.mkdir(path, parents=True)
        fs.chmod("/data/local/tmp", 0o771)
        for name in self._shell.table:
            if name.isalnum():
                fs.write(f"/system/bin/{name}", b"", mode=0o755)
        fs.add_dynamic("/system/build.prop", self._build_prop, mode=0o600)
        self._mount_kernel()
        watch = getattr(self._kernel, "watch_files", None)
        if callable(watch):
            watch(self._mount_kernel)  # processes come and go, a new kernel brings other files
        # /system and /vendor are read-only mounts; procfs and sysfs refuse new files.
        fs.set_readonly("/system", "EROFS")
        fs.set_readonly("/vendor", "EROFS")
        fs.set_readonly("/proc", "EACCES")
        fs.set_readonly("/sys", "EACCES")

    def _mount_kernel(self) -> None:
        """Publish the kernel's files and knobs; paths it no longer serves are removed.

        A kernel flashed away takes its files with it: after booting a kernel
        without the sysctl, ``[ -e /proc/sys/vm/kcompressd ]`` must be false.
        """
        self._kernel_files = dict(self._kernel.files())
        knobs = self._kernel.knobs()
        self._kernel_files.update({path: knob.render for path, knob in knobs.items()})
        for gone in self._kernel_paths - self._kernel_files.keys():
            self._fs.remove_special(gone)
            self._kernel_paths.discard(gone)
        for path in self._kernel_files:
            if path in self._kernel_paths:
                continue
            self._kernel_paths.add(path)
            if path in knobs:
                write = functools.partial(self._kernel_write, path)
                self._fs.add_knob(path, functools.partial(self._kernel_read, path), write, mode=knobs[path].mode)
            else:
                self._fs.add_dynamic(path, functools.partial(self._kernel_read, path))
        self._kernel_knobs = knobs

    def _kernel_read(self, path: str) -> bytes:
        render = self._kernel_files.get(path)
        if render is None:
            raise fs_error("ENOENT", path)
        return render()

    def _kernel_write(self, path: str, data: bytes) -> None:
        knob = self._kernel_knobs.get(path)
        if knob is None:  # a knob of an earlier kernel
            raise fs_error("ENOENT", path)
        knob.on_write(data)

    def _build_prop(self) -> bytes:
        return "".join(f"{k}={v}\n" for k, v in sorted(self._base_props.items()) if k.startswith("ro.")).encode()


def _partition_bytes(bl: Bootloader, part: str) -> bytes:
    """A partition as dd reads it: what was flashed, then zeros to the partition's size."""
    data = bl.contents.get(part, b"")
    return data + bytes(max(0, bl.sizes[part] - len(data)))
