"""HTTP/1.1 framing of the u2 server: split packets, keep-alive, close, refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from android_suite.virtual.u2.http import Request, Response, read_request, render_response, serve_connection


def parse(*chunks: bytes) -> Request | None:
    async def go() -> Request | None:
        reader = asyncio.StreamReader()
        for chunk in chunks:
            reader.feed_data(chunk)
        reader.feed_eof()
        return await read_request(reader)

    return asyncio.run(go())


async def echo(request: Request) -> Response:
    return Response(200, f"{request.method} {request.path} {request.body.decode()}".encode())


async def exchange(
    send: Callable[[asyncio.StreamWriter], Awaitable[None]], handler: Callable[[Request], Awaitable[Response]] = echo
) -> bytes:
    """Serve one loopback connection with ``handler``; return all the client received."""

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_connection(reader, writer, handler)

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await send(writer)
    received = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    server.close()
    await server.wait_closed()
    return received


POST = (
    b"POST /jsonrpc/0 HTTP/1.1\r\nHost: localhost:9008\r\nContent-Length: 13\r\n"
    b'Content-Type: application/json\r\n\r\n{"method":1}\n'
)


def test_request_split_at_every_byte() -> None:
    request = parse(*(POST[i : i + 1] for i in range(len(POST))))
    assert request is not None
    assert (request.method, request.path, request.version) == ("POST", "/jsonrpc/0", "HTTP/1.1")
    assert request.headers["content-type"] == "application/json"
    assert request.body == b'{"method":1}\n'
    assert request.keep_alive


def test_eof_before_or_inside_a_request_is_none() -> None:
    assert parse() is None
    assert parse(b"GET /ping HTTP/1.1\r\nHost: x\r\n") is None
    assert parse(POST[:-3]) is None


def test_bare_lf_and_leading_blank_lines() -> None:
    request = parse(b"\r\nGET /ping HTTP/1.0\nConnection: keep-alive\n\n")
    assert request is not None and request.path == "/ping" and request.keep_alive
    assert parse(b"GET /ping HTTP/1.0\r\n\r\n").keep_alive is False  # type: ignore[union-attr]


def test_response_has_length_and_connection() -> None:
    raw = render_response(Response(200, b"pong"), keep_alive=True)
    assert (
        raw == b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\npong"
    )
    assert b"Connection: close" in render_response(Response(404, b""), keep_alive=False)


def test_keep_alive_serves_requests_in_a_row_then_close() -> None:
    async def send(writer: asyncio.StreamWriter) -> None:
        for byte in POST:  # one byte per segment, as adb WRTE boundaries may fall anywhere
            writer.write(bytes([byte]))
            await writer.drain()
        writer.write(b"GET /ping HTTP/1.1\r\nConnection: close\r\n\r\n")

    received = asyncio.run(exchange(send))
    first, second = received.split(b"HTTP/1.1 200 OK")[1:]
    assert first.endswith(b'POST /jsonrpc/0 {"method":1}\n')
    assert b"Connection: keep-alive" in first
    assert second.endswith(b"GET /ping ") and b"Connection: close" in second


def test_client_half_close_ends_the_connection() -> None:
    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(b"GET /ping HTTP/1.1\r\n\r\n")
        writer.write_eof()

    assert asyncio.run(exchange(send)).endswith(b"GET /ping ")


def test_malformed_and_chunked_requests_are_refused() -> None:
    async def bad_line(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HELLO\r\n\r\n")

    async def chunked(writer: asyncio.StreamWriter) -> None:
        writer.write(b"POST /jsonrpc/0 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")

    async def bad_length(writer: asyncio.StreamWriter) -> None:
        writer.write(b"POST /jsonrpc/0 HTTP/1.1\r\nContent-Length: -1\r\n\r\n")

    assert asyncio.run(exchange(bad_line)).startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert asyncio.run(exchange(chunked)).startswith(b"HTTP/1.1 501 Not Implemented\r\n")
    assert asyncio.run(exchange(bad_length)).startswith(b"HTTP/1.1 400 Bad Request\r\n")
