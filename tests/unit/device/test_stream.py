"""open_shell_stream: AdbTransport against a scripted adb server, the fake's stream, Device.stream_shell."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Callable, Iterator

import pytest

from android_suite.device.adb import AdbTransport
from android_suite.device.device import Device
from android_suite.device.fake import FakeShellStream, FakeTransport
from android_suite.device.transport import ShellStream
from android_suite.errors import DeviceDisconnectedError, DeviceNotFoundError, DeviceTimeoutError

Behaviour = Callable[[socket.socket], None]


def v2(kind: int, data: bytes) -> bytes:
    return bytes([kind]) + len(data).to_bytes(4, "little") + data


def _block(text: str) -> bytes:
    return b"%04x" % len(text) + text.encode()


class _Handler(socketserver.BaseRequestHandler):
    """The host side of an adb server, just enough for features and one shell service."""

    server: _Server

    def _request(self) -> str | None:
        head = self.request.recv(4)
        if len(head) < 4:
            return None
        n, data = int(head, 16), b""
        while len(data) < n:
            data += self.request.recv(n - len(data))
        return data.decode()

    def handle(self) -> None:
        srv = self.server
        req = self._request()
        if req is None:
            return  # the transport's "is the server up" probe
        # adbutils asks "host-serial:SER:features" and "host:tport:serial:SER".
        serial = req.split(":")[1] if req.startswith("host-serial:") else req.split(":")[-1]
        if req == "host:version":
            self.request.sendall(b"OKAY" + _block("0029"))
            return
        if req.startswith("host:devices"):
            self.request.sendall(b"OKAY" + _block("SER\tdevice\n"))
            return
        if serial != "SER":
            self.request.sendall(b"FAIL" + _block(f"device '{serial}' not found"))
            return
        if req.endswith(":features"):
            self.request.sendall(b"OKAY" + _block(srv.features))
            return
        self.request.sendall(b"OKAY" + bytes(8))
        service = self._request()
        assert service is not None
        srv.services.append(service)
        self.request.sendall(b"OKAY")
        srv.behaviour(self.request)
        srv.closed.wait(10)  # keep the socket open until the test is done with it


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.features = "shell_v2,cmd"
        self.services: list[str] = []
        self.behaviour: Behaviour = lambda s: None
        self.closed = threading.Event()


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.closed.set()
    srv.shutdown()
    srv.server_close()


def _open(srv: _Server, argv: list[str]) -> ShellStream:
    return AdbTransport("SER", port=srv.server_address[1]).open_shell_stream(argv, connect_timeout=5)


def _read_all(stream: ShellStream) -> bytes:
    out = b""
    while chunk := stream.read(7, timeout=5):  # small reads: the rest stays buffered
        out += chunk
    return out


def test_v2_stream_split_packets_stderr_and_exit(server: _Server) -> None:
    wire = v2(1, b"tick 0\n") + v2(2, b"warn\n") + v2(1, b"tick 1\n") + v2(3, b"\x05")

    def trickle(s: socket.socket) -> None:
        for i in range(0, len(wire), 3):  # packets cut across recvs
            s.sendall(wire[i : i + 3])

    server.behaviour = trickle
    with _open(server, ["sh", "-c", "echo 'a b'"]) as stream:
        assert stream.v2
        assert _read_all(stream) == b"tick 0\ntick 1\n"
        assert (stream.exit_code, stream.stderr) == (5, b"warn\n")
        assert stream.read(timeout=1) == b""  # stays at EOF
    assert server.services == ["shell,v2:sh -c 'echo '\"'\"'a b'\"'\"''"]


def test_idle_stream_times_out_then_keeps_reading(server: _Server) -> None:
    go = threading.Event()

    def later(s: socket.socket) -> None:
        go.wait(10)
        s.sendall(v2(1, b"late\n"))

    server.behaviour = later
    stream = _open(server, ["cat"])
    with pytest.raises(DeviceTimeoutError):
        stream.read(timeout=0.1)
    go.set()
    assert stream.read(timeout=5) == b"late\n"  # nothing was lost to the timeout
    stream.close()
    stream.close()  # twice is fine


def test_drop_before_exit_is_a_disconnect(server: _Server) -> None:
    def drop(s: socket.socket) -> None:
        s.sendall(v2(1, b"partial"))
        s.close()

    server.behaviour = drop
    stream = _open(server, ["sh"])
    assert stream.read(timeout=5) == b"partial"
    with pytest.raises(DeviceDisconnectedError) as err:
        stream.read(timeout=5)
    assert err.value.serial == "SER" and err.value.argv == ["sh"]


def test_v1_stream_is_raw_and_ends_at_close(server: _Server) -> None:
    server.features = "cmd"

    def raw(s: socket.socket) -> None:
        s.sendall(b"line\r\n")
        s.close()

    server.behaviour = raw
    stream = _open(server, ["echo", "line"])
    assert not stream.v2
    assert _read_all(stream) == b"line\r\n"
    assert stream.exit_code is None
    assert server.services == ["shell:echo line"]


def test_unknown_serial_raises_at_open(server: _Server) -> None:
    with pytest.raises(DeviceNotFoundError):
        AdbTransport("OTHER", port=server.server_address[1]).open_shell_stream(["true"], connect_timeout=5)


def test_rejects_shell_strings(server: _Server) -> None:
    with pytest.raises(TypeError):
        AdbTransport("SER", port=server.server_address[1]).open_shell_stream("ls -l", 5)  # type: ignore[arg-type]


# -- the fake and the facade ------------------------------------------------------------


def test_fake_stream_scripted_chunks_errors_and_exit() -> None:
    stream = FakeShellStream([b"abcdef", DeviceTimeoutError("quiet"), b"g"], end=3, stderr=b"e")
    assert stream.read(4) == b"abcd" and stream.read() == b"ef"
    with pytest.raises(DeviceTimeoutError):
        stream.read()
    assert stream.read() == b"g"
    assert stream.exit_code is None
    assert stream.read() == b""
    assert (stream.exit_code, stream.stderr) == (3, b"e")


def test_fake_idle_stream_waits_for_close() -> None:
    stream = FakeShellStream([], end=None)
    with pytest.raises(DeviceTimeoutError):
        stream.read(timeout=0.01)
    stream.close()
    assert stream.read(timeout=5) == b""


def test_device_stream_shell_goes_through_the_transport(fake: FakeTransport) -> None:
    scripted = FakeShellStream([b"x"])
    fake.expect_stream(["logcat"], scripted)
    with Device(fake).stream_shell(["logcat"]) as stream:
        assert stream is scripted and stream.read() == b"x"
    assert scripted.closed
    with pytest.raises(TypeError):
        Device(fake).stream_shell("logcat")  # type: ignore[arg-type]


def test_device_stream_shell_as_root_and_marks_link_suspect_on_drop(fake: FakeTransport) -> None:
    fake.expect(["id", "-u"], "2000\n")
    fake.expect(["su", "0", "id", "-u"], "0\n")
    fake.expect_stream(["su", "0", "cat", "/proc/x"], FakeShellStream([]))
    device = Device(fake)
    device.stream_shell(["cat", "/proc/x"], root=True).close()
    fake.expect_stream(["top"], DeviceDisconnectedError("gone"))
    with pytest.raises(DeviceDisconnectedError):
        device.stream_shell(["top"])
    assert device._suspect
