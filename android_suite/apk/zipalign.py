"""Our own zip rewrite: fixed order and timestamps, and alignment of stored entries.

Debian's zipalign aligns stored entries to 4 bytes and, with ``-p``, shared
objects to 4 KiB only; Android 15+ devices with 16 KiB pages need the
uncompressed ``lib/<abi>/*.so`` of an ``extractNativeLibs="false"`` app on a
16 KiB boundary, so the padding is done here, the way zipalign does it: an
extra field (id 0xD935, Android's alignment field) in the local header.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

LIB_ALIGN = 16384  # stored shared objects (16 KiB pages)
STORED_ALIGN = 4  # every other stored entry (resources.arsc must be 4-aligned from targetSdk 30)
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # what aapt writes too: a rebuild gives the same bytes
ALIGN_EXTRA_ID = 0xD935
_LOCAL_HEADER = 30


def alignment_for(name: str) -> int:
    return LIB_ALIGN if name.startswith("lib/") and name.endswith(".so") else STORED_ALIGN


def entry_order(names: list[str]) -> list[str]:
    """AndroidManifest.xml and resources.arsc first (as aapt writes them), then by name."""
    first = [n for n in ("AndroidManifest.xml", "resources.arsc") if n in names]
    return first + sorted(n for n in names if n not in first)


def rewrite(src: Path, dst: Path) -> None:
    """Copy the zip ``src`` to ``dst`` deterministically, stored entries aligned."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        infos = {i.filename: i for i in zin.infolist()}
        for name in entry_order(list(infos)):
            data = zin.read(name)
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.create_system = 0
            info.external_attr = 0
            info.compress_type = infos[name].compress_type
            if info.compress_type == zipfile.ZIP_STORED:
                assert zout.fp is not None
                start = zout.fp.tell() + _LOCAL_HEADER + len(name.encode())
                info.extra = _padding(start, alignment_for(name))
            zout.writestr(info, data, compresslevel=9)
            info.extra = b""  # padding lives in the local header only (as zipalign does it)


def _padding(data_start_without_extra: int, align: int) -> bytes:
    """An 0xD935 extra field that puts the entry's data on a multiple of ``align``."""
    base = data_start_without_extra + 6  # the field's own id, size and alignment value
    pad = (-base) % align
    return struct.pack("<HHH", ALIGN_EXTRA_ID, 2 + pad, min(align, 0xFFFF)) + b"\0" * pad


@dataclass(frozen=True)
class Misaligned:
    name: str
    offset: int
    align: int


def check_alignment(path: Path) -> list[Misaligned]:
    """Stored entries whose data is not aligned as :func:`alignment_for` requires."""
    bad: list[Misaligned] = []
    with path.open("rb") as fh, zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.compress_type != zipfile.ZIP_STORED:
                continue
            fh.seek(info.header_offset)
            header = fh.read(_LOCAL_HEADER)
            name_len, extra_len = struct.unpack_from("<HH", header, 26)
            offset = info.header_offset + _LOCAL_HEADER + name_len + extra_len
            align = alignment_for(info.filename)
            if offset % align:
                bad.append(Misaligned(info.filename, offset, align))
    return bad
