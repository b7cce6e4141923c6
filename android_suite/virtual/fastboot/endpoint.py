"""The fastboot TCP listener of one virtual handset.

The real CLI opens one TCP connection per invocation, greets with ``FB01``,
sends a few commands and closes. A phone that is not in fastboot mode has no
listener; we keep the port bound (so it stays stable across reboots) and reset
every connection at once instead (see :func:`_reset`).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

from android_suite.virtual.api import FastbootTarget
from android_suite.virtual.bootloader import Bootloader, BootloaderError
from android_suite.virtual.fastboot.commands import Outcome, fail, run_command
from android_suite.virtual.fastboot.wire import (
    HANDSHAKE,
    MAX_COMMAND,
    ProtocolError,
    accept_handshake,
    frame,
    read_packet,
    read_payload,
)

# How often a hung endpoint re-checks the fault flag (it has no change event).
_HANG_POLL_S = 0.05


class FastbootEndpoint:
    """Serves fastboot over TCP for ``target`` while it sits in the bootloader.

    Args:
        target: the handset; ``target.bootloader`` must be a Bootloader. An
            optional ``target.faults`` (api.Faults) is honoured: ``refuse``
            closes new connections at once, ``hang`` stops answering until
            cleared, ``delay_s`` delays every reply.
        host: address to bind; loopback only.
        port: 0 picks a free port.
    """

    def __init__(self, target: FastbootTarget, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError(f"fastboot endpoint binds loopback only, not {host!r}")
        self.target = target
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        """Bind and listen; returns the port."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening and drop live connections; never raises."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    # -- faults -------------------------------------------------------------

    def _fault(self, name: str) -> float:
        return float(getattr(getattr(self.target, "faults", None), name, 0) or 0)

    def _flash_fault(self, partition: str) -> bool:
        wanted = getattr(getattr(self.target, "faults", None), "fail_flash", None)
        if not wanted:
            return False
        base = partition[:-2] if partition.endswith(("_a", "_b")) else partition
        return bool(wanted == "*" or wanted in (partition, base))

    async def _before_reply(self) -> None:
        while self._fault("hang"):
            await asyncio.sleep(_HANG_POLL_S)
        delay = self._fault("delay_s")
        if delay > 0:
            await asyncio.sleep(delay)

    # -- connection ---------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            if self._fault("refuse") or not self.target.in_bootloader:
                _reset(writer)
                return
            await accept_handshake(reader)
            await self._before_reply()
            writer.write(HANDSHAKE)
            await writer.drain()
            while self.target.in_bootloader:
                command = (await read_packet(reader, MAX_COMMAND)).decode("ascii", "replace")
                outcome = await self._execute(command, reader, writer)
                await self._before_reply()
                for reply in outcome.replies:
                    writer.write(frame(reply))
                await writer.drain()
                if outcome.reboot is not None:
                    # Reply first: the CLI prints OKAY only if it reads it before the drop.
                    self.target.request_reboot(outcome.reboot)
                    return
        except (asyncio.IncompleteReadError, ConnectionError, ProtocolError):
            pass  # the host went away or broke framing: drop it, as a phone would
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _execute(self, command: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Outcome:
        bootloader = self.target.bootloader
        if not isinstance(bootloader, Bootloader):
            return fail("virtual handset has no Bootloader")
        if command.startswith("flash:") and self._flash_fault(command[len("flash:") :]):
            # fail_flash fault: a write error from the storage driver; nothing is written.
            return fail("Flash write failure")
        if not command.startswith("download:"):
            return run_command(bootloader, command)
        try:
            size = int(command[len("download:") :], 16)
        except ValueError:
            return fail("Invalid size")
        try:
            bootloader.check_download(size)
        except BootloaderError as exc:
            return fail(exc.message)
        await self._before_reply()
        writer.write(frame(b"DATA%08x" % size))
        await writer.drain()
        data = await self._download(reader, writer, size)
        try:
            bootloader.download(data)
        except BootloaderError as exc:
            return fail(exc.message)
        return Outcome([b"OKAY"])

    async def _download(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, size: int) -> bytes:
        """The download payload; under ``fastboot_drop_after_bytes`` the link is reset part-way."""
        faults = getattr(self.target, "faults", None)
        if faults is None or getattr(faults, "fastboot_drop_after_bytes", None) is None:
            return await read_payload(reader, size)

        def count(n: int) -> None:
            if faults.consume_fastboot_bytes(n):
                # A cable pulled mid-download: the host sees a reset; the buffer stays unwritten.
                _reset(writer)
                raise ConnectionResetError("fastboot link dropped mid-download (fault)")

        return await read_payload(reader, size, count)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Drop a connection with a TCP RST, the nearest thing to "nothing listens here".

    Observed with the 29.0.6 CLI: with no listener it prints "< waiting for
    tcp:HOST:PORT >" and retries connect() about every millisecond, so it
    proceeds as soon as the phone reaches fastboot mode. A reset gives the same
    behaviour ("No initialization message received (Connection reset by
    peer)", then retries). A plain close does not: if the FIN beats the
    host's FB01 the CLI waits forever on that one connection without a word.
    """
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
