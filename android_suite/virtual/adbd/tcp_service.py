"""``tcp:PORT``: bridge an adb stream to a device-local TCP connection.

The adb server's ``forward`` lives on the host; the device only sees
``OPEN tcp:PORT`` when a client connects to the forwarded port (or adbutils
``create_connection``). There is no half-close in adb streams: the bridge
ends when the device-side socket reaches EOF (we then CLSE) or when the host
CLSEs (the service task is cancelled).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from android_suite.virtual.adbd.stream import Stream

log = logging.getLogger(__name__)

_READ_SIZE = 256 * 1024


def parse_tcp_service(service: str) -> int | None:
    """The port of ``tcp:PORT``; None for anything else (``tcp:host:port`` included)."""
    kind, sep, port_text = service.partition(":")
    if kind != "tcp" or not sep or not port_text.isdigit():
        return None
    port = int(port_text)
    return port if 0 < port < 65536 else None


async def bridge(stream: Stream, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy bytes both ways until either side ends; always closes the local socket."""

    async def host_to_device() -> None:
        while data := await stream.read(_READ_SIZE):
            writer.write(data)
            await writer.drain()

    async def device_to_host() -> None:
        while data := await reader.read(min(_READ_SIZE, stream.max_payload)):
            await stream.write(data)

    tasks = [asyncio.create_task(host_to_device()), asyncio.create_task(device_to_host())]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.debug("tcp bridge for %s ended: %r", stream.service, task.exception())
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
