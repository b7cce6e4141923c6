"""The listening side: one TCP port per handset, one Connection per host."""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from android_suite.virtual.adbd.connection import Connection
from android_suite.virtual.adbd.message import MAX_PAYLOAD
from android_suite.virtual.api import HandsetEndpoint

log = logging.getLogger(__name__)

# The adb server probes these and would register us as emulator-N uninvited.
EMULATOR_PORTS = range(5555, 5586)
_BIND_ATTEMPTS = 20


class AdbEndpoint:
    """An adbd for a virtual handset, listening on a loopback TCP port.

    Args:
        handset: what the services run against (banner, fs, shell, faults, ...).
        host: loopback address to bind; anything else is refused.
        port: 0 picks a free ephemeral port outside the emulator range.
        maxdata: the payload limit we advertise in CNXN.

    Attributes:
        port: the bound port once started, else the requested one.
    """

    def __init__(
        self, handset: HandsetEndpoint, host: str = "127.0.0.1", port: int = 0, maxdata: int = MAX_PAYLOAD
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"AdbEndpoint binds loopback addresses only, not {host!r}")
        self.handset = handset
        self.host = host
        self.port = port
        self.maxdata = maxdata
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], Connection] = {}

    async def start(self) -> int:
        """Listen; returns the bound port."""
        if self._server is not None:
            raise RuntimeError("AdbEndpoint already started")
        for _ in range(_BIND_ATTEMPTS):
            server = await asyncio.start_server(self._on_client, self.host, self.port)
            bound: int = server.sockets[0].getsockname()[1]
            if self.port or bound not in EMULATOR_PORTS:
                break
            server.close()  # an ephemeral port landed in the probed range: pick again
            await server.wait_closed()
        else:
            raise RuntimeError("no free port outside the adb emulator range")
        if bound in EMULATOR_PORTS:
            log.warning("adbd on port %d: the adb server will also list it as emulator-%d", bound, bound - 1)
        self._server = server
        self.port = bound
        log.info("adbd listening on %s:%d", self.host, bound)
        return bound

    async def stop(self) -> None:
        """Stop listening and drop every connection; returns when all are gone."""
        if self._server is None:
            return
        self._server.close()
        for conn in list(self._connections.values()):
            conn.close()
        tasks = list(self._connections)
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # While the handset is off or in the bootloader no adbd runs; with the
        # refuse fault it is as if adbd died. Either way the host sees a reset.
        if self.handset.faults.refuse or not self.handset.accepts_adb:
            writer.transport.abort()
            return
        task = asyncio.current_task()
        assert task is not None
        conn = Connection(self.handset, reader, writer, self.maxdata)
        self._connections[task] = conn
        try:
            await conn.run()
        except asyncio.CancelledError:
            # close() (handset drop, stop()) cancels run(); the connection is
            # already torn down. Swallow it only in that case.
            if not conn.closed_by_request:
                raise
        finally:
            self._connections.pop(task, None)
