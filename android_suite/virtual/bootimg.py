"""Android boot images (AOSP ``bootimg.h`` header versions 0-4): parse and build.

Pure functions, so the bootloader can tell which kernel a slot would boot and
the kernel_config tooling can wrap test kernels into images the flash path takes.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass, field

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
_ADDRS = {
    "kernel": _BASE + 0x8000,
    "ramdisk": _BASE + 0x1000000,
    "second": _BASE + 0xF00000,
    "tags": _BASE + 0x100,
    "dtb": _BASE + 0x1F00000,
}
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
        header = _V3.pack(BOOT_MAGIC, len(kernel), len(ramdisk), os_field, size, b"", header_version, raw_cmdline)
        if header_version == 4:
            header += _V4_EXTRA.pack(0)
        parts = [header, kernel, ramdisk]
        page = _V3_PAGE
    else:
        page = 2048
        # Like mkbootimg: the first 511 bytes (NUL-terminated) in cmdline, the rest in extra_cmdline.
        header = _V0.pack(
            BOOT_MAGIC,
            len(kernel),
            _ADDRS["kernel"],
            len(ramdisk),
            _ADDRS["ramdisk"],
            0,
            _ADDRS["second"],
            _ADDRS["tags"],
            page,
            header_version,
            os_field,
            b"",
            raw_cmdline[:511],
            b"",
            raw_cmdline[511:],
        )
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
            kernel = zlib.decompressobj(wbits=31).decompress(kernel, 64 * 1024 * 1024)
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
