"""Build a virtual handset whose kernel is a real Linux under QEMU, and boot it (serve.py's QEMU branch)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from pathlib import Path

from android_suite.errors import ConfigError
from android_suite.virtual.bootloader import Bootloader
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import Profile
from android_suite.virtual.qemu.backend import QemuKernel
from android_suite.virtual.qemu.guest import GuestDown, Launcher
from android_suite.virtual.qemu.launch import BOOT_TIMEOUT_S, factory_boot_image, qemu_launcher

KERNEL_CHOICES = ("sim", "qemu", "auto")


def wants_qemu(profile: Profile, kernel: str) -> bool:
    """Whether a handset of ``profile`` runs QEMU: profiles with ``[qemu]``, unless ``kernel`` is "sim"."""
    if kernel not in KERNEL_CHOICES:
        raise ConfigError(f"kernel must be one of {KERNEL_CHOICES}, got {kernel!r}")
    if kernel == "qemu" and profile.qemu is None:
        raise ConfigError(f"profile {profile.name!r} has no [qemu] section; use --profile qemu_arm64 for a real kernel")
    return profile.qemu is not None and kernel != "sim"


async def start_qemu_handset(
    profile: Profile,
    *,
    name: str,
    seed: int,
    features: Sequence[str] | None,
    work_dir: Path,
    launcher: Launcher | None = None,
    factory: bytes | None = None,
    boot_timeout: float = BOOT_TIMEOUT_S,
) -> tuple[VirtualHandset, QemuKernel]:
    """A handset with a :class:`QemuKernel`, both slots carrying the factory build, booted and up.

    Raises:
        ConfigError: no built kernel for the profile's arch and variant.
        GuestDown: the guest did not come up within ``boot_timeout`` (QEMU is stopped again).
    """
    settings = profile.qemu
    assert settings is not None
    image = factory if factory is not None else factory_boot_image(profile)
    work_dir.mkdir(parents=True, exist_ok=True)
    kernel = QemuKernel(
        profile,
        launcher=launcher or qemu_launcher(settings, work_dir / "console.log", boot_timeout),
        work_dir=work_dir / "boot",
    )
    handset = VirtualHandset(profile, name=name, seed=seed, features=list(features) if features else None,
                             kernel=kernel, off_seconds=0.0)  # fmt: skip
    handset.bootloader = Bootloader(
        product=handset.props.get("ro.product.device", name),
        serialno=handset.props.get("ro.serialno", name),
        images={"boot_a": image, "boot_b": image},
        check_images=True,
    )
    handset.request_reboot()  # the first boot: slot a's image into QEMU
    handset.off_seconds = 0.5
    try:
        await asyncio.to_thread(kernel.wait_ready, boot_timeout + 5.0)
    except GuestDown:
        kernel.close()
        raise
    kernel.ready()  # publish the guest's files from this (the event loop's) thread
    loop = asyncio.get_running_loop()

    def boot_failed() -> None:
        # As on a phone: a slot whose kernel never comes up is marked unbootable and the
        # bootloader falls back to the other slot (or stays in fastboot, still flashable).
        bl = handset.bootloader
        if isinstance(bl, Bootloader):
            bl.boot_failed()
        handset.request_reboot()

    def from_boot_thread() -> None:
        loop.call_soon_threadsafe(boot_failed)

    kernel.on_boot_failed(from_boot_thread)
    return handset, kernel


def close_qemu(kernel: QemuKernel, *, remove: bool = True) -> None:
    """Stop the guest and drop its unpacked boot files (never raises)."""
    kernel.close()
    if remove:
        shutil.rmtree(kernel.work_dir, ignore_errors=True)
