"""JSON-RPC 2.0 envelopes in the shapes the u2 server (jsonrpc4j) produces.

uiautomator2 reads ``result``, or ``error.code``/``error.message``/``error.data``:
an exception thrown by a server method is code -32001 with the Java class
name as message (u2 maps ``...UiObjectNotFoundException`` to
``UiObjectNotFoundError`` by substring); a method jsonrpc4j cannot find is
-32601, which u2 raises as ``RPCUnknownError``. Every error is logged: the
fake must never answer a call it does not model as if it had worked.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_EXCEPTION = -32001  # the u2 server's ErrorResolver code for a thrown exception

UI_OBJECT_NOT_FOUND = "androidx.test.uiautomator.UiObjectNotFoundException"
ILLEGAL_ARGUMENT = "java.lang.IllegalArgumentException"

Method = Callable[..., Awaitable[Any]]


class RpcError(Exception):
    """An error reply: ``{"code": code, "message": message, "data": data}``."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message
        self.data = data


def java_exception(class_name: str, detail: str) -> RpcError:
    """What the server sends when a method throws ``class_name(detail)``."""
    trace = f"{class_name}: {detail}\n\tat com.wetest.uia2.stub.AutomatorServiceImpl (virtual handset)\n"
    return RpcError(SERVER_EXCEPTION, class_name, trace)


def _reply(request_id: object, **payload: object) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, **payload}, separators=(",", ":")).encode()


def _error(request_id: object, exc: RpcError) -> bytes:
    error: dict[str, object] = {"code": exc.code, "message": exc.message}
    if exc.data is not None:
        error["data"] = exc.data
    return _reply(request_id, error=error)


def _arguments(params: object) -> list[Any]:
    if params is None:
        return []
    if isinstance(params, list):
        return params
    if isinstance(params, dict) and not params:
        return []  # u2 sends {} for a call without arguments (`deviceInfo(http_timeout=10)`)
    raise RpcError(INVALID_PARAMS, "method parameters invalid", f"named params are not supported: {params!r}")


async def dispatch(
    body: bytes,
    methods: Mapping[str, Method],
    on_unknown: Callable[[str], None] | None = None,
) -> bytes:
    """Run one request body against ``methods`` and return the reply body."""
    try:
        request = json.loads(body)
    except ValueError as exc:
        log.warning("u2 jsonrpc: unparsable request %r", body[:200])
        return _error(None, RpcError(PARSE_ERROR, "JSON parse error", str(exc)))
    if not isinstance(request, dict) or not isinstance(request.get("method"), str):
        return _error(None, RpcError(INVALID_REQUEST, "invalid request"))
    request_id, name = request.get("id"), request["method"]
    method = methods.get(name)
    try:
        if method is None:
            if on_unknown is not None:
                on_unknown(name)
            raise RpcError(METHOD_NOT_FOUND, "method not found", f"{name} is not modelled by the virtual handset")
        args = _arguments(request.get("params"))
        try:
            inspect.signature(method).bind(*args)
        except TypeError as exc:
            raise RpcError(INVALID_PARAMS, "method parameters invalid", f"{name}{tuple(args)!r}: {exc}") from exc
        result = await method(*args)
    except RpcError as exc:
        log.warning("u2 jsonrpc %s%r -> error %s", name, request.get("params"), exc)
        return _error(request_id, exc)
    except Exception as exc:
        # A bug in the fake: answer like a crashing server method, and say so loudly.
        log.exception("u2 jsonrpc %s raised", name)
        return _error(request_id, java_exception("java.lang.RuntimeException", f"virtual handset bug: {exc!r}"))
    return _reply(request_id, result=result)
