"""Put a kcompressd kernel on a handset by flashing a manifest's boot image, and undo it.

Safety rules (decisions in :mod:`flash_plan`, kept pure for unit tests):

1. Only flashable handsets; the image's product must be the phone's
   ``ro.product.device`` and its sha256 must match: checked in Android,
   before the phone even reboots, so a refusal changes nothing.
2. A copy of the original boot image exists on the host before the first
   write (manifest factory image, or ``dd`` as root), else refuse.
3. A/B phones: write the slot that is not the original one and
   ``set_active`` it, so the original slot stays bootable (the bootloader
   falls back to it if the new kernel does not come up).
4. A failed write is retried (bounded); then the original is restored and
   Android booted before the error is raised. After boot, ``/proc/version``
   and the ``kcompressd0`` thread are checked against the manifest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from android_suite.device.device import Device
from android_suite.device.fastboot import FastbootClient
from android_suite.device.info import KIND_PROP
from android_suite.errors import ConfigError, DeviceError, TransientDeviceError
from android_suite.kernel.flash_plan import (
    DeviceFacts,
    FlashFailedError,
    FlashRefusedError,
    OriginalState,
    check_entry,
    kernel_release,
    target_slot,
)
from android_suite.kernel.flash_steps import (
    PROBE_S,
    RESTORE_HINT,
    back_to_original,
    boot_android,
    enter_bootloader,
    left,
    recover,
    slot_letter,
    unbootable,
    verify_original,
)
from android_suite.kernel.manifest import ImageEntry, load_manifest, verify_image
from android_suite.kernel.original import original_image
from android_suite.parsers.ps import parse_ps

log = logging.getLogger(__name__)

DEFAULT_ATTEMPTS = 3


@dataclass(frozen=True)
class FlashRecord:
    """What :func:`flash_variant` did; :func:`restore` takes it back.

    Attributes:
        serial, product: the phone (adb serial, ``ro.product.device``).
        entry, variant, mechanism: the manifest image flashed.
        kernel_release: ``uname -r`` after boot (equals the manifest's).
        slot: the slot written ("a"/"b"); None on non-A/B phones.
        partition: the partition written.
        original: the state before the first flash (carried over by ``previous=``).
        kcompressd0: whether ``ps -A`` showed ``kcompressd0`` after boot.
        attempts: flash attempts it took.
        boot_id: the boot the checks were made in.
    """

    serial: str
    product: str
    entry: str
    variant: str
    mechanism: str
    kernel_release: str
    slot: str | None
    partition: str
    original: OriginalState
    kcompressd0: bool
    attempts: int
    boot_id: str


def device_facts(device: Device) -> DeviceFacts:
    """Product, running kernel and slot, read in Android."""
    release = kernel_release(device.shell(["cat", "/proc/version"], timeout=PROBE_S).stdout)
    return DeviceFacts(
        serial=device.serial,
        product=device.getprop("ro.product.device"),
        kernel_release=release,
        slot_suffix=device.getprop("ro.boot.slot_suffix"),
        virtual=(device.getprop(KIND_PROP) or "").startswith("virtual-"),
    )


def flash_variant(
    device: Device,
    fastboot: FastbootClient,
    entry: ImageEntry,
    *,
    timeout: float = 300.0,
    flashable: bool | None = None,
    factory: ImageEntry | None = None,
    previous: FlashRecord | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
    work_dir: Path | None = None,
) -> FlashRecord:
    """Flash ``entry``, boot it and verify it.

    Args:
        device: the phone, booted into Android.
        fastboot: its fastboot target.
        entry: the image (from :func:`~android_suite.kernel.manifest.load_manifest`).
        timeout: seconds for the whole flash, boot included (a restore after
            a failure gets the same again).
        flashable: whether this phone may be flashed; None: only virtual handsets.
        factory: the factory image for the original-state copy; None: the one
            ``entry``'s manifest lists for the product.
        previous: the record of an earlier flash in the same session: its
            original state is kept, so :func:`restore` returns to the true
            original and the original slot is never written.
        attempts: tries of the write before giving up and restoring.
        work_dir: where an original pulled with dd is kept (default: the cache).

    Raises:
        FlashRefusedError: refused before anything was written.
        ConfigError: the image (or factory image) file is missing or altered.
        FlashFailedError: writing or booting failed; ``restored`` tells whether
            the original came back.
    """
    deadline = time.monotonic() + timeout
    facts = device_facts(device)
    check_entry(entry, facts, flashable=flashable)
    verify_image(entry)
    if previous is not None:
        if previous.serial != device.serial:
            raise ConfigError(f"previous flash record is for {previous.serial}, not {device.serial}")
        original = previous.original
        verify_original(original)
    else:
        if factory is None and entry.manifest is not None:
            factory = load_manifest(entry.manifest).copy_of(entry.product, facts.kernel_release)
        original = original_image(device, facts, factory, work_dir=work_dir, timeout=timeout)

    enter_bootloader(device, fastboot, left(deadline))
    try:
        current = slot_letter(fastboot.getvar("current-slot", timeout=PROBE_S))
        if previous is None:
            original = dataclasses.replace(original, slot=current)
            if original.source == "pulled" and facts.slot_suffix and facts.slot_suffix.lstrip("_") != current:
                raise FlashRefusedError(
                    f"the bootloader's current slot {current!r} is not the booted one {facts.slot_suffix!r}, "
                    "so the pulled image may not be the original; nothing was written",
                    serial=device.serial,
                )
        slot = target_slot(entry, original.slot, device.serial)
        if original.slot is not None and slot != original.slot and unbootable(fastboot, original.slot):
            raise FlashRefusedError(
                f"the original slot {original.slot!r} is marked unbootable: no fallback if the new kernel "
                "fails; nothing was written",
                serial=device.serial,
                hint=RESTORE_HINT,
            )
    except Exception:
        # Nothing was written yet: just leave the bootloader again.
        with contextlib.suppress(DeviceError):
            boot_android(device, fastboot, max(left(deadline), 60.0))
        raise

    tries = 0
    try:
        for tries in range(1, attempts + 1):
            try:
                fastboot.flash(entry.partition, entry.path, slot=slot, timeout=left(deadline))
                break
            except DeviceError as exc:
                log.warning("%s: flash attempt %d/%d failed: %s", device.serial, tries, attempts, exc.message)
                if tries == attempts or not (exc.transient or _is_cli_failure(exc)):
                    raise
                fastboot.wait_for_fastboot(left(deadline))
        if slot is not None:
            fastboot.set_active(slot, timeout=PROBE_S)
        fastboot.reboot(timeout=PROBE_S)
        device.wait_for_boot(timeout=left(deadline))
        return _verified(device, entry, facts, original, slot, tries)
    except Exception as exc:  # whatever went wrong, the phone must get its original back
        restored = recover(device, fastboot, original, slot, timeout)
        raise FlashFailedError(
            f"flashing {entry.name!r} failed after {tries} attempt(s): {getattr(exc, 'message', exc)}; "
            + ("the original kernel was restored and booted" if restored else "RESTORING THE ORIGINAL FAILED"),
            restored=restored,
            serial=device.serial,
            hint="" if restored else RESTORE_HINT,
        ) from exc


def restore(device: Device, fastboot: FastbootClient, record: FlashRecord, *, timeout: float = 300.0) -> None:
    """Return to the state before the first flash: original slot active, original kernel booted.

    Raises:
        FlashFailedError: the original did not come back (``restored`` False).
        ConfigError: the original image copy is gone or altered (when it must be reflashed).
    """
    back_to_original(device, fastboot, record.original, record.slot, attempted=True, timeout=timeout)


class FlashVerifyError(Exception):
    """The new kernel booted but is not what the manifest promised."""


def _verified(
    device: Device, entry: ImageEntry, facts: DeviceFacts, original: OriginalState, slot: str | None, tries: int
) -> FlashRecord:
    release = kernel_release(device.shell(["cat", "/proc/version"], timeout=PROBE_S).stdout)
    if release != entry.kernel_release:
        raise FlashVerifyError(
            f"booted kernel {release!r}, expected {entry.kernel_release!r} "
            "(the bootloader may have fallen back to the original slot)"
        )
    threads = parse_ps(device.shell(["ps", "-A"], timeout=PROBE_S).stdout).reclaim_pids()
    running = "kcompressd0" in threads
    if entry.expects_thread is not None and running != entry.expects_thread:
        state = "running" if running else "not running"
        raise FlashVerifyError(f"kcompressd0 is {state} on kernel {release}, the manifest says variant {entry.variant}")
    return FlashRecord(
        serial=device.serial,
        product=facts.product or "",
        entry=entry.name,
        variant=entry.variant,
        mechanism=entry.mechanism,
        kernel_release=release,
        slot=slot,
        partition=entry.partition,
        original=original,
        kcompressd0=running,
        attempts=tries,
        boot_id=device.boot_id(),
    )


def _is_cli_failure(exc: DeviceError) -> bool:
    return exc.exit_code is not None and not isinstance(exc, TransientDeviceError)
