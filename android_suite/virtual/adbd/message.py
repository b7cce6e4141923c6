"""adb transport messages: a 24-byte header of six little-endian uint32 plus a payload.

Only the framing lives here; what the commands mean is :mod:`.connection`'s business.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass


def _tag(name: bytes) -> int:
    # Commands are four ASCII bytes read as one little-endian int ("CNXN" -> 0x4e584e43).
    value: int = struct.unpack("<I", name)[0]
    return value


A_CNXN = _tag(b"CNXN")
A_OPEN = _tag(b"OPEN")
A_OKAY = _tag(b"OKAY")
A_WRTE = _tag(b"WRTE")
A_CLSE = _tag(b"CLSE")
A_AUTH = _tag(b"AUTH")
A_STLS = _tag(b"STLS")
KNOWN_COMMANDS = frozenset({A_CNXN, A_OPEN, A_OKAY, A_WRTE, A_CLSE, A_AUTH, A_STLS})

# From this version on data_check is sent as 0 and not verified (adb >= 7.0 hosts).
A_VERSION_SKIP_CHECKSUM = 0x01000001
A_VERSION = A_VERSION_SKIP_CHECKSUM

# Until CNXN is exchanged neither side knows the other's limit; adbd allows 4 KiB.
MAX_PAYLOAD_HANDSHAKE = 4096
# What we advertise afterwards; hosts advertise the same 1 MiB.
MAX_PAYLOAD = 1024 * 1024

HEADER = struct.Struct("<6I")


class ProtocolError(Exception):
    """The peer broke the framing (bad magic, oversize, bad checksum): drop the connection."""


@dataclass(frozen=True)
class Message:
    command: int
    arg0: int
    arg1: int
    data: bytes = b""

    @property
    def name(self) -> str:
        """The four-letter tag, for logs ("WRTE")."""
        return struct.pack("<I", self.command).decode("ascii", errors="replace")

    def __repr__(self) -> str:
        return f"Message({self.name}, {self.arg0:#x}, {self.arg1:#x}, {len(self.data)} bytes)"


def checksum(data: bytes) -> int:
    """The legacy data_check: a plain byte sum."""
    return sum(data) & 0xFFFFFFFF


def encode(msg: Message, *, with_checksum: bool) -> bytes:
    """Header plus payload, ready for the socket."""
    check = checksum(msg.data) if with_checksum else 0
    header = HEADER.pack(msg.command, msg.arg0, msg.arg1, len(msg.data), check, msg.command ^ 0xFFFFFFFF)
    return header + msg.data


def decode_header(raw: bytes, max_payload: int) -> tuple[int, int, int, int, int]:
    """Check a 24-byte header; returns (command, arg0, arg1, length, data_check).

    Raises:
        ProtocolError: bad magic or a payload above ``max_payload``. (An unknown but
            well-formed command is not an error here: adbd logs and ignores those.)
    """
    command, arg0, arg1, length, check, magic = HEADER.unpack(raw)
    if magic != command ^ 0xFFFFFFFF:
        raise ProtocolError(f"bad magic {magic:#010x} for command {command:#010x}")
    if length > max_payload:
        raise ProtocolError(f"payload of {length} bytes exceeds the limit of {max_payload}")
    return command, arg0, arg1, length, check


async def read_message(reader: asyncio.StreamReader, max_payload: int, *, verify_checksum: bool) -> Message:
    """Read one whole message.

    Raises:
        ProtocolError: framing violation.
        asyncio.IncompleteReadError: the peer closed mid-message or between messages.
    """
    raw = await reader.readexactly(HEADER.size)
    command, arg0, arg1, length, check = decode_header(raw, max_payload)
    data = await reader.readexactly(length) if length else b""
    if verify_checksum and checksum(data) != check:
        raise ProtocolError(f"bad data_check {check:#x} (payload sums to {checksum(data):#x})")
    return Message(command, arg0, arg1, data)
