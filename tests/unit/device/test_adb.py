"""AdbTransport against a scripted fake *adb server* (the host side protocol).

This exercises the real adbutils connection code plus our own stream reading:
overall deadlines on hung and chatty commands, partial output, drops, the v1
marker fallback, and the adb server's FAIL messages. No adb binary, no device.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from android_suite.device.adb import AdbTransport
from android_suite.errors import (
    DeviceDisconnectedError,
    DeviceError,
    DeviceNotFoundError,
    DeviceTimeoutError,
    PermanentDeviceError,
)

Behaviour = Callable[[socket.socket], object]


def block(text: str) -> bytes:
    data = text.encode()
    return b"%04x" % len(data) + data


def v2(kind: int, data: bytes) -> bytes:
    return bytes([kind]) + len(data).to_bytes(4, "little") + data


@dataclass
class Script:
    serial: str = "SER"
    state: str = "device"
    features: str = "shell_v2,cmd"
    shells: dict[str, Behaviour] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # for sync:
    dirs: set[str] = field(default_factory=lambda: {"/data/local/tmp"})
    sync_fault: str = ""  # "hang-send", "drop-recv", "short-store"


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def _read_request(self) -> str | None:
        head = self.request.recv(4)
        if len(head) < 4:
            return None
        n = int(head, 16)
        data = b""
        while len(data) < n:
            data += self.request.recv(n - len(data))
        return data.decode()

    def handle(self) -> None:
        s: Script = self.server.script
        sock: socket.socket = self.request
        req = self._read_request()
        if req is None:
            return  # the transport's "is the server up" probe
        s.requests.append(req)
        if req == "host:version":
            sock.sendall(b"OKAY" + block("0029"))
        elif req == "host:devices":
            sock.sendall(b"OKAY" + block(f"{s.serial}\t{s.state}\n"))
        elif req.startswith(("host-serial:", "host:tport:serial:")):
            serial = req.split(":")[1] if req.startswith("host-serial:") else req.split(":")[3]
            if serial != s.serial:
                sock.sendall(b"FAIL" + block(f"device '{serial}' not found"))
            elif s.state != "device":
                sock.sendall(b"FAIL" + block(f"device {s.state}"))
            elif req.endswith(":features"):
                sock.sendall(b"OKAY" + block(s.features))
            else:
                sock.sendall(b"OKAY" + b"\x01\x00\x00\x00\x00\x00\x00\x00")
                service = self._read_request()
                assert service is not None
                s.requests.append(service)
                if service == "sync:":
                    sock.sendall(b"OKAY")
                    self._sync(s, sock)
                    return
                behaviour = s.shells.get(service)
                if behaviour is None:
                    sock.sendall(b"FAIL" + block("closed"))
                    return
                sock.sendall(b"OKAY")
                behaviour(sock)

    def _exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.request.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _sync(self, s: Script, sock: socket.socket) -> None:
        """One sync request per stream, as adbutils sends them (SYNC.TXT framing)."""
        head = self._exact(8)
        cmd, n = head[:4], struct.unpack("<I", head[4:])[0]
        path = self._exact(n).decode()
        s.requests.append(f"{cmd.decode()} {path}")
        if cmd == b"STAT":
            if path in s.dirs:
                sock.sendall(b"STAT" + struct.pack("<III", 0o40771, 4096, 1))
            elif path in s.files:
                sock.sendall(b"STAT" + struct.pack("<III", 0o100644, len(s.files[path]), 1))
            else:
                sock.sendall(b"STAT" + struct.pack("<III", 0, 0, 0))
        elif cmd == b"SEND":
            name, data = path.rsplit(",", 1)[0], b""
            while True:
                kind, size = self._exact(4), struct.unpack("<I", self._exact(4))[0]
                if kind == b"DONE":
                    break
                data += self._exact(size)
            if s.sync_fault == "hang-send":
                time.sleep(3)
                return
            s.files[name] = data[:-1] if s.sync_fault == "short-store" else data
            sock.sendall(b"OKAY" + b"\0\0\0\0")
        elif cmd == b"RECV":
            if path not in s.files:
                msg = b"No such file or directory"
                sock.sendall(b"FAIL" + struct.pack("<I", len(msg)) + msg)
                return
            data = s.files[path]
            sock.sendall(b"DATA" + struct.pack("<I", len(data)) + data)
            if s.sync_fault != "drop-recv":
                sock.sendall(b"DONE" + b"\0\0\0\0")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    script: Script


@pytest.fixture
def server() -> Iterator[tuple[Script, int]]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.script = Script()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv.script, srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def test_v2_exit_code_and_separate_streams(server: tuple[Script, int]) -> None:
    script, port = server
    script.shells["shell,v2:echo 'a b'"] = lambda s: s.sendall(v2(1, b"a b\n") + v2(2, b"warn\n") + v2(3, b"\x07"))
    r = AdbTransport("SER", port=port).run(["echo", "a b"], timeout=5)
    assert (r.exit_code, r.stdout, r.stderr, r.v2, r.argv) == (7, "a b\n", "warn\n", True, ("echo", "a b"))


def test_v2_packets_split_across_reads(server: tuple[Script, int]) -> None:
    script, port = server

    def trickle(s: socket.socket) -> None:
        for byte in v2(1, b"hello") + v2(3, b"\x00"):
            s.sendall(bytes([byte]))

    script.shells["shell,v2:true"] = trickle
    assert AdbTransport("SER", port=port).run(["true"], timeout=5).stdout == "hello"


def test_features_cached_per_transport(server: tuple[Script, int]) -> None:
    script, port = server
    script.shells["shell,v2:true"] = lambda s: s.sendall(v2(3, b"\x00"))
    t = AdbTransport("SER", port=port)
    t.run(["true"], 5)
    t.run(["true"], 5)
    assert sum(r.endswith(":features") for r in script.requests) == 1
    assert "shell_v2" in t.features()


def test_chatty_command_still_stops_at_overall_deadline(server: tuple[Script, int]) -> None:
    script, port = server

    def chatty(s: socket.socket) -> None:
        try:
            while True:  # output every 50 ms: a per-recv timeout would never fire
                s.sendall(v2(1, b"line\n"))
                time.sleep(0.05)
        except OSError:
            pass

    script.shells["shell,v2:logcat"] = chatty
    start = time.monotonic()
    with pytest.raises(DeviceTimeoutError) as err:
        AdbTransport("SER", port=port).run(["logcat"], timeout=0.6)
    assert time.monotonic() - start < 2.0
    assert err.value.stdout.startswith("line\n")  # partial output kept
    assert err.value.argv == ["logcat"] and err.value.serial == "SER"
    assert err.value.transient and "timeout" in err.value.hint


def test_silent_hang_times_out(server: tuple[Script, int]) -> None:
    script, port = server
    release = threading.Event()
    script.shells["shell,v2:sleep 60"] = lambda s: release.wait(5)
    start = time.monotonic()
    with pytest.raises(DeviceTimeoutError):
        AdbTransport("SER", port=port).run(["sleep", "60"], timeout=0.5)
    release.set()
    assert time.monotonic() - start < 2.0


def test_drop_mid_command_is_disconnected_with_partial_output(server: tuple[Script, int]) -> None:
    script, port = server
    script.shells["shell,v2:cat big"] = lambda s: s.sendall(v2(1, b"partial"))  # then the handler closes
    with pytest.raises(DeviceDisconnectedError) as err:
        AdbTransport("SER", port=port).run(["cat", "big"], timeout=5)
    assert err.value.stdout == "partial" and err.value.transient


def test_v1_marker_fallback_merges_stderr_and_undoes_pty_crlf(server: tuple[Script, int]) -> None:
    script, port = server
    script.features = "cmd"
    script.shells["shell:ls /x; echo X4EXIT:$?"] = lambda s: s.sendall(b"a\r\nls: /y: nope\r\nX4EXIT:2\r\n")
    r = AdbTransport("SER", port=port).run(["ls", "/x"], timeout=5)
    assert (r.exit_code, r.stdout, r.stderr, r.v2) == (2, "a\nls: /y: nope\n", "", False)


def test_v1_drop_before_marker(server: tuple[Script, int]) -> None:
    script, port = server
    script.features = "cmd"
    script.shells["shell:sleep 9; echo X4EXIT:$?"] = lambda s: s.sendall(b"some")
    with pytest.raises(DeviceDisconnectedError) as err:
        AdbTransport("SER", port=port).run(["sleep", "9"], timeout=5)
    assert err.value.stdout == "some"


def test_unknown_serial_lists_what_the_server_sees(server: tuple[Script, int]) -> None:
    _, port = server
    with pytest.raises(DeviceNotFoundError) as err:
        AdbTransport("OTHER", port=port).run(["true"], timeout=5)
    msg = str(err.value)
    assert "SER (device)" in msg and "ANDROID_SERIAL" in msg and "--serial" in msg
    assert not err.value.transient


def test_offline_device_is_transient(server: tuple[Script, int]) -> None:
    script, port = server
    script.state = "offline"
    t = AdbTransport("SER", port=port)
    assert t.state(2) == "offline"
    with pytest.raises(DeviceDisconnectedError):
        t.run(["true"], timeout=5)


def test_unauthorized_is_permanent_with_hint(server: tuple[Script, int]) -> None:
    script, port = server
    script.state = "unauthorized"
    with pytest.raises(PermanentDeviceError) as err:
        AdbTransport("SER", port=port).run(["true"], timeout=5)
    assert "USB debugging" in err.value.hint


def test_state_absent(server: tuple[Script, int]) -> None:
    _, port = server
    assert AdbTransport("NOPE", port=port).state(2) == "absent"


def test_no_server_is_reported_not_started() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    start = time.monotonic()
    with pytest.raises(PermanentDeviceError) as err:
        AdbTransport("SER", port=port).run(["true"], timeout=5)
    assert time.monotonic() - start < 3
    assert "start-server" in err.value.hint


def test_constructor_does_no_io() -> None:
    AdbTransport("SER", port=1)  # nothing listens on port 1; must not fail


def test_argv_must_be_a_list() -> None:
    with pytest.raises(TypeError):
        AdbTransport("SER", port=1).run("ls -l", timeout=1)
    with pytest.raises(ValueError):
        AdbTransport("SER", port=1).run([], timeout=1)


def test_all_errors_are_device_errors(server: tuple[Script, int]) -> None:
    script, port = server
    script.shells["shell,v2:x"] = lambda s: s.sendall(b"\x09garbage")  # bad framing, then close
    with pytest.raises(DeviceError):
        AdbTransport("SER", port=port).run(["x"], timeout=2)


def test_push_into_directory_verifies_size_and_keeps_mode(server: tuple[Script, int], tmp_path: Path) -> None:
    script, port = server
    src = tmp_path / "tool.bin"
    src.write_bytes(b"\x7fELF" + bytes(10000))
    src.chmod(0o755)
    assert AdbTransport("SER", port=port).push(src, "/data/local/tmp", timeout=5) == 10004
    assert script.files["/data/local/tmp/tool.bin"] == src.read_bytes()
    assert "SEND /data/local/tmp/tool.bin,33261" in script.requests  # 0o100755


def test_push_size_mismatch_is_an_error(server: tuple[Script, int], tmp_path: Path) -> None:
    script, port = server
    script.sync_fault = "short-store"
    src = tmp_path / "a.txt"
    src.write_bytes(b"hello")
    with pytest.raises(PermanentDeviceError, match="push incomplete"):
        AdbTransport("SER", port=port).push(src, "/data/local/tmp/a.txt", timeout=5)


def test_push_hang_hits_deadline(server: tuple[Script, int], tmp_path: Path) -> None:
    script, port = server
    script.sync_fault = "hang-send"
    src = tmp_path / "a.txt"
    src.write_bytes(b"hello")
    start = time.monotonic()
    with pytest.raises(DeviceTimeoutError) as err:
        AdbTransport("SER", port=port).push(src, "/data/local/tmp/a.txt", timeout=0.5)
    assert time.monotonic() - start < 2.0
    assert err.value.argv == ["adb", "push", str(src), "/data/local/tmp/a.txt"]


def test_pull_roundtrip_and_missing_file(server: tuple[Script, int], tmp_path: Path) -> None:
    script, port = server
    script.files["/proc/meminfo"] = b"MemTotal: 1 kB\n"
    t = AdbTransport("SER", port=port)
    assert t.pull("/proc/meminfo", tmp_path / "m", timeout=5) == 15
    assert (tmp_path / "m").read_bytes() == b"MemTotal: 1 kB\n"
    with pytest.raises(PermanentDeviceError, match="no such file"):
        t.pull("/nope", tmp_path / "n", timeout=5)
    assert not (tmp_path / "n").exists()


def test_pull_drop_leaves_no_partial_file(server: tuple[Script, int], tmp_path: Path) -> None:
    script, port = server
    script.files["/sdcard/x"] = b"abc"
    script.sync_fault = "drop-recv"
    with pytest.raises(DeviceDisconnectedError):
        AdbTransport("SER", port=port).pull("/sdcard/x", tmp_path / "x", timeout=5)
    assert list(tmp_path.iterdir()) == []
