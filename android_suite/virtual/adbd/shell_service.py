"""``shell:``, ``shell,v2:`` and ``exec:``: run a command through the handset's Shell.

v1 (``shell:``, ``exec:``) is raw bytes with stdout and stderr merged and no exit
status; the host learns the end from our CLSE. v2 wraps everything in packets
(id byte, LE uint32 length, data) and carries the exit status, which is how the
adb CLI returns a remote exit code. The CLI only asks for v2 when the banner
advertises ``shell_v2``; adbutils ``shell2(v2=True)`` checks the same feature.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Callable

from android_suite.virtual.adbd.stream import Stream, StreamClosed
from android_suite.virtual.api import Faults, HandsetEndpoint

log = logging.getLogger(__name__)

# shell protocol v2 packet ids (adb daemon/shell_protocol.h).
ID_STDIN = 0
ID_STDOUT = 1
ID_STDERR = 2
ID_EXIT = 3
ID_CLOSE_STDIN = 4
ID_WINDOW_SIZE = 5

_PACKET_HEADER = struct.Struct("<BI")
# Status reported when the Shell itself blows up: what sh reports for a crashed child.
INTERNAL_ERROR_STATUS = 255
_GARBLE_PATTERN = 0x5A


def garble(data: bytes) -> bytes:
    """Flip bits of every byte but keep the length, like a flaky link would."""
    return bytes(b ^ _GARBLE_PATTERN for b in data)


def pack_packet(packet_id: int, data: bytes) -> bytes:
    return _PACKET_HEADER.pack(packet_id, len(data)) + data


class RawShellIO:
    """v1/exec: stdout and stderr both go straight onto the stream."""

    def __init__(self, stream: Stream, faults: Callable[[], Faults]) -> None:
        self._stream = stream
        self._faults = faults

    async def write_out(self, data: bytes) -> None:
        await self._stream.write(garble(data) if self._faults().garble else data)

    async def write_err(self, data: bytes) -> None:
        await self._stream.write(data)

    async def read_stdin(self, n: int = 65536) -> bytes:
        # v1 has no half-close: stdin only ends with the stream (whose CLSE
        # cancels the command anyway).
        return await self._stream.read(n)


class PacketShellIO:
    """v2: output as stdout/stderr packets; stdin parsed lazily from host packets."""

    def __init__(self, stream: Stream, faults: Callable[[], Faults]) -> None:
        self._stream = stream
        self._faults = faults
        self._stdin = bytearray()
        self._stdin_done = False

    async def write_out(self, data: bytes) -> None:
        if data:  # adbutils skips empty packets, but there is no point sending them
            payload = garble(data) if self._faults().garble else data
            await self._stream.write(pack_packet(ID_STDOUT, payload))

    async def write_err(self, data: bytes) -> None:
        if data:
            await self._stream.write(pack_packet(ID_STDERR, data))

    async def write_exit(self, status: int) -> None:
        await self._stream.write(pack_packet(ID_EXIT, bytes([status & 0xFF])))

    async def read_stdin(self, n: int = 65536) -> bytes:
        while not self._stdin and not self._stdin_done:
            await self._next_packet()
        data = bytes(self._stdin[:n])
        del self._stdin[:n]
        return data

    async def _next_packet(self) -> None:
        try:
            header = await self._stream.read_exact(_PACKET_HEADER.size)
        except StreamClosed:
            self._stdin_done = True
            return
        packet_id, length = _PACKET_HEADER.unpack(header)
        data = await self._stream.read_exact(length) if length else b""
        if packet_id == ID_STDIN:
            self._stdin += data
        elif packet_id == ID_CLOSE_STDIN:
            # The adb CLI sends this when its own stdin hits EOF (e.g. < /dev/null).
            self._stdin_done = True
        elif packet_id != ID_WINDOW_SIZE:  # window size only matters for a pty
            log.debug("shell v2: ignoring packet id %d (%d bytes)", packet_id, length)


def parse_shell_service(service: str) -> tuple[list[str], str] | None:
    """Split ``shell[,arg...]:command`` / ``exec:command`` into (args, command).

    None when it is not a shell service. Args such as ``TERM=xterm-256color``,
    ``raw`` and ``pty`` are returned as is; callers only look for ``v2``.
    """
    head, sep, command = service.partition(":")
    if not sep:
        return None
    kind, *args = head.split(",")
    if kind == "exec" and not args:
        return ["exec"], command
    if kind == "shell":
        return args, command
    return None


async def run_v1(stream: Stream, handset: HandsetEndpoint, command: str) -> None:
    io = RawShellIO(stream, lambda: handset.faults)
    await _run(handset, command, io)


async def run_v2(stream: Stream, handset: HandsetEndpoint, command: str) -> None:
    io = PacketShellIO(stream, lambda: handset.faults)
    status = await _run(handset, command, io)
    await io.write_exit(status)


async def _run(handset: HandsetEndpoint, command: str, io: RawShellIO | PacketShellIO) -> int:
    # Listed as running until it ends however it ends (a drop cancels this task).
    running: dict[int, str] = getattr(getattr(handset, "log", None), "running", {})
    token = id(io)
    running[token] = command
    try:
        return await _run_listed(handset, command, io)
    finally:
        running.pop(token, None)


async def _run_listed(handset: HandsetEndpoint, command: str, io: RawShellIO | PacketShellIO) -> int:
    needle = handset.faults.hang_command
    if needle is not None and needle in command:
        # hang_command fault: the command never finishes; only the host closing
        # the stream (cancelling this task) ends it, as with a wedged binary.
        await asyncio.Event().wait()
    try:
        return await handset.shell.run(command, io)
    except StreamClosed:
        raise
    except Exception:
        # A bug in the fake shell must not look like a protocol failure to the
        # host: report it the way a crashed command would, and log loudly.
        log.exception("shell command %r raised", command)
        return INTERNAL_ERROR_STATUS
