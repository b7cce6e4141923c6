"""The virtual handset's bootloader: partitions, A/B slots and the getvar table.

The fastboot endpoint (``fastboot/``) is only the wire; every decision a
bootloader makes (which physical partition ``boot`` means, whether an image
fits, which slot boots next) lives here so unit tests can drive it without
sockets. Refusals raise :class:`BootloaderError` subclasses whose message is
the text the fastboot CLI prints as ``FAILED (remote: '<message>')``; the
texts follow AOSP's userspace fastbootd, the one implementation whose wording
is public.

Boot images themselves are read and written by :mod:`bootimg`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from android_suite.virtual import getvars
from android_suite.virtual.bootimg import SPARSE_MAGIC, BootImageInfo, build_boot_image, parse_boot_image

MiB = 1024 * 1024

# Partitions that exist once even on A/B devices (Android's non-A/B set).
UNSLOTTED = frozenset({"userdata", "metadata", "misc", "super", "persist", "frp", "cache"})

DEFAULT_PARTITIONS: Mapping[str, int] = {
    "boot": 64 * MiB,
    "init_boot": 8 * MiB,
    "vendor_boot": 64 * MiB,
    "dtbo": 16 * MiB,
    "vbmeta": 64 * 1024,
    "misc": 1 * MiB,
    "userdata": 4096 * MiB,
}

# What a fresh handset's boot slots carry when no images are given, so a new
# device has bootable slots (as a factory-flashed phone does).
DEFAULT_KERNEL_RELEASE = "6.1.75-android14-11-g0000000"

# Boot control HAL default: setActiveBootSlot gives the slot 7 tries.
DEFAULT_RETRIES = 7


class BootloaderError(Exception):
    """The bootloader refused a request; ``message`` is what fastboot prints."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class FlashError(BootloaderError):
    """download, flash or erase refused (locked, unknown partition, too big)."""


class SlotError(BootloaderError):
    """set_active refused (bad slot, not an A/B device, locked)."""


@dataclass
class SlotState:
    """Boot-control metadata of one slot, as ``slot-*:<slot>`` getvars show it."""

    successful: bool = False
    unbootable: bool = False
    retry_count: int = DEFAULT_RETRIES


@dataclass(frozen=True)
class BootloaderEvent:
    """One state change, in order; the audit trail for "always keep a bootable slot".

    Attributes:
        kind: "flash", "erase", "set_active", "boot", "boot_failed" or "mark_successful".
        target: physical partition ("boot_b") or slot letter ("b"; "" on non-A/B devices).
        size: bytes written (flash only).
        sha256: hex digest of the data written (flash only).
    """

    kind: str
    target: str
    size: int = 0
    sha256: str = ""


class Bootloader:
    """Partitions, slots and variables of one virtual handset's bootloader.

    Constructing it does no I/O. Partition sizes are limits only: contents are
    kept as bytes, ``b""`` meaning erased.

    Args:
        product: ``getvar product``.
        serialno: ``getvar serialno``.
        slotted: A/B device; names outside :data:`UNSLOTTED` get ``_a``/``_b`` copies.
        partitions: base name -> size in bytes; a name already ending in
            ``_a``/``_b`` is taken as a physical partition as is.
        max_download: largest ``download:`` accepted (``getvar max-download-size``).
        unlocked: whether flash/erase/set_active are allowed.
        images: physical partition -> factory contents; None puts a generic
            boot image (kernel :data:`DEFAULT_KERNEL_RELEASE`) into every boot slot.
    """

    def __init__(
        self,
        product: str,
        serialno: str,
        *,
        slotted: bool = True,
        partitions: Mapping[str, int] | None = None,
        max_download: int = 256 * MiB,
        unlocked: bool = True,
        images: Mapping[str, bytes] | None = None,
        check_images: bool = False,
    ) -> None:
        self.product = product
        # check_images: refuse at flash time a boot image whose header does not
        # parse or that carries no kernel, as bootloaders that verify images
        # before writing do; off for unit tests that flash placeholder bytes.
        self.check_images = check_images
        self.serialno = serialno
        self.slotted = slotted
        self.max_download = max_download
        self.unlocked = unlocked
        self.slots: tuple[str, ...] = ("a", "b") if slotted else ()
        self.sizes: dict[str, int] = {}
        for name, size in (DEFAULT_PARTITIONS if partitions is None else partitions).items():
            if slotted and name not in UNSLOTTED and not re.search(r"_[ab]$", name):
                for s in self.slots:
                    self.sizes[f"{name}_{s}"] = size
            else:
                self.sizes[name] = size
        self.contents: dict[str, bytes] = dict.fromkeys(self.sizes, b"")
        if images is None:
            generic = build_boot_image(f"Linux version {DEFAULT_KERNEL_RELEASE} (virtual)".encode())
            images = {p: generic for p in self._slot_partitions("boot")}
        for part, data in images.items():
            if part not in self.sizes:
                raise ValueError(f"factory image for unknown partition {part!r}")
            self.contents[part] = bytes(data)
        self.active_slot: str = "a" if slotted else ""
        self.slot_state: dict[str, SlotState] = {s: SlotState() for s in self.slots or ("",)}
        self.slot_state[self.active_slot].successful = True
        self.download_buffer = b""
        self.events: list[BootloaderEvent] = []

    # -- partitions ---------------------------------------------------------

    def _slot_partitions(self, base: str) -> list[str]:
        names = [f"{base}_{s}" for s in self.slots] if self.slotted else [base]
        return [n for n in names if n in self.sizes]

    def has_slot(self, base: str) -> bool:
        return any(f"{base}_{s}" in self.sizes for s in self.slots)

    def resolve(self, part: str) -> str | None:
        """Physical name for ``part``: itself, or ``part_<active>`` on A/B; None if unknown."""
        if part in self.sizes:
            return part
        if self.slotted and f"{part}_{self.active_slot}" in self.sizes:
            return f"{part}_{self.active_slot}"
        return None

    def read(self, part: str) -> bytes:
        """Contents of a partition (resolved like :meth:`flash`); raises FlashError."""
        name = self.resolve(part)
        if name is None:
            raise FlashError("Partition doesn't exist")
        return self.contents[name]

    def check_download(self, size: int) -> None:
        """Refuse a ``download:<size>`` before any data is sent, as fastbootd does."""
        if not self.unlocked:
            raise FlashError("Download is not allowed on locked devices")
        if size <= 0:
            raise FlashError("Invalid size (0)")
        if size > self.max_download:
            raise FlashError("Invalid size")

    def download(self, data: bytes) -> None:
        self.check_download(len(data))
        self.download_buffer = bytes(data)

    def flash(self, part: str, data: bytes | None = None) -> str:
        """Write ``data`` (default: the download buffer); return the physical partition.

        ``boot`` goes to the active slot; ``boot_b`` names a slot explicitly.
        """
        if not self.unlocked:
            raise FlashError("Flashing is not allowed on locked devices")
        name = self.resolve(part)
        if name is None:
            # fastbootd fails OpenPartition with -ENOENT and prints strerror().
            raise FlashError("No such file or directory")
        if data is None and not self.download_buffer:
            raise FlashError("No image downloaded")
        payload = self.download_buffer if data is None else bytes(data)
        if payload[:4] == SPARSE_MAGIC:
            # The CLI re-sparses raw images larger than max-download-size and
            # sends them in pieces; fail loudly rather than store sparse chunks.
            raise FlashError("sparse images are not supported by the virtual bootloader")
        if len(payload) > self.sizes[name]:
            # fastbootd: Flash() returns -EOVERFLOW when the image exceeds the device.
            raise FlashError("Value too large for defined data type")
        if self.check_images and re.sub(r"_[ab]$", "", name) == "boot":
            self._check_boot_image(payload)
        self.contents[name] = payload
        digest = hashlib.sha256(payload).hexdigest()
        self.events.append(BootloaderEvent("flash", name, len(payload), digest))
        return name

    @staticmethod
    def _check_boot_image(payload: bytes) -> None:
        info = parse_boot_image(payload)
        if info is None:
            raise FlashError("invalid boot image: no ANDROID! header or sizes past the end of the image")
        if info.kernel_size == 0:
            raise FlashError("invalid boot image: it carries no kernel")
        if info.kernel_release is None:
            raise FlashError("invalid boot image: its kernel has no 'Linux version' banner")

    def erase(self, part: str) -> str:
        if not self.unlocked:
            raise FlashError("Erase is not allowed on locked devices")
        name = self.resolve(part)
        if name is None:
            raise FlashError("Partition doesn't exist")
        self.contents[name] = b""
        self.events.append(BootloaderEvent("erase", name))
        return name

    # -- slots --------------------------------------------------------------

    def slot_letter(self, slot: str) -> str:
        letter = slot[1:] if slot.startswith("_") else slot
        if len(letter) != 1 or not "a" <= letter <= "z":
            raise SlotError("Bad slot suffix")
        if letter not in self.slots:
            raise SlotError("Slot out of range")
        return letter

    def set_active(self, slot: str) -> None:
        """Make ``slot`` ("a", "b", "_a", "_b") boot next, with fresh retries."""
        if not self.unlocked:
            raise SlotError("set_active command is not allowed on locked devices")
        if not self.slotted:
            raise SlotError("Cannot set slot: boot control HAL absent")
        letter = self.slot_letter(slot)
        self.active_slot = letter
        # Like the boot control HAL: an activated slot is retried from scratch.
        self.slot_state[letter] = SlotState(successful=False, unbootable=False)
        self.events.append(BootloaderEvent("set_active", letter))

    def state(self, slot: str) -> SlotState:
        """A copy of one slot's metadata ("" on non-A/B devices)."""
        return replace(self.slot_state[self.slot_letter(slot) if self.slotted else ""])

    def boot_image(self, slot: str | None = None) -> BootImageInfo | None:
        """The boot image a slot (default: active) would boot; None if not valid."""
        letter = self.active_slot if slot is None or not self.slotted else self.slot_letter(slot)
        name = f"boot_{letter}" if letter else "boot"
        return parse_boot_image(self.contents.get(name, b""))

    def bootable_slots(self) -> list[str]:
        """Slots holding a valid boot image and not marked unbootable, active first."""
        order = [self.active_slot] + [s for s in self.slots if s != self.active_slot]
        out = []
        for s in order:
            st = self.slot_state[s]
            usable = not st.unbootable and (st.successful or st.retry_count > 0)
            if usable and self.boot_image(s or None) is not None:
                out.append(s)
        return out

    def kernel_payload(self, slot: str | None = None) -> bytes | None:
        """The kernel bytes inside a slot's (default: active) boot image; None if the image is not valid."""
        info = self.boot_image(slot)
        if info is None:
            return None
        letter = self.active_slot if slot is None or not self.slotted else self.slot_letter(slot)
        data = self.contents.get(f"boot_{letter}" if letter else "boot", b"")
        # Every header version puts the kernel right after the one-page header.
        return data[info.page_size : info.page_size + info.kernel_size]

    def boot_failed(self) -> None:
        """The booted slot's kernel did not come up: never try it again (until set_active)."""
        self.slot_state[self.active_slot].unbootable = True
        self.events.append(BootloaderEvent("boot_failed", self.active_slot))

    def begin_boot(self) -> str | None:
        """Pick the slot to boot (A/B fallback) and spend one try; None: nothing boots."""
        while True:
            st = self.slot_state[self.active_slot]
            if self.active_slot in self.bootable_slots():
                if not st.successful:
                    st.retry_count -= 1
                self.events.append(BootloaderEvent("boot", self.active_slot))
                return self.active_slot
            st.unbootable = True
            self.events.append(BootloaderEvent("boot_failed", self.active_slot))
            others = self.bootable_slots()
            if not others:
                return None
            self.active_slot = others[0]

    def mark_successful(self) -> None:
        """What Android's update_verifier does once the booted slot is healthy."""
        st = self.slot_state[self.active_slot]
        st.successful, st.retry_count = True, DEFAULT_RETRIES
        self.events.append(BootloaderEvent("mark_successful", self.active_slot))

    # -- variables ----------------------------------------------------------

    def getvar(self, name: str) -> str | None:
        """The value of one fastboot variable; None when unknown (see :mod:`getvars`)."""
        return getvars.getvar(self, name)

    def getvar_all(self) -> list[tuple[str, str]]:
        """(name, value) pairs ``getvar all`` reports, one INFO line each."""
        return getvars.getvar_all(self)
