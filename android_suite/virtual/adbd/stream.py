"""One device-side adb stream: stop-and-wait sending, buffered receiving.

A stream is what a service sees. WRTE boundaries carry no meaning (the host
splits and joins as it likes), so incoming data is a byte buffer and services
read exact counts from it.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from android_suite.virtual.adbd.message import A_OKAY, A_WRTE, Message

# Past this much unread host data we hold back the OKAY for the last WRTE, so a
# host pushing faster than the service consumes is paused (adb's own flow control)
# instead of growing our buffer without bound.
INBOX_HIGH_WATER = 4 * 1024 * 1024


class StreamClosed(Exception):
    """The stream ended (host CLSE or connection drop) while a service used it."""


class StreamOwner(Protocol):
    """What a stream needs from its connection."""

    @property
    def max_payload(self) -> int:
        """Largest WRTE payload allowed: min(peer maxdata, ours)."""
        ...

    def post(self, msg: Message) -> None:
        """Queue a message for sending, in order, without waiting."""
        ...

    async def flush(self) -> None:
        """Return once everything queued so far is written to the socket."""
        ...


class Stream:
    """Device end of one OPENed service.

    Attributes:
        local_id: our id (the host's arg1 for OKAY/WRTE/CLSE).
        remote_id: the host's id.
        service: the OPEN payload, trailing NULs stripped.
    """

    def __init__(self, owner: StreamOwner, local_id: int, remote_id: int, service: str) -> None:
        self.local_id = local_id
        self.remote_id = remote_id
        self.service = service
        self.closed = False
        self._owner = owner
        # Stop-and-wait: set while we may send the next WRTE; cleared by a send,
        # set again by the host's OKAY. Starts set: our OKAY to OPEN opens the window.
        self._may_send = asyncio.Event()
        self._may_send.set()
        self._inbox = bytearray()
        self._inbox_changed = asyncio.Event()
        self._okay_owed = False

    @property
    def max_payload(self) -> int:
        return self._owner.max_payload

    # -- called by the connection -------------------------------------------------

    def on_okay(self) -> None:
        self._may_send.set()

    def on_write(self, data: bytes) -> None:
        self._inbox += data
        self._inbox_changed.set()
        if len(self._inbox) < INBOX_HIGH_WATER:
            self._send_okay()
        else:
            self._okay_owed = True

    def on_close(self) -> None:
        """The stream is over; wake anyone waiting so they see StreamClosed/EOF."""
        self.closed = True
        self._may_send.set()
        self._inbox_changed.set()

    # -- used by services ---------------------------------------------------------

    async def write(self, data: bytes) -> None:
        """Send data as WRTEs of at most max_payload bytes, one OKAY each.

        Raises:
            StreamClosed: the stream ended before everything was sent.
        """
        view = memoryview(data)
        step = self.max_payload
        for offset in range(0, len(view), step):
            await self._may_send.wait()
            if self.closed:
                raise StreamClosed(self.service)
            self._may_send.clear()
            chunk = bytes(view[offset : offset + step])
            self._owner.post(Message(A_WRTE, self.local_id, self.remote_id, chunk))

    async def read(self, n: int = 65536) -> bytes:
        """Up to n bytes the host sent; b"" once the stream is closed and drained."""
        while not self._inbox:
            if self.closed:
                return b""
            self._inbox_changed.clear()
            await self._inbox_changed.wait()
        data = bytes(self._inbox[:n])
        del self._inbox[:n]
        if self._okay_owed and len(self._inbox) < INBOX_HIGH_WATER:
            self._okay_owed = False
            self._send_okay()
        return data

    async def read_exact(self, n: int) -> bytes:
        """Exactly n bytes.

        Raises:
            StreamClosed: the stream closed first.
        """
        parts: list[bytes] = []
        missing = n
        while missing:
            chunk = await self.read(missing)
            if not chunk:
                raise StreamClosed(f"{self.service}: closed with {missing} of {n} bytes unread")
            parts.append(chunk)
            missing -= len(chunk)
        return b"".join(parts)

    async def flush(self) -> None:
        """Wait until everything sent so far has reached the socket."""
        await self._owner.flush()

    def _send_okay(self) -> None:
        if not self.closed:
            self._owner.post(Message(A_OKAY, self.local_id, self.remote_id))
