"""A tiny adb *host* over a raw socket, for driving AdbEndpoint in tests.

It speaks the transport protocol directly (no adb server) and checks the
device's side of stop-and-wait: a second WRTE on a stream before our OKAY is
recorded in ``violations``.
"""

from __future__ import annotations

import asyncio
import struct

from android_suite.virtual.adbd.message import (
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_VERSION,
    A_VERSION_SKIP_CHECKSUM,
    A_WRTE,
    MAX_PAYLOAD,
    Message,
    encode,
    read_message,
)

HOST_FEATURES = b"host::features=shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,apex,abb,abb_exec"


class HostStream:
    """Host end of one stream. With auto_okay=False the test OKAYs each WRTE itself."""

    def __init__(self, host: RawHost, local_id: int, auto_okay: bool) -> None:
        self.host = host
        self.local_id = local_id
        self.remote_id = 0
        self.auto_okay = auto_okay
        self.opened: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.chunks: asyncio.Queue[bytes] = asyncio.Queue()  # b"" marks CLSE
        self.closed = False
        self.wrte_sizes: list[int] = []
        self.unacked = 0  # WRTEs received and not yet OKAYed
        self._okay = asyncio.Event()
        self._buffer = bytearray()

    def okay(self) -> None:
        self.unacked -= 1
        self.host.send_nowait(Message(A_OKAY, self.local_id, self.remote_id))

    async def write(self, data: bytes) -> None:
        """One WRTE, then wait for the device's OKAY (stop-and-wait)."""
        self._okay.clear()
        await self.host.send(Message(A_WRTE, self.local_id, self.remote_id, data))
        await self._okay.wait()

    async def close(self) -> None:
        self.closed = True
        await self.host.send(Message(A_CLSE, self.local_id, self.remote_id))

    async def read_exact(self, n: int) -> bytes:
        while len(self._buffer) < n:
            chunk = await self.chunks.get()
            if not chunk:
                raise EOFError(f"stream closed with {len(self._buffer)} of {n} bytes")
            self._buffer += chunk
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    async def read_all(self) -> bytes:
        """Everything until the device's CLSE."""
        while chunk := await self.chunks.get():
            self._buffer += chunk
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


class RawHost:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.streams: dict[int, HostStream] = {}
        self.violations: list[str] = []
        self.banner = b""
        self.device_maxdata = 0
        self.dropped = asyncio.Event()
        self._next_id = 100
        self.checksums = False  # legacy hosts (version < 0x01000001) sum every payload
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def connect(
        cls, port: int, maxdata: int = MAX_PAYLOAD, handshake: bool = True, version: int = A_VERSION
    ) -> RawHost:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        host = cls(reader, writer)
        host.checksums = version < A_VERSION_SKIP_CHECKSUM
        if handshake:
            await host.send(Message(A_CNXN, version, maxdata, HOST_FEATURES))
            reply = await read_message(reader, MAX_PAYLOAD, verify_checksum=host.checksums)
            assert reply.command == A_CNXN, reply
            host.banner, host.device_maxdata = reply.data, reply.arg1
        host._task = asyncio.create_task(host._read_loop())
        return host

    async def send(self, msg: Message) -> None:
        self.send_nowait(msg)
        await self.writer.drain()

    def send_nowait(self, msg: Message) -> None:
        self.writer.write(encode(msg, with_checksum=self.checksums))

    async def open(self, service: str, auto_okay: bool = True) -> HostStream | None:
        """OPEN a service; None when the device refuses it."""
        stream = HostStream(self, self._next_id, auto_okay)
        self.streams[self._next_id] = stream
        self._next_id += 1
        await self.send(Message(A_OPEN, stream.local_id, 0, service.encode() + b"\0"))
        return stream if await stream.opened else None

    async def close(self) -> None:
        self.writer.close()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _read_loop(self) -> None:
        try:
            while True:
                msg = await read_message(self.reader, MAX_PAYLOAD, verify_checksum=self.checksums)
                self._handle(msg)
        except (asyncio.IncompleteReadError, ConnectionError):
            self.dropped.set()
            for s in self.streams.values():
                if not s.opened.done():
                    s.opened.set_result(False)
                s.chunks.put_nowait(b"")

    def _handle(self, msg: Message) -> None:
        stream = self.streams.get(msg.arg1)
        if stream is None:
            self.violations.append(f"{msg!r} for unknown host stream")
            return
        if msg.command == A_OKAY:
            if not stream.opened.done():
                stream.remote_id = msg.arg0
                stream.opened.set_result(True)
            stream._okay.set()
        elif msg.command == A_WRTE:
            if stream.unacked:
                self.violations.append(f"WRTE on {stream.local_id} before OKAY of the previous one")
            stream.unacked += 1
            stream.wrte_sizes.append(len(msg.data))
            stream.chunks.put_nowait(msg.data)
            if stream.auto_okay:
                stream.okay()
        elif msg.command == A_CLSE:
            if not stream.opened.done():
                stream.opened.set_result(False)
                if msg.arg0 != 0:
                    self.violations.append(f"refusal CLSE with non-zero device id {msg.arg0}")
            stream.chunks.put_nowait(b"")
        else:
            self.violations.append(f"unexpected {msg!r}")


def v2_packets(data: bytes) -> list[tuple[int, bytes]]:
    """Split shell v2 output into (id, payload) packets."""
    out = []
    while data:
        pid, length = struct.unpack("<BI", data[:5])
        out.append((pid, data[5 : 5 + length]))
        data = data[5 + length :]
    return out
