"""A valid, small PNG of a blank screen for ``takeScreenshot``.

The real server returns a base64 JPEG; u2 opens it with PIL, which reads PNG
just as well, and PNG needs only zlib. The image is the screen size scaled
down by ``scale`` and filled with one colour (there is no renderer).
"""

from __future__ import annotations

import struct
import zlib

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def blank_png(width: int, height: int, rgb: tuple[int, int, int] = (32, 33, 36)) -> bytes:
    """An 8-bit RGB PNG of ``width`` x ``height`` filled with ``rgb``."""
    if width <= 0 or height <= 0:
        raise ValueError(f"bad image size {width}x{height}")
    row = b"\x00" + bytes(rgb) * width  # filter byte 0 (None), then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(row * height, 6)) + _chunk(b"IEND", b"")
