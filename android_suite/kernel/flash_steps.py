"""Bootloader steps shared by flashing and restoring: enter fastboot, put the original back.

Split from :mod:`android_suite.kernel.flash` to keep each module small; the
decisions themselves live in :mod:`android_suite.kernel.flash_plan`.
"""

from __future__ import annotations

import logging
import time

from android_suite.device.device import Device
from android_suite.device.fastboot import FastbootClient
from android_suite.errors import ConfigError, DeviceError
from android_suite.kernel.flash_plan import FlashFailedError, OriginalState, kernel_release, plan_restore
from android_suite.kernel.manifest import file_sha256

log = logging.getLogger(__name__)

PROBE_S = 10.0
RESTORE_HINT = "check the phone: `fastboot getvar current-slot`, then `fastboot set_active <original slot>`"


def left(deadline: float) -> float:
    """Seconds until ``deadline`` (monotonic), at least 1 so a late step still gets a try."""
    return max(1.0, deadline - time.monotonic())


def recover(
    device: Device, fastboot: FastbootClient, original: OriginalState, slot: str | None, timeout: float
) -> bool:
    """Best effort after a failure; True when the original kernel is back. Never raises."""
    try:
        back_to_original(device, fastboot, original, slot, attempted=True, timeout=timeout)
    except (DeviceError, ConfigError) as exc:
        log.error("%s: restoring the original after a failed flash failed: %s", device.serial, exc)
        return False
    return True


def back_to_original(
    device: Device,
    fastboot: FastbootClient,
    original: OriginalState,
    written: str | None,
    *,
    attempted: bool,
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    enter_bootloader(device, fastboot, left(deadline))
    damaged = original.slot is not None and unbootable(fastboot, original.slot)
    plan = plan_restore(original.slot, written, attempted=attempted, original_unbootable=damaged)
    if plan.reflash:
        verify_original(original)
        fastboot.flash(original.partition, original.image, slot=original.slot, timeout=left(deadline))
    if plan.set_active is not None:
        fastboot.set_active(plan.set_active, timeout=PROBE_S)
        if unbootable(fastboot, plan.set_active):
            raise FlashFailedError(
                f"slot {plan.set_active!r} is still marked unbootable after set_active; not rebooting",
                restored=False,
                serial=device.serial,
                hint=RESTORE_HINT,
            )
    fastboot.reboot(timeout=PROBE_S)
    device.wait_for_boot(timeout=left(deadline))
    release = kernel_release(device.shell(["cat", "/proc/version"], timeout=PROBE_S).stdout)
    if release != original.kernel_release and not plan.reflash and original.slot is not None:
        # The original slot was assumed untouched but holds something else (another
        # flash session wrote it): write our copy of the original there after all.
        log.warning("%s: original slot %s boots %s; reflashing the original", device.serial, original.slot, release)
        enter_bootloader(device, fastboot, left(deadline))
        verify_original(original)
        fastboot.flash(original.partition, original.image, slot=original.slot, timeout=left(deadline))
        fastboot.set_active(original.slot, timeout=PROBE_S)
        fastboot.reboot(timeout=PROBE_S)
        device.wait_for_boot(timeout=left(deadline))
        release = kernel_release(device.shell(["cat", "/proc/version"], timeout=PROBE_S).stdout)
    if release != original.kernel_release:
        raise FlashFailedError(
            f"after restoring, the phone runs {release!r}, not the original {original.kernel_release!r}",
            restored=False,
            serial=device.serial,
            hint=RESTORE_HINT,
        )


def enter_bootloader(device: Device, fastboot: FastbootClient, timeout: float) -> None:
    """Reboot into the bootloader unless the phone is already out of Android; wait for fastboot."""
    try:
        state = device.transport.state(min(timeout, PROBE_S))
    except DeviceError:
        state = "absent"  # not on adb: rebooting, or already in the bootloader
    if state == "device":
        device.reboot(target="bootloader", wait=False, timeout=min(timeout, 60.0))
    fastboot.wait_for_fastboot(timeout)


def boot_android(device: Device, fastboot: FastbootClient, timeout: float) -> None:
    fastboot.reboot(timeout=PROBE_S)
    device.wait_for_boot(timeout=timeout)


def unbootable(fastboot: FastbootClient, slot: str) -> bool:
    # None: the bootloader does not report it (older ones); assume bootable.
    return fastboot.getvar(f"slot-unbootable:{slot}", timeout=PROBE_S) == "yes"


def slot_letter(value: str | None) -> str | None:
    """``getvar current-slot`` says "a" or "_a" (both seen); None or "" on non-A/B phones."""
    return value.lstrip("_") or None if value else None


def verify_original(original: OriginalState) -> None:
    if not original.image.is_file():
        raise ConfigError(f"the original boot image {original.image} is gone; cannot restore from it")
    if file_sha256(original.image) != original.image_sha256:
        raise ConfigError(f"the original boot image {original.image} changed since it was recorded")
