"""AdbEndpoint against a raw-socket adb host: the wire protocol, no adb server involved."""

from __future__ import annotations

import asyncio
import logging
import os
import struct
import time
from collections.abc import Awaitable, Callable

import pytest

from android_suite.virtual.adbd import MAX_PAYLOAD, AdbEndpoint
from android_suite.virtual.adbd.message import A_CNXN, HEADER
from android_suite.virtual.api import S_IFDIR, S_IFREG
from tests.helpers.stub_handset import StubHandset
from tests.unit.virtual.adb_host import HostStream, RawHost, v2_packets

DEADLINE_S = 20.0

Body = Callable[["Env"], Awaitable[None]]


class Env:
    """One endpoint on a stub handset, plus the raw hosts a test opened."""

    def __init__(self, handset: StubHandset, endpoint: AdbEndpoint) -> None:
        self.handset = handset
        self.endpoint = endpoint
        self.hosts: list[RawHost] = []

    async def connect(self, **kwargs: object) -> RawHost:
        host = await RawHost.connect(self.endpoint.port, **kwargs)  # type: ignore[arg-type]
        self.hosts.append(host)
        return host

    async def opened(self, host: RawHost, service: str, auto_okay: bool = True) -> HostStream:
        stream = await host.open(service, auto_okay=auto_okay)
        assert stream is not None, f"{service} refused"
        return stream


async def wait_until(cond: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Poll a condition with a deadline (the endpoint runs on this same loop)."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.005)


def run(body: Body, handset: StubHandset | None = None) -> None:
    """Run body against a fresh endpoint; afterwards no task may be left behind."""

    async def main() -> None:
        stub = handset or StubHandset()
        env = Env(stub, AdbEndpoint(stub))
        await env.endpoint.start()
        try:
            async with asyncio.timeout(DEADLINE_S):
                await body(env)
                for host in env.hosts:
                    assert not host.violations, host.violations
        finally:
            for host in env.hosts:
                await host.close()
            await env.endpoint.stop()
        leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert not leftover, leftover

    asyncio.run(main())


# -- handshake ----------------------------------------------------------------------


def test_handshake_answers_banner_without_auth() -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        assert host.banner == env.handset.banner
        assert host.device_maxdata == MAX_PAYLOAD
        assert len(env.handset.connections) == 1
        await host.close()
        await wait_until(lambda: not env.handset.connections, "the connection to unregister")

    run(body)


def test_banner_without_shell_v2_is_passed_through() -> None:
    handset = StubHandset(features=("cmd",))

    async def body(env: Env) -> None:
        host = await env.connect()
        assert host.banner.endswith(b"features=cmd")

    run(body, handset)


def test_legacy_host_gets_checksums() -> None:
    # A host below 0x01000001 sums every payload; RawHost verifies our sums.
    async def body(env: Env) -> None:
        host = await env.connect(version=0x01000000)
        stream = await env.opened(host, "shell:echo summed")
        assert await stream.read_all() == b"summed\n"

    run(body)


@pytest.mark.parametrize(
    "raw",
    [
        HEADER.pack(A_CNXN, 0x01000001, 4096, 0, 0, 0x12345678),  # bad magic
        HEADER.pack(A_CNXN, 0x01000001, 4096, 8192, 0, A_CNXN ^ 0xFFFFFFFF) + b"x" * 8192,  # > 4 KiB
    ],
    ids=["bad-magic", "oversize-before-handshake"],
)
def test_framing_violation_drops_connection(raw: bytes) -> None:
    async def body(env: Env) -> None:
        host = await env.connect(handshake=False)
        host.writer.write(raw)
        await host.dropped.wait()
        await wait_until(lambda: env.endpoint.connection_count == 0, "the endpoint to forget it")

    run(body)


def test_bad_magic_after_handshake_drops_open_streams() -> None:
    async def body(env: Env) -> None:
        env.handset.shell.started = asyncio.Queue()
        host = await env.connect()
        stream = await env.opened(host, "shell:sleep 30")
        await env.handset.shell.started.get()
        host.writer.write(HEADER.pack(0, 0, 0, 0, 0, 0))
        assert await stream.read_all() == b""  # dropped, not closed politely
        await host.dropped.wait()
        await wait_until(lambda: env.handset.shell.cancelled == ["sleep 30"], "sleep to be cancelled")

    run(body)


# -- shell -------------------------------------------------------------------------


def test_shell_v1_merges_stderr_and_closes() -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        stream = await env.opened(host, "shell:echo hi; nosuch")
        out = await stream.read_all()
        assert out == b"hi\n/system/bin/sh: nosuch: inaccessible or not found\n"

    run(body)


def test_shell_v1_exit_marker_like_adbutils_shell2() -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        stream = await env.opened(host, "shell:false; echo X4EXIT:$?")
        assert await stream.read_all() == b"X4EXIT:1\n"

    run(body)


@pytest.mark.parametrize(
    ("service", "stdout", "stderr", "status"),
    [
        ("shell,v2:false", b"", b"", 1),
        ("shell,v2:echo hi", b"hi\n", b"", 0),
        ("shell,v2:nosuch", b"", b"/system/bin/sh: nosuch: inaccessible or not found\n", 127),
        ("shell,v2,TERM=xterm-256color,raw:echo cli && exit 3", b"cli\n", b"", 3),
    ],
)
def test_shell_v2_packets_and_exit_status(service: str, stdout: bytes, stderr: bytes, status: int) -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        stream = await env.opened(host, service)
        packets = v2_packets(await stream.read_all())
        assert packets[-1] == (3, bytes([status]))
        assert b"".join(d for i, d in packets if i == 1) == stdout
        assert b"".join(d for i, d in packets if i == 2) == stderr

    run(body)


def test_shell_v2_stdin_and_close_stdin() -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        stream = await env.opened(host, "shell,v2,raw:cat")
        window = struct.pack("<BI", 5, 8) + b"24x80,0,"
        # One stdin packet split over two WRTEs, glued to the window packet: boundaries mean nothing.
        payload = window + struct.pack("<BI", 0, 6) + b"abcdef"
        await stream.write(payload[:10])
        await stream.write(payload[10:] + struct.pack("<BI", 0, 3) + b"ghi")
        await stream.write(struct.pack("<BI", 4, 0))
        packets = v2_packets(await stream.read_all())
        assert b"".join(d for i, d in packets if i == 1) == b"abcdefghi"
        assert packets[-1] == (3, b"\0")

    run(body)


def test_exec_is_raw_binary() -> None:
    blob = bytes(range(256)) * 40

    async def body(env: Env) -> None:
        env.handset.fs.write("/data/local/tmp/blob", blob)
        host = await env.connect()
        stream = await env.opened(host, "exec:cat /data/local/tmp/blob")
        assert await stream.read_all() == blob

    run(body)


def test_host_close_cancels_running_command() -> None:
    async def body(env: Env) -> None:
        env.handset.shell.started = asyncio.Queue()
        host = await env.connect()
        stream = await env.opened(host, "shell:sleep 30")
        assert await env.handset.shell.started.get() == "sleep 30"
        await stream.close()
        await wait_until(lambda: env.handset.shell.cancelled == ["sleep 30"], "sleep to be cancelled")
        # The connection is unharmed.
        again = await env.opened(host, "shell:echo still here")
        assert await again.read_all() == b"still here\n"

    run(body)


def test_connection_drop_cancels_every_stream() -> None:
    async def body(env: Env) -> None:
        env.handset.shell.started = asyncio.Queue()
        host = await env.connect()
        for i in range(3):
            await env.opened(host, f"shell,v2:sleep {30 + i}")
            await env.handset.shell.started.get()
        await host.close()
        await wait_until(lambda: len(env.handset.shell.cancelled) == 3, "all three sleeps cancelled")
        await wait_until(lambda: not env.handset.connections, "the connection to unregister")

    run(body)


def test_many_concurrent_streams() -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        streams = [await env.opened(host, f"shell,v2:echo {i}") for i in range(40)]
        outs = await asyncio.gather(*(s.read_all() for s in streams))
        for i, out in enumerate(outs):
            assert v2_packets(out) == [(1, f"{i}\n".encode()), (3, b"\0")]

    run(body)


# -- flow control ------------------------------------------------------------------


def test_stop_and_wait_with_many_wrtes() -> None:
    blob = os.urandom(2 * 1024 * 1024 + 123)

    async def body(env: Env) -> None:
        env.handset.fs.write("/data/local/tmp/big", blob)
        # A host with a 64 KiB maxdata: the device must cut its WRTEs to that.
        host = await env.connect(maxdata=64 * 1024)
        stream = await env.opened(host, "exec:cat /data/local/tmp/big", auto_okay=False)
        received = bytearray()
        for _ in range(3):
            received += await stream.chunks.get()
            # A full round trip on another stream proves the device had time to
            # send more; it must still be waiting for our OKAY.
            probe = await env.opened(host, "shell:echo probe")
            assert await probe.read_all() == b"probe\n"
            assert stream.chunks.empty() and stream.unacked == 1
            stream.okay()
        stream.auto_okay = True  # no await since the last OKAY: nothing can have slipped in
        received += await stream.read_all()
        assert bytes(received) == blob
        assert len(stream.wrte_sizes) >= len(blob) // (64 * 1024)
        assert max(stream.wrte_sizes) <= 64 * 1024

    run(body)


# -- sync ------------------------------------------------------------------------


def sync_request(cmd: bytes, arg: bytes | int) -> bytes:
    if isinstance(arg, int):
        return cmd + struct.pack("<I", arg)
    return cmd + struct.pack("<I", len(arg)) + arg


async def sync_stat(stream: HostStream, path: bytes) -> tuple[int, int, int]:
    await stream.write(sync_request(b"STAT", path))
    # The whole record must come in one WRTE: adbutils reads it with one recv().
    reply = await stream.chunks.get()
    assert len(reply) == 16 and reply[:4] == b"STAT", reply
    mode, size, mtime = struct.unpack("<III", reply[4:])
    return mode, size, mtime


def test_sync_stat_list_send_recv_5mb_on_one_stream() -> None:
    blob = os.urandom(5 * 1024 * 1024 + 7)
    path = b"/data/local/tmp/big.bin"

    async def body(env: Env) -> None:
        host = await env.connect()
        stream = await env.opened(host, "sync:")
        assert await sync_stat(stream, path) == (0, 0, 0)  # missing: all zeros

        # SEND as adb does it: DATA records of <= 64 KiB, then DONE + mtime. The host
        # packs records into WRTEs however it likes; use odd sizes to cross records.
        wire = bytearray(sync_request(b"SEND", path + b"," + str(S_IFREG | 0o755).encode()))
        for off in range(0, len(blob), 65536):
            wire += sync_request(b"DATA", blob[off : off + 65536])
        wire += sync_request(b"DONE", 1_700_000_123)
        for off in range(0, len(wire), 100_003):
            await stream.write(bytes(wire[off : off + 100_003]))
        assert await stream.read_exact(8) == b"OKAY\0\0\0\0"

        assert await sync_stat(stream, path) == (S_IFREG | 0o755, len(blob), 1_700_000_123)
        assert await sync_stat(stream, b"/data/local") == (S_IFDIR | 0o771, 4096, 1_700_000_000)

        await stream.write(sync_request(b"LIST", b"/data/local/tmp"))
        dent = await stream.chunks.get()  # one DENT per WRTE
        mode, size, mtime, namelen = struct.unpack("<4xIIII", dent[:20])
        assert (dent[:4], dent[20:], namelen) == (b"DENT", b"big.bin", 7)
        assert (mode, size, mtime) == (S_IFREG | 0o755, len(blob), 1_700_000_123)
        assert await stream.chunks.get() == b"DONE" + bytes(16)

        await stream.write(sync_request(b"RECV", path))
        got = bytearray()
        while True:
            tag, n = struct.unpack("<4sI", await stream.read_exact(8))
            if tag == b"DONE":
                break
            assert tag == b"DATA" and n <= 65536
            got += await stream.read_exact(n)
        assert bytes(got) == blob
        assert max(stream.wrte_sizes) <= host.device_maxdata

        await stream.write(sync_request(b"QUIT", 0))
        assert await stream.read_all() == b""  # CLSE follows QUIT

    run(body)


def test_sync_failures_report_fail_and_close() -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        stream = await env.opened(host, "sync:")
        await stream.write(sync_request(b"RECV", b"/nope"))
        tag, n = struct.unpack("<4sI", await stream.read_exact(8))
        assert tag == b"FAIL"
        assert await stream.read_exact(n) == b"open failed: No such file or directory"
        assert await stream.read_all() == b""

        stream = await env.opened(host, "sync:")
        await stream.write(sync_request(b"SEND", b"/no/dir/f,33188") + sync_request(b"DONE", 0))
        tag, n = struct.unpack("<4sI", await stream.read_exact(8))
        assert (tag, await stream.read_exact(n)) == (b"FAIL", b"/no/dir: No such file or directory")

        stream = await env.opened(host, "sync:")
        await stream.write(sync_request(b"LIST", b"/nope"))
        assert await stream.read_exact(20) == b"DONE" + bytes(16)  # adbd: empty listing, no FAIL

    run(body)


# -- tcp, reboot, refusals ---------------------------------------------------------------


def test_tcp_refused_then_bridged() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = await reader.readline()
        writer.write(b"pong " + line)
        await writer.drain()
        writer.close()

    async def body(env: Env) -> None:
        host = await env.connect()
        assert await host.open("tcp:9008") is None
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        env.handset.tcp_ports[9008] = server.sockets[0].getsockname()[1]
        try:
            stream = await env.opened(host, "tcp:9008")
            await stream.write(b"pi")
            await stream.write(b"ng\n")
            assert await stream.read_all() == b"pong ping\n"  # device-side EOF -> CLSE
        finally:
            server.close()
            await server.wait_closed()

    run(body)


def test_tcp_host_close_closes_device_socket() -> None:
    async def body(env: Env) -> None:
        eof = asyncio.Event()

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # until the bridge closes its end
            eof.set()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        env.handset.tcp_ports[9008] = server.sockets[0].getsockname()[1]
        try:
            host = await env.connect()
            stream = await env.opened(host, "tcp:9008")
            await stream.close()
            await eof.wait()
        finally:
            server.close()
            await server.wait_closed()

    run(body)


@pytest.mark.parametrize("service", ["shell:", "shell,v2,raw:", "localabstract:foo", "jdwp:1234", "tcp:99999"])
def test_unknown_and_interactive_services_are_refused(service: str, caplog: pytest.LogCaptureFixture) -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        with caplog.at_level(logging.INFO, logger="android_suite.virtual.adbd"):
            assert await host.open(service) is None
        if service != "tcp:99999":
            assert any(service in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
        stream = await env.opened(host, "shell:echo ok")  # the connection survives a refusal
        assert await stream.read_all() == b"ok\n"

    run(body)


@pytest.mark.parametrize(("service", "target"), [("reboot:", ""), ("reboot:bootloader", "bootloader")])
def test_reboot_requests_reboot_and_connection_drops(service: str, target: str) -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        assert await host.open(service) is not None  # OKAY reaches the host before the drop
        await host.dropped.wait()
        assert env.handset.reboots == [target]
        await wait_until(lambda: env.endpoint.connection_count == 0, "the connection to go")

    run(body)


# -- faults ----------------------------------------------------------------------------


def test_fault_refuse_closes_new_connections() -> None:
    async def body(env: Env) -> None:
        env.handset.faults.refuse = True
        reader, writer = await asyncio.open_connection("127.0.0.1", env.endpoint.port)
        try:
            with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):
                await reader.readexactly(1)
        finally:
            writer.close()
        env.handset.faults.refuse = False
        host = await env.connect()
        assert host.banner == env.handset.banner

    run(body)


def test_fault_hang_stalls_until_cleared() -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        env.handset.faults.hang = True
        pending = asyncio.ensure_future(host.open("shell:echo late"))
        # A negative check needs some window; 0.2 s is ten hang polls.
        done, _ = await asyncio.wait([pending], timeout=0.2)
        assert not done
        env.handset.faults.hang = False
        stream = await pending
        assert stream is not None and await stream.read_all() == b"late\n"

    run(body)


def test_fault_delay_slows_every_message() -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        env.handset.faults.delay_s = 0.05
        start = time.monotonic()
        stream = await env.opened(host, "shell:echo slow")  # OKAY, WRTE, CLSE: 3 delays
        assert await stream.read_all() == b"slow\n"
        assert time.monotonic() - start >= 0.15

    run(body)


def test_fault_garble_corrupts_stdout_but_keeps_framing() -> None:
    async def body(env: Env) -> None:
        host = await env.connect()
        env.handset.faults.garble = True
        stream = await env.opened(host, "shell,v2:echo hello; nosuch")
        packets = v2_packets(await stream.read_all())
        out = b"".join(d for i, d in packets if i == 1)
        assert len(out) == len(b"hello\n") and out != b"hello\n"
        assert b"".join(d for i, d in packets if i == 2).startswith(b"/system/bin/sh: nosuch")
        assert packets[-1] == (3, bytes([127]))

    run(body)


def test_endpoint_binds_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"):
        AdbEndpoint(StubHandset(), host="0.0.0.0")


def test_stop_drops_live_connections() -> None:
    async def body(env: Env) -> None:
        env.handset.shell.started = asyncio.Queue()
        host = await env.connect()
        await env.opened(host, "shell:sleep 30")
        await env.handset.shell.started.get()
        await env.endpoint.stop()
        await host.dropped.wait()
        assert env.handset.shell.cancelled == ["sleep 30"] and not env.handset.connections

    run(body)
