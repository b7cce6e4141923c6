"""Pure decisions of the flash path: may we flash, which slot, how to get back.

Nothing here touches a device: :mod:`android_suite.kernel.flash` gathers the
facts (props, ``getvar`` answers, digests) and asks these functions. Every
refusal is raised before anything is written to the phone, so a refused
flash leaves it exactly as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from android_suite.errors import ConfigError, PermanentDeviceError
from android_suite.kernel.manifest import ImageEntry

_RELEASE = re.compile(r"Linux version (\S+)")


class FlashRefusedError(PermanentDeviceError):
    """The flash was refused before anything was written; the phone is unchanged."""


class FlashFailedError(PermanentDeviceError):
    """Flashing or the boot after it failed; ``restored`` says whether the original is back.

    Attributes:
        restored: the original slot/image was put back and Android booted.
    """

    def __init__(self, message: str, *, restored: bool, serial: str, hint: str = "") -> None:
        self.restored = restored
        super().__init__(message, serial=serial, hint=hint)


@dataclass(frozen=True)
class DeviceFacts:
    """What the flash path reads from Android before touching the bootloader.

    Attributes:
        serial: adb serial.
        product: ``ro.product.device``.
        kernel_release: ``uname -r`` from ``/proc/version``.
        slot_suffix: ``ro.boot.slot_suffix`` ("_a"); None on non-A/B phones.
        virtual: ``ro.android_suite.kind`` says this is a virtual handset.
    """

    serial: str
    product: str | None
    kernel_release: str | None
    slot_suffix: str | None = None
    virtual: bool = False


@dataclass(frozen=True)
class OriginalState:
    """How the phone was before the first flash; what :func:`restore` returns it to.

    Attributes:
        slot: the active slot ("a"/"b") in the bootloader; None on non-A/B phones.
        kernel_release: ``uname -r`` that was running.
        image: a host copy of the original boot image.
        image_sha256: its digest, checked again before it is flashed back.
        source: "manifest" (the manifest's factory image) or "pulled" (read with dd).
        partition: the partition it belongs to ("boot").
    """

    slot: str | None
    kernel_release: str
    image: Path
    image_sha256: str
    source: str
    partition: str = "boot"


def kernel_release(proc_version: str) -> str | None:
    """``uname -r`` from a ``/proc/version`` line; None when it has no banner."""
    m = _RELEASE.search(proc_version)
    return m.group(1) if m else None


def may_flash(flashable: bool | None, facts: DeviceFacts) -> bool:
    """An explicit flag wins; without one only virtual handsets are flashable."""
    return facts.virtual if flashable is None else flashable


def check_entry(entry: ImageEntry, facts: DeviceFacts, *, flashable: bool | None) -> None:
    """Refuse an image that does not belong on this phone.

    Raises:
        FlashRefusedError: the phone is not marked flashable, or its
            ``ro.product.device`` differs from the entry's product.
    """
    if not may_flash(flashable, facts):
        raise FlashRefusedError(
            f"refusing to flash {entry.name!r}: this handset is not marked flashable",
            serial=facts.serial,
            hint="pass flashable=True only for phones with an unlocked bootloader that may be reflashed",
        )
    if facts.product != entry.product:
        raise FlashRefusedError(
            f"refusing to flash {entry.name!r}: it is built for product {entry.product!r}, "
            f"this phone's ro.product.device is {facts.product!r}; nothing was written",
            serial=facts.serial,
            hint=f"pick an image for {facts.product!r} from {entry.manifest or 'the manifest'}",
        )


def factory_problem(factory: ImageEntry | None, facts: DeviceFacts) -> str | None:
    """Why the manifest's factory image cannot stand for the running kernel; None if it can."""
    if factory is None:
        return f"the manifest lists no factory image for product {facts.product!r}"
    if factory.product != facts.product:
        return f"factory image {factory.name!r} is for product {factory.product!r}"
    if factory.kernel_release != facts.kernel_release:
        # The phone runs something else (an OTA, or a test kernel left behind):
        # flashing the factory image back would not restore what was there.
        return (
            f"factory image {factory.name!r} carries kernel {factory.kernel_release!r} "
            f"but the phone runs {facts.kernel_release!r}"
        )
    return None


def refuse_without_original(facts: DeviceFacts, reasons: list[str]) -> FlashRefusedError:
    """The refusal when no copy of the original boot image can be had."""
    return FlashRefusedError(
        "refusing to flash: no copy of the original boot image to restore from (" + "; ".join(reasons) + ")",
        serial=facts.serial,
        hint="list the phone's factory boot image in the manifest (factory = true), "
        "or use a rooted phone so the suite can read /dev/block/by-name/boot_<slot> with dd",
    )


def other_slot(slot: str) -> str:
    if slot not in ("a", "b"):
        raise ConfigError(f"cannot pick the other slot of {slot!r}: only A/B (a, b) phones are supported")
    return "b" if slot == "a" else "a"


def target_slot(entry: ImageEntry, original_slot: str | None, serial: str) -> str | None:
    """The slot to write: never the original one under the "inactive" policy.

    Returns None on non-A/B phones (the one boot partition).

    Raises:
        FlashRefusedError: "inactive" asked for on a phone without slots.
    """
    if original_slot is None:
        if entry.slot_policy == "inactive":
            raise FlashRefusedError(
                f"refusing to flash {entry.name!r}: the phone has no A/B slots, so the only boot "
                "partition would be overwritten; nothing was written",
                serial=serial,
                hint=f'set slot_policy = "active" on the entry in {entry.manifest} to allow it '
                "(restore then reflashes the original image)",
            )
        return None
    return original_slot if entry.slot_policy == "active" else other_slot(original_slot)


@dataclass(frozen=True)
class RestorePlan:
    """Steps to get the original back, in order: reflash (maybe), then set_active (maybe)."""

    reflash: bool
    set_active: str | None


def plan_restore(
    original_slot: str | None, written_slot: str | None, *, attempted: bool, original_unbootable: bool
) -> RestorePlan:
    """How to return to the original state.

    Args:
        original_slot: the slot active before the first flash (None: non-A/B).
        written_slot: the slot the flash path wrote or tried to (None: non-A/B).
        attempted: a write was attempted (a failed one may have left half an image).
        original_unbootable: the bootloader marks the original slot unbootable.
    """
    if original_slot is None:
        return RestorePlan(reflash=attempted, set_active=None)
    damaged = (attempted and written_slot == original_slot) or original_unbootable
    # set_active even when it already is active: it also resets the retry count.
    return RestorePlan(reflash=damaged, set_active=original_slot)
