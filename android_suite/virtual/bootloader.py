"""The virtual handset's bootloader: partitions, A/B slots and the getvar table.

The fastboot endpoint (``fastboot/``) is only the wire; every decision a
bootloader makes (which physical partition ``boot`` means, whether an image
fits, which slot boots next) lives here so unit tests can drive it without
sockets. Refusals raise :class:`BootloaderError` subclasses whose message is
the text the fastboot CLI prints as ``FAILED (remote: '<message>')``; the
texts follow AOSP's userspace fastbootd, the one implementation whose wording
is public.

The module also reads and writes Android boot images (``bootimg.h`` header
versions 0-4) so a handset can tell which kernel a slot would boot.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

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
    ) -> None:
        self.product = product
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
        self.contents[name] = payload
        digest = hashlib.sha256(payload).hexdigest()
        self.events.append(BootloaderEvent("flash", name, len(payload), digest))
        return name

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

    def _slot(self, slot: str) -> str:
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
        letter = self._slot(slot)
        self.active_slot = letter
        # Like the boot control HAL: an activated slot is retried from scratch.
        self.slot_state[letter] = SlotState(successful=False, unbootable=False)
        self.events.append(BootloaderEvent("set_active", letter))

    def state(self, slot: str) -> SlotState:
        """A copy of one slot's metadata ("" on non-A/B devices)."""
        return replace(self.slot_state[self._slot(slot) if self.slotted else ""])

    def boot_image(self, slot: str | None = None) -> BootImageInfo | None:
        """The boot image a slot (default: active) would boot; None if not valid."""
        letter = self.active_slot if slot is None or not self.slotted else self._slot(slot)
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
        """The value of one fastboot variable; None when unknown."""
        key, _, arg = name.partition(":")
        simple = {
            "version": "0.4",
            "version-bootloader": "virtual-1.0",
            "product": self.product,
            "serialno": self.serialno,
            "secure": "yes",
            "unlocked": _yes(self.unlocked),
            # fastbootd prints "0x%X"; the CLI parses it with strtoll(base 0).
            "max-download-size": f"0x{self.max_download:X}",
            "is-userspace": "no",
        }
        if not arg and key in simple:
            return simple[key]
        if self.slotted and not arg:
            slotvars = {
                "current-slot": self.active_slot,
                "slot-count": str(len(self.slots)),
                "slot-suffixes": ",".join(f"_{s}" for s in self.slots),
            }
            if key in slotvars:
                return slotvars[key]
        if key == "has-slot" and arg:
            # An unknown partition is "no", not a failure (fastbootd does the same).
            return _yes(self.has_slot(arg))
        if key in ("slot-successful", "slot-unbootable", "slot-retry-count") and self.slotted:
            try:
                st = self.slot_state[self._slot(arg)]
            except SlotError:
                return None
            if key == "slot-retry-count":
                return str(st.retry_count)
            return _yes(st.successful if key == "slot-successful" else st.unbootable)
        if arg in self.sizes:
            if key == "partition-size":
                return f"0x{self.sizes[arg]:X}"
            if key == "partition-type":
                # Always "raw": for ext4/f2fs the 29.x CLI turns `erase` into a
                # host-side mkfs plus flash, which needs tools CI lacks.
                return "raw"
            if key == "is-logical":
                return "no"
        return None

    def getvar_all(self) -> list[tuple[str, str]]:
        """(name, value) pairs ``getvar all`` reports, one INFO line each."""
        names = ["version", "version-bootloader", "product", "serialno", "secure", "unlocked",
                 "max-download-size", "is-userspace", "current-slot", "slot-count", "slot-suffixes"]
        bases = sorted({re.sub(r"_[ab]$", "", p) for p in self.sizes} if self.slotted else ())
        names += [f"has-slot:{b}" for b in bases]
        for s in self.slots:
            names += [f"slot-successful:{s}", f"slot-unbootable:{s}", f"slot-retry-count:{s}"]
        for p in sorted(self.sizes):
            names += [f"partition-size:{p}", f"partition-type:{p}", f"is-logical:{p}"]
        out = []
        for n in names:
            value = self.getvar(n)
            if value is not None:
                out.append((n, value))
        return out


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


# -- boot images (AOSP bootimg.h) ----------------------------------------------

BOOT_MAGIC = b"ANDROID!"
SPARSE_MAGIC = struct.pack("<I", 0xED26FF3A)
# v0-v2: magic, then ten u32 (kernel size/addr, ramdisk size/addr, second
# size/addr, tags addr, page size, header version, os_version), name[16],
# cmdline[512], id[32], extra_cmdline[1024].
_V0 = struct.Struct("<8s10I16s512s32s1024s")
_V1_EXTRA = struct.Struct("<IQI")  # recovery_dtbo size/offset, header_size
_V2_EXTRA = struct.Struct("<IQ")  # dtb size/addr
# v3/v4: magic, kernel size, ramdisk size, os_version, header_size, 4 reserved
# u32, header_version, cmdline[1536]; v4 adds signature_size. Pages are 4096.
_V3 = struct.Struct("<8s4I16sI1536s")
_V4_EXTRA = struct.Struct("<I")
_V3_PAGE = 4096
# mkbootimg's default load addresses (base 0x10000000 plus offsets).
_BASE = 0x10000000
_ADDRS = {"kernel": _BASE + 0x8000, "ramdisk": _BASE + 0x1000000, "second": _BASE + 0xF00000,
          "tags": _BASE + 0x100, "dtb": _BASE + 0x1F00000}
_RELEASE = re.compile(rb"Linux version (\S+)")


@dataclass(frozen=True)
class BootImageInfo:
    """What :func:`parse_boot_image` reads from an Android boot image.

    Attributes:
        os_version: "14.0.0", or None when the header leaves it 0.
        os_patch_level: "2024-06", or None when the header leaves it 0.
        kernel_release: ``uname -r`` found as "Linux version X" in the (plain or
            gzip) kernel payload; None when absent or otherwise compressed.
        kernel_sha256: hex digest of the kernel payload, to tell variants apart.
    """

    header_version: int
    kernel_size: int
    ramdisk_size: int
    page_size: int
    os_version: str | None
    os_patch_level: str | None
    cmdline: str
    kernel_release: str | None = None
    kernel_sha256: str = field(default="", repr=False)


def _pad(n: int, page: int) -> int:
    return -n % page


def _encode_os(version: str, patch_level: str) -> int:
    a, b, c = (int(x) for x in [*version.split("."), "0", "0"][:3])
    year, month = (int(x) for x in patch_level.split("-")[:2])
    if not all(0 <= x < 128 for x in (a, b, c, year - 2000)) or not 1 <= month <= 12:
        raise ValueError(f"cannot encode os_version {version!r} / patch level {patch_level!r}")
    return (a << 25) | (b << 18) | (c << 11) | ((year - 2000) << 4) | month


def _decode_os(value: int) -> tuple[str | None, str | None]:
    version, level = value >> 11, value & 0x7FF
    ver = f"{version >> 14}.{(version >> 7) & 0x7F}.{version & 0x7F}" if version else None
    lvl = f"{2000 + (level >> 4)}-{level & 0xF:02d}" if level else None
    return ver, lvl


def build_boot_image(
    kernel: bytes,
    ramdisk: bytes = b"",
    *,
    header_version: int = 4,
    cmdline: str = "",
    os_version: str = "14.0.0",
    patch_level: str = "2024-06",
) -> bytes:
    """A valid boot image with header v0-v4, laid out as mkbootimg does (no signature)."""
    if not 0 <= header_version <= 4:
        raise ValueError(f"unsupported boot image header version {header_version}")
    os_field = _encode_os(os_version, patch_level)
    raw_cmdline = cmdline.encode()
    if len(raw_cmdline) > 1535:
        raise ValueError("cmdline longer than 1535 bytes")
    if header_version >= 3:
        size = _V3.size + (_V4_EXTRA.size if header_version == 4 else 0)
        header = _V3.pack(BOOT_MAGIC, len(kernel), len(ramdisk), os_field, size, b"",
                          header_version, raw_cmdline)
        if header_version == 4:
            header += _V4_EXTRA.pack(0)
        parts = [header, kernel, ramdisk]
        page = _V3_PAGE
    else:
        page = 2048
        # Like mkbootimg: the first 511 bytes (NUL-terminated) in cmdline, the rest in extra_cmdline.
        header = _V0.pack(BOOT_MAGIC, len(kernel), _ADDRS["kernel"], len(ramdisk), _ADDRS["ramdisk"],
                          0, _ADDRS["second"], _ADDRS["tags"], page, header_version, os_field,
                          b"", raw_cmdline[:511], b"", raw_cmdline[511:])
        if header_version >= 1:
            size = _V0.size + _V1_EXTRA.size + (_V2_EXTRA.size if header_version == 2 else 0)
            header += _V1_EXTRA.pack(0, 0, size)
        if header_version == 2:
            header += _V2_EXTRA.pack(0, _ADDRS["dtb"])
        parts = [header, kernel, ramdisk]
    return b"".join(p + b"\0" * _pad(len(p), page) for p in parts)


def _kernel_release(kernel: bytes) -> str | None:
    if kernel[:2] == b"\x1f\x8b":
        # GKI boot images often carry Image.gz; read at most 64 MiB of it.
        try:
            kernel = zlib.decompressobj(wbits=31).decompress(kernel, 64 * MiB)
        except zlib.error:
            return None
    m = _RELEASE.search(kernel)
    return m.group(1).decode("ascii", "replace") if m else None


def parse_boot_image(data: bytes) -> BootImageInfo | None:
    """Read an Android boot image header (v0-v4); None if ``data`` is not one or is cut short."""
    if data[:8] != BOOT_MAGIC or len(data) < _V3.size + _V4_EXTRA.size:
        return None
    # header_version sits at offset 40 in every version; v0 images may keep a
    # dt_size there instead, so anything above 4 is read as v0.
    (version,) = struct.unpack_from("<I", data, 40)
    if 3 <= version <= 4:
        _, kernel_size, ramdisk_size, os_field, _, _, _, raw_cmdline = _V3.unpack_from(data)
        page = _V3_PAGE
    else:
        if len(data) < _V0.size:
            return None
        fields = _V0.unpack_from(data)
        kernel_size, ramdisk_size, page, os_field = fields[1], fields[3], fields[8], fields[10]
        raw_cmdline = fields[12].split(b"\0", 1)[0] + fields[14]
        version = version if version <= 2 else 0
        if page not in (2048, 4096, 8192, 16384):
            return None
    kernel_at = page  # the header occupies exactly one page
    kernel = data[kernel_at : kernel_at + kernel_size]
    ramdisk_end = kernel_at + kernel_size + _pad(kernel_size, page) + ramdisk_size
    if len(kernel) < kernel_size or len(data) < ramdisk_end:
        return None
    os_version, patch_level = _decode_os(os_field)
    return BootImageInfo(
        header_version=version,
        kernel_size=kernel_size,
        ramdisk_size=ramdisk_size,
        page_size=page,
        os_version=os_version,
        os_patch_level=patch_level,
        cmdline=raw_cmdline.split(b"\0", 1)[0].decode("utf-8", "replace"),
        kernel_release=_kernel_release(kernel),
        kernel_sha256=hashlib.sha256(kernel).hexdigest(),
    )
