"""A minimal HTTP/1.1 server on asyncio streams, as much as uiautomator2's client needs.

u2 uses ``http.client`` over one adb ``tcp:9008`` stream per request: a
request line, headers, a ``Content-Length`` body (never chunked), and it
reads the response body to its ``Content-Length``. The real server
(NanoHTTPD) keeps HTTP/1.1 connections alive, so we serve requests in a loop
until the client closes or asks for ``Connection: close``. Byte boundaries of
the stream mean nothing (adb WRTE packets split requests anywhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus

log = logging.getLogger(__name__)

MAX_LINE = 8192
MAX_HEADERS = 100
MAX_BODY = 16 * 1024 * 1024


@dataclass(frozen=True)
class Request:
    """One parsed request; header names are lower-case."""

    method: str
    path: str
    version: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain"


class HttpError(Exception):
    """A request we refuse; answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


Handler = Callable[[Request], Awaitable[Response]]


async def _line(reader: asyncio.StreamReader) -> bytes | None:
    """One line without its CRLF/LF; None at EOF (a partial line counts as EOF)."""
    try:
        raw = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError as exc:
        raise HttpError(431, "header line too long") from exc
    if len(raw) > MAX_LINE:
        raise HttpError(431, "header line too long")
    return raw.rstrip(b"\r\n")


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request, or None if the client closed (before or inside a request).

    Raises:
        HttpError: malformed request line, headers, or an unsupported body encoding.
    """
    line = await _line(reader)
    while line == b"":  # RFC 9112 2.2: ignore empty lines before a request line
        line = await _line(reader)
    if line is None:
        return None
    parts = line.decode("latin-1").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, f"bad request line {line[:80]!r}")
    method, path, version = parts
    headers: dict[str, str] = {}
    while True:
        header = await _line(reader)
        if header is None:
            return None
        if header == b"":
            break
        name, sep, value = header.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, f"bad header {header[:80]!r}")
        if len(headers) >= MAX_HEADERS:
            raise HttpError(431, "too many headers")
        headers[name.lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise HttpError(501, "chunked request bodies are not supported")
    length_text = headers.get("content-length", "0")
    if not length_text.isdigit():
        raise HttpError(400, f"bad Content-Length {length_text!r}")
    length = int(length_text)
    if length > MAX_BODY:
        raise HttpError(413, f"body of {length} bytes is too large")
    try:
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        return None
    return Request(method, path, version, headers, body)


def render_response(response: Response, *, keep_alive: bool) -> bytes:
    """Status line, headers and body, with the Content-Length u2 reads to."""
    reason = HTTPStatus(response.status).phrase
    head = (
        f"HTTP/1.1 {response.status} {reason}\r\n"
        f"Content-Type: {response.content_type}\r\n"
        f"Content-Length: {len(response.body)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode("latin-1") + response.body


async def serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler) -> None:
    """Answer requests on one connection until it closes; always closes the writer."""
    try:
        while True:
            try:
                request = await read_request(reader)
            except HttpError as exc:
                writer.write(render_response(Response(exc.status, f"{exc}\n".encode()), keep_alive=False))
                await writer.drain()
                return
            if request is None:
                return
            response = await handler(request)
            keep_alive = request.keep_alive
            writer.write(render_response(response, keep_alive=keep_alive))
            await writer.drain()
            if not keep_alive:
                return
    except ConnectionError as exc:
        log.debug("u2 http connection ended: %r", exc)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
