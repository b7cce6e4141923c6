"""Fastboot-over-TCP framing: the FB01 handshake and 8-byte length prefixes.

After the 4-byte handshake every packet in either direction is a big-endian
u64 length followed by that many bytes. Packet boundaries carry meaning only
for commands and replies; a ``download`` payload may arrive in any number of
packets (the 29.x CLI sent a 3 MB image as one packet, but nothing promises it).
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable

HANDSHAKE = b"FB01"
# AOSP caps commands at 64 bytes and replies at 256; allow slack for commands
# but never let a peer make us buffer an arbitrary "command".
MAX_COMMAND = 4096
MAX_REPLY = 256

_LENGTH = struct.Struct(">Q")


class ProtocolError(Exception):
    """The host broke the framing; the connection must be dropped."""


async def accept_handshake(reader: asyncio.StreamReader) -> None:
    """Read the host's ``FBxx`` greeting; raise ProtocolError unless version >= 1."""
    hello = await reader.readexactly(4)
    if hello[:2] != b"FB" or not hello[2:].isdigit() or int(hello[2:]) < 1:
        raise ProtocolError(f"bad fastboot handshake {hello!r}")


async def read_packet(reader: asyncio.StreamReader, limit: int) -> bytes:
    """One length-prefixed packet of at most ``limit`` bytes."""
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    if length > limit:
        raise ProtocolError(f"packet of {length} bytes exceeds {limit}")
    return await reader.readexactly(length)


async def read_payload(
    reader: asyncio.StreamReader, size: int, on_chunk: Callable[[int], None] | None = None
) -> bytes:
    """Collect exactly ``size`` download bytes, spread over one or more packets.

    ``on_chunk`` sees each packet's length as it arrives (fault injection may raise there).
    """
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = await read_packet(reader, remaining)
        chunks.append(chunk)
        remaining -= len(chunk)
        if on_chunk is not None:
            on_chunk(len(chunk))
    return b"".join(chunks)


def frame(reply: bytes) -> bytes:
    """A reply packet; replies longer than the host's 256-byte buffer are cut."""
    reply = reply[:MAX_REPLY]
    return _LENGTH.pack(len(reply)) + reply
