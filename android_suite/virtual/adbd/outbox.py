"""The single writer of a connection's socket.

All messages go through one queue and one task so they keep their order, the
read loop never blocks on a slow peer, and the ``delay_s``/``hang`` faults
apply to every message the device sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from android_suite.virtual.adbd.message import Message, encode
from android_suite.virtual.api import Faults

# How often a hung endpoint re-checks faults.hang (a plain flag the control API flips).
HANG_POLL_S = 0.02


async def wait_while_hung(faults: Callable[[], Faults]) -> None:
    # Read handset.faults afresh each time: the control API may replace the object.
    while faults().hang:
        await asyncio.sleep(HANG_POLL_S)


class Outbox:
    """Queue of outgoing messages, drained by :meth:`run`.

    Args:
        writer: the connection's socket.
        faults: returns the handset's current Faults.
        with_checksum: returns True while the negotiated version needs data_check sums.
    """

    def __init__(
        self, writer: asyncio.StreamWriter, faults: Callable[[], Faults], with_checksum: Callable[[], bool]
    ) -> None:
        self._writer = writer
        self._faults = faults
        self._with_checksum = with_checksum
        self._queue: asyncio.Queue[tuple[Message | None, asyncio.Future[None] | None]] = asyncio.Queue()

    def post(self, msg: Message) -> None:
        """Queue msg; never blocks (callers that must wait use flush)."""
        self._queue.put_nowait((msg, None))

    async def flush(self) -> None:
        """Return once everything posted before this call has been written and drained."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((None, done))
        await done

    async def run(self) -> None:
        """Write forever; ends only by cancellation or a socket error."""
        while True:
            msg, done = await self._queue.get()
            if msg is not None:
                delay = self._faults().delay_s
                if delay > 0:
                    await asyncio.sleep(delay)
                await wait_while_hung(self._faults)
                if self._faults().consume_link_bytes(len(msg.data)):
                    # drop_after_bytes: the link dies with this message unsent.
                    self._writer.transport.abort()
                    raise ConnectionResetError("drop_after_bytes fault")
                self._writer.write(encode(msg, with_checksum=self._with_checksum()))
            await self._writer.drain()
            if done is not None and not done.done():
                done.set_result(None)
