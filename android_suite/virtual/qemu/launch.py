"""Glue to KBUILD's side: boot guests with ``machine.QemuMachine``, wrap cached kernels into boot images.

``machine.py`` (launcher, ``find_image``, ``qemu_available``) and the kernel
cache belong to the kbuild helper; they are imported lazily so this package
still imports (and its unit tests run) where they are missing.
"""

from __future__ import annotations

import atexit
import importlib
from pathlib import Path
from typing import Any

from android_suite.errors import ConfigError
from android_suite.virtual.bootimg import build_boot_image
from android_suite.virtual.profile import Profile, QemuSettings
from android_suite.virtual.qemu.guest import AgentLike, BootFiles, Guest, Launcher

BOOT_TIMEOUT_S = 120.0  # a TCG guest on 2 busy host cores; the acceptance target is 30 s
BUILD_HINT = "build it first: android-suite kernel-build --arch {arch} --variant {variant}"


def _machine() -> Any:
    try:
        return importlib.import_module("android_suite.virtual.qemu.machine")
    except ImportError as exc:
        raise ConfigError(f"the QEMU launcher (android_suite/virtual/qemu/machine.py) is missing: {exc}") from exc


def qemu_ready(arch: str, variant: str) -> bool:
    """QEMU for ``arch`` is installed and a built kernel of ``variant`` is cached."""
    try:
        machine = _machine()
        return bool(machine.qemu_available(arch)) and machine.find_image(arch, variant) is not None
    except (ConfigError, OSError):
        return False


class _MachineGuest:
    def __init__(self, machine: Any, agent: AgentLike) -> None:
        self._machine = machine
        self._agent = agent

    @property
    def agent(self) -> AgentLike:
        return self._agent

    def console_text(self) -> str:
        return str(self._machine.console_text())

    def stop(self) -> None:
        self._machine.stop()


_LIVE: set[_MachineGuest] = set()


@atexit.register
def _stop_all() -> None:
    """Last resort for an exit that skipped the handset process's shutdown (never leave QEMU running)."""
    for guest in list(_LIVE):
        guest.stop()


def qemu_launcher(settings: QemuSettings, console_log: Path, boot_timeout: float = BOOT_TIMEOUT_S) -> Launcher:
    """A :data:`Launcher` that boots QEMU (KVM when usable, else TCG) and waits for the agent."""

    def launch(files: BootFiles) -> Guest:
        machine_mod = _machine()
        image = machine_mod.GuestImage(arch=files.arch, kernel=files.kernel, initramfs=files.initramfs,
                                       cmdline=files.cmdline)  # fmt: skip
        machine = machine_mod.QemuMachine(
            image, cpus=settings.cpus, memory_mb=settings.memory_mb, console_log=console_log
        )
        try:
            agent = machine.start(timeout=boot_timeout)
        except BaseException:
            machine.stop()
            raise
        guest = _MachineGuest(machine, agent)
        _LIVE.add(guest)
        original_stop = guest.stop

        def stop() -> None:
            _LIVE.discard(guest)
            original_stop()

        guest.stop = stop  # type: ignore[method-assign]
        return guest

    return launch


def guest_boot_image(arch: str, variant: str) -> bytes:
    """The cached ``variant`` kernel + initramfs of ``arch`` as an Android boot image (deterministic bytes)."""
    image = _machine().find_image(arch, variant)
    if image is None:
        hint = BUILD_HINT.format(arch=arch, variant=variant)
        raise ConfigError(f"no built {variant} kernel for {arch} in the cache; {hint}")
    kernel = Path(image.kernel).read_bytes()
    ramdisk = Path(image.initramfs).read_bytes()
    return build_boot_image(kernel, ramdisk, cmdline=str(image.cmdline))


def factory_boot_image(profile: Profile) -> bytes:
    """What both boot slots of a QEMU handset carry at start: the profile's factory variant."""
    settings = profile.qemu or QemuSettings()
    return guest_boot_image(settings.arch, settings.variant)


# The kbuild variants as the kernel_config manifest names them: (variant, mechanism).
MANIFEST_VARIANTS = {"stock": ("off", "none"), "v1": ("on", "build"), "sysctl": ("on", "sysctl")}
