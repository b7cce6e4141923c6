"""``app_process`` running the u2 server on a VirtualHandset: start, serve, second start, cancel."""

from __future__ import annotations

import asyncio
import io
import zipfile

from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.shell import BufferIO
from android_suite.virtual.u2 import running_server

JAR = "/data/local/tmp/u2.jar"
LAUNCH = f"CLASSPATH={JAR} app_process / com.wetest.uia2.Main -p 9008"


def jar(*classes: str) -> bytes:
    """A jar whose dex names ``classes`` (enough for the class lookup app_process does)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("classes.dex", b"dex\n035\0" + b"".join(f"L{c.replace('.', '/')};".encode() for c in classes))
    return buf.getvalue()


def handset(*classes: str) -> VirtualHandset:
    h = VirtualHandset(load_profile("mediatek"), name="vh1")
    if classes:
        h.fs.write(JAR, jar(*classes), mode=0o755)
    return h


async def run(h: VirtualHandset, command: str) -> tuple[int, str]:
    out = BufferIO()
    status = await h.shell.run(command, out)
    return status, out.out + out.err


async def started(h: VirtualHandset, out: BufferIO) -> asyncio.Task[int]:
    task = asyncio.create_task(h.shell.run(LAUNCH, out))
    for _ in range(1000):  # yield to the command until it has registered its port
        if running_server(h) is not None or task.done():
            break
        await asyncio.sleep(0)
    assert running_server(h) is not None, out.out + out.err
    return task


async def http(h: VirtualHandset, raw: bytes) -> bytes:
    conn = await h.open_tcp(9008)
    assert conn is not None
    reader, writer = conn
    writer.write(raw)
    data = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    await writer.wait_closed()
    return data


def test_lifecycle_ping_rpc_second_start_and_cancel() -> None:
    async def go() -> None:
        h = handset("com.wetest.uia2.Main")
        assert await h.open_tcp(9008) is None  # u2's first liveness probe is refused
        out = BufferIO()
        task = await started(h, out)
        assert out.out == (
            "[server] INFO: [UiAutomator2Server] Starting Server\n[server] INFO: http server listening on *:9008\n"
        )
        ping = await http(h, b"GET /ping HTTP/1.1\r\nConnection: close\r\n\r\n")
        assert ping.endswith(b"\r\n\r\npong")
        body = b'{"jsonrpc":"2.0","id":1,"method":"deviceInfo","params":{}}'
        reply = await http(
            h, b"POST /jsonrpc/0 HTTP/1.1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        assert b'"sdkInt":34' in reply
        missing = await http(h, b"GET /nothing HTTP/1.1\r\nConnection: close\r\n\r\n")
        assert missing.startswith(b"HTTP/1.1 404 ")

        status, text = await run(h, LAUNCH)
        assert status == 1 and "already registered" in text

        # An idle keep-alive connection dies with the process.
        conn = await h.open_tcp(9008)
        assert conn is not None
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()
        assert running_server(h) is None
        assert await h.open_tcp(9008) is None
        assert await asyncio.wait_for(conn[0].read(), 10) == b""
        conn[1].close()

        task = await started(h, BufferIO())  # and it starts again
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(go())


def test_unknown_rpc_is_recorded_as_unknown() -> None:
    async def go() -> None:
        h = handset("com.wetest.uia2.Main")
        task = await started(h, BufferIO())
        body = b'{"jsonrpc":"2.0","id":1,"method":"makeCoffee","params":[]}'
        reply = await http(
            h, b"POST /jsonrpc/0 HTTP/1.1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        assert b'"code":-32601' in reply
        assert h.log.unknown_commands == ["u2 jsonrpc makeCoffee"]
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(go())


def test_class_not_found_usage_and_options() -> None:
    async def go() -> None:
        status, text = await run(handset(), LAUNCH)
        assert status == 1
        assert 'ClassNotFoundException: Didn\'t find class "com.wetest.uia2.Main" on path: DexPathList[[],' in text
        status, text = await run(handset("com.other.Main"), LAUNCH)
        assert status == 1 and f'DexPathList[[zip file "{JAR}"],' in text
        h = handset("com.wetest.uia2.Main", "com.genymobile.scrcpy.Server")
        status, text = await run(h, f"CLASSPATH={JAR} app_process / com.genymobile.scrcpy.Server 2.0")
        assert status == 1 and "not implemented by the virtual handset" in text
        assert await run(h, "app_process") == (
            134,
            "Usage: app_process [java-options] cmd-dir start-class-name [options]\n",
        )
        status, text = await run(h, f"CLASSPATH={JAR} app_process / com.wetest.uia2.Main -p 70000")
        assert status == 1 and "Invalid port: 70000" in text
        status, text = await run(h, f"CLASSPATH={JAR} app_process / com.wetest.uia2.Main -h")
        assert status == 0 and "--port" in text
        assert running_server(h) is None

    asyncio.run(go())
