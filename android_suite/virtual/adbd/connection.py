"""One adb transport connection: handshake, stream table, message dispatch.

All sending goes through an :class:`Outbox` (one writer task); the read loop
never blocks on sending. Each OPEN gets a task; host CLSE cancels it, and a
dropped connection cancels all of them before ``run`` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from android_suite.virtual.adbd.message import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_STLS,
    A_VERSION,
    A_VERSION_SKIP_CHECKSUM,
    A_WRTE,
    MAX_PAYLOAD,
    MAX_PAYLOAD_HANDSHAKE,
    Message,
    ProtocolError,
    read_message,
)
from android_suite.virtual.adbd.outbox import Outbox, wait_while_hung
from android_suite.virtual.adbd.services import open_service
from android_suite.virtual.adbd.stream import Stream, StreamClosed
from android_suite.virtual.api import Faults, HandsetEndpoint

log = logging.getLogger(__name__)


class Connection:
    """Serves one host over one TCP connection until either side drops it."""

    def __init__(
        self,
        handset: HandsetEndpoint,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        maxdata: int = MAX_PAYLOAD,
    ) -> None:
        self._handset = handset
        self._reader = reader
        self._writer = writer
        self._our_maxdata = maxdata
        self._max_payload = MAX_PAYLOAD_HANDSHAKE
        self._version = 0  # 0 until CNXN
        self._streams: dict[int, Stream] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._next_id = 1
        self._outbox = Outbox(writer, lambda: handset.faults, lambda: self._verify_checksum)
        self._loop = asyncio.get_running_loop()
        self._main: asyncio.Task[None] | None = None
        self._closing = False  # set once teardown starts: no second cancel may interrupt it
        self.closed_by_request = False  # close() was called (handset drop, endpoint stop)
        self.peer = writer.get_extra_info("peername")

    @property
    def max_payload(self) -> int:
        return self._max_payload

    def post(self, msg: Message) -> None:
        self._outbox.post(msg)

    async def flush(self) -> None:
        await self._outbox.flush()

    def close(self) -> None:
        """Drop the connection; safe from any thread (the handset's closer)."""
        self.closed_by_request = True
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._cancel_main()
        else:
            self._loop.call_soon_threadsafe(self._cancel_main)

    async def run(self) -> None:
        """Serve until EOF, a protocol error or close(); all stream tasks are gone on return."""
        self._main = asyncio.current_task()
        unregister = self._handset.register_connection(self.close)
        writer_task = asyncio.create_task(self._outbox.run())
        writer_task.add_done_callback(lambda _: self.close())  # a dead socket ends the connection
        try:
            await self._read_loop()
        except ProtocolError as exc:
            log.warning("adb connection from %s dropped: %s", self.peer, exc)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            log.debug("adb connection from %s ended: %r", self.peer, exc)
        finally:
            await self._teardown(writer_task)
            unregister()

    # -- reading ----------------------------------------------------------------

    async def _read_loop(self) -> None:
        while True:
            await wait_while_hung(self._faults)
            msg = await read_message(self._reader, self._max_payload, verify_checksum=self._verify_checksum)
            await wait_while_hung(self._faults)  # the flag may have flipped while we waited for bytes
            if self._faults().consume_link_bytes(len(msg.data)):
                # drop_after_bytes on inbound data (a cable pulled mid-push).
                self._writer.transport.abort()
                raise ConnectionResetError("drop_after_bytes fault")
            self._dispatch(msg)

    @property
    def _verify_checksum(self) -> bool:
        # Legacy hosts (< 0x01000001) sum payloads both ways. Before CNXN we cannot
        # know the host's choice, so the CNXN itself is not checked.
        return 0 < self._version < A_VERSION_SKIP_CHECKSUM

    def _faults(self) -> Faults:
        return self._handset.faults

    def _dispatch(self, msg: Message) -> None:
        if msg.command == A_CNXN:
            self._on_connect(msg)
        elif msg.command in (A_AUTH, A_STLS):
            # We never start AUTH/STLS, so a host has no reason to send either.
            log.warning("ignoring unsolicited %s from %s", msg.name, self.peer)
        elif not self._version:
            raise ProtocolError(f"{msg.name} before CNXN")
        elif msg.command == A_OPEN:
            self._on_open(msg)
        elif msg.command in (A_OKAY, A_WRTE, A_CLSE):
            self._on_stream_message(msg)
        else:
            log.warning("ignoring unknown command %r", msg)

    def _on_connect(self, msg: Message) -> None:
        # Answer at once, no AUTH: what adbd does when auth is off (always over TCP here).
        self._version = min(msg.arg0, A_VERSION)
        self._max_payload = max(MAX_PAYLOAD_HANDSHAKE, min(msg.arg1, self._our_maxdata))
        self.post(Message(A_CNXN, A_VERSION, self._our_maxdata, self._handset.banner))

    def _on_open(self, msg: Message) -> None:
        if msg.arg0 == 0:
            raise ProtocolError("OPEN with host id 0")
        service = msg.data.rstrip(b"\0").decode("utf-8", errors="replace")
        log.debug("OPEN %r from host stream %d", service, msg.arg0)
        local_id = self._next_id
        self._next_id += 1
        stream = Stream(self, local_id, msg.arg0, service)
        self._streams[local_id] = stream
        self._tasks[local_id] = asyncio.create_task(self._serve(stream), name=f"adbd:{service}")

    def _on_stream_message(self, msg: Message) -> None:
        stream = self._streams.get(msg.arg1)
        if stream is None:
            # Normal after we CLSEd: the host may still OKAY our last WRTE.
            log.debug("%r for unknown stream %d", msg, msg.arg1)
            return
        if msg.command == A_OKAY:
            stream.on_okay()
        elif msg.command == A_WRTE:
            stream.on_write(msg.data)
        else:
            self._streams.pop(msg.arg1, None)
            stream.on_close()
            task = self._tasks.pop(msg.arg1, None)
            if task is not None:
                task.cancel()  # the host gave up: stop the command (e.g. a long `sleep`)

    async def _serve(self, stream: Stream) -> None:
        refused = False
        try:
            service = await open_service(stream.service, self._handset)
            if service is None:
                refused = True
                return
            self.post(Message(A_OKAY, stream.local_id, stream.remote_id))
            await service(stream)
        except StreamClosed:
            pass
        except Exception:
            log.exception("adb service %r failed", stream.service)
        finally:
            self._tasks.pop(stream.local_id, None)
            if self._streams.pop(stream.local_id, None) is not None:
                # A refusal names no local id: CLSE(0, host_id) is what clients read as "closed".
                self.post(Message(A_CLSE, 0 if refused else stream.local_id, stream.remote_id))
            stream.on_close()

    # -- writing and teardown ---------------------------------------------------------

    def _cancel_main(self) -> None:
        if self._main is not None and not self._main.done() and not self._closing:
            self._main.cancel()

    async def _teardown(self, writer_task: asyncio.Task[None]) -> None:
        self._closing = True
        tasks = [*self._tasks.values(), writer_task]
        for stream in self._streams.values():
            stream.on_close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._streams.clear()
        # abort, not close: queued data is moot and a stalled peer must not block us.
        self._writer.transport.abort()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()
