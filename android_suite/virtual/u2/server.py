"""The u2 server process of one handset: a device-local HTTP listener on port 9008.

``app_process`` starts it (:meth:`U2Server.start`) and stops it when its adb
shell stream closes (:meth:`U2Server.stop`). Routes, as the jar serves them:
``GET /ping`` -> ``pong`` and ``POST /jsonrpc/0`` -> JSON-RPC. A handset runs
at most one server: the real one holds the device's single UiAutomation
connection, so a second start fails with "already registered".
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import TYPE_CHECKING

from android_suite.virtual.u2.http import Request, Response, serve_connection
from android_suite.virtual.u2.jsonrpc import Method, dispatch
from android_suite.virtual.u2.service import AutomatorService, display_for
from android_suite.virtual.u2.ui import HandsetUi, ui_for

if TYPE_CHECKING:
    # Only for types: commands/app_process.py imports this module while commands/ initialises.
    from android_suite.virtual.commands.context import HandsetServices

log = logging.getLogger(__name__)

DEFAULT_PORT = 9008

_RUNNING: weakref.WeakKeyDictionary[object, U2Server] = weakref.WeakKeyDictionary()


class AlreadyRegisteredError(Exception):
    """A u2 server already runs on this handset."""


def running_server(handset: object) -> U2Server | None:
    """The u2 server running on ``handset``, if any."""
    return _RUNNING.get(handset)


def _sdk_int(handset: HandsetServices) -> int:
    text = handset.props.get("ro.build.version.sdk") or ""
    return int(text) if text.isdigit() else 0


class U2Server:
    """One u2 server.

    Args:
        handset: where it runs (listeners, props, profile, log).
        port: the device-local port (``-p``).
        ui: the framework to drive (default: :func:`ui_for` the handset).
    """

    def __init__(self, handset: HandsetServices, port: int = DEFAULT_PORT, ui: HandsetUi | None = None) -> None:
        self.handset = handset
        self.port = port
        self.service = AutomatorService(
            ui if ui is not None else ui_for(handset),
            sdk_int=_sdk_int(handset),
            product_name=handset.props.get("ro.product.name") or "",
            density=handset.profile.density,
            display=display_for(handset),
        )
        self._methods: dict[str, Method] = self.service.methods()
        self._connections: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Register the listener.

        Raises:
            AlreadyRegisteredError: another u2 server runs on this handset.
        """
        if running_server(self.handset) is not None:
            raise AlreadyRegisteredError("a u2 server already runs on this handset")
        _RUNNING[self.handset] = self
        self.handset.listen_tcp(self.port, self._serve)

    def stop(self) -> None:
        """Unregister the port and drop open connections (the process died)."""
        if _RUNNING.get(self.handset) is self:
            del _RUNNING[self.handset]
            self.handset.unlisten_tcp(self.port)
        for task in self._connections:
            task.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # The connection runs in its own task so stop() can cancel it; this outer task (asyncio's
        # client_connected_cb task) must end normally: asyncio logs an error for a cancelled one.
        inner = asyncio.ensure_future(serve_connection(reader, writer, self.handle))
        self._connections.add(inner)
        try:
            await inner
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # we are being cancelled ourselves, not just the connection
        finally:
            self._connections.discard(inner)

    async def handle(self, request: Request) -> Response:
        if request.path == "/ping" and request.method == "GET":
            return Response(200, b"pong")
        if request.path == "/jsonrpc/0" and request.method == "POST":
            body = await dispatch(request.body, self._methods, self._unknown_method)
            return Response(200, body, "application/json")
        log.warning("u2 server: %s %s not found", request.method, request.path)
        return Response(404, b"Not Found")

    def _unknown_method(self, name: str) -> None:
        self.handset.log.unknown_commands.append(f"u2 jsonrpc {name}")
