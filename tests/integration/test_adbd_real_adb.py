"""The adbd endpoint against the real adb server (adb 36 bundled with adbutils) and adbutils.

Each module run gets a private adb server on a free port (killed at teardown),
and each test a stub handset on its own loop thread, `adb connect`ed by ip:port.

Documented behaviour checked here: without ``shell_v2`` in the banner the adb
CLI falls back to ``shell:CMD`` (v1), which carries no exit status, so
``adb shell false`` exits 0; adbutils ``shell2(v2=True)`` warns and falls back
to its ``; echo X4EXIT:$?`` marker, which still yields 1.
"""

from __future__ import annotations

import logging
import os
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import adbutils
import pytest

from tests.helpers.stub_handset import EndpointThread, StubHandset, running_endpoint

DEADLINE_S = 20.0


@dataclass
class AdbServer:
    adb: str
    port: int
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
        # stdin=DEVNULL: with shell v2 the CLI forwards its stdin (close-stdin at EOF).
        return subprocess.run(
            [self.adb, "-P", str(self.port), *args],
            env=self.env,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )


@dataclass
class Connected:
    server: AdbServer
    handset: StubHandset
    runner: EndpointThread
    serial: str

    def adb(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
        return self.server.run("-s", self.serial, *args, timeout=timeout)

    def device(self) -> adbutils.AdbDevice:
        client = adbutils.AdbClient(host="127.0.0.1", port=self.server.port)
        return client.device(serial=self.serial)


def _free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port: int = s.getsockname()[1]
        if not 5555 <= port <= 5585:  # the adb server's emulator probe range
            return port


@pytest.fixture(scope="module")
def adb_server() -> Iterator[AdbServer]:
    try:
        adb = adbutils.adb_path()
    except Exception as exc:  # e.g. linux aarch64: no bundled binary and none on PATH
        pytest.skip(f"no adb binary: {exc}")
    port = _free_port()
    server = AdbServer(adb, port, dict(os.environ, ANDROID_ADB_SERVER_PORT=str(port)))
    r = server.run("start-server")
    assert r.returncode == 0, r.stderr
    try:
        yield server
    finally:
        server.run("kill-server")


def _connect(server: AdbServer, handset: StubHandset) -> Iterator[Connected]:
    with running_endpoint(handset) as runner:
        serial = f"127.0.0.1:{runner.endpoint.port}"
        r = server.run("connect", serial)
        assert b"connected to" in r.stdout, r
        deadline = time.monotonic() + DEADLINE_S
        while (state := server.run("-s", serial, "get-state").stdout.strip()) != b"device":
            assert time.monotonic() < deadline, f"{serial} still {state!r} after {DEADLINE_S} s"
            time.sleep(0.05)
        try:
            yield Connected(server, handset, runner, serial)
        finally:
            server.run("disconnect", serial)


@pytest.fixture
def phone(adb_server: AdbServer) -> Iterator[Connected]:
    yield from _connect(adb_server, StubHandset())


@pytest.fixture
def old_phone(adb_server: AdbServer) -> Iterator[Connected]:
    """An adbd that does not advertise shell_v2."""
    yield from _connect(adb_server, StubHandset(features=("cmd",)))


def test_cli_shell_output_and_exit_code(phone: Connected) -> None:
    r = phone.adb("shell", "echo", "hi")
    assert (r.returncode, r.stdout) == (0, b"hi\n"), r.stderr
    assert phone.adb("shell", "false").returncode == 1
    r = phone.adb("shell", "nosuch")
    assert r.returncode == 127 and b"nosuch: inaccessible or not found" in r.stderr


def test_cli_push_pull_5mb(phone: Connected, tmp_path: Path) -> None:
    blob = os.urandom(5 * 1024 * 1024)
    (tmp_path / "big.bin").write_bytes(blob)
    r = phone.adb("push", str(tmp_path / "big.bin"), "/data/local/tmp/big.bin")
    assert r.returncode == 0, r.stderr
    assert phone.handset.fs.read("/data/local/tmp/big.bin") == blob
    r = phone.adb("pull", "/data/local/tmp/big.bin", str(tmp_path / "back.bin"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "back.bin").read_bytes() == blob


def test_adbutils_shell2_v1_and_v2(phone: Connected) -> None:
    device = phone.device()
    assert device.shell2("false", v2=True, timeout=10).returncode == 1
    ret = device.shell2("echo out; nosuch", v2=True, timeout=10)
    assert (ret.returncode, ret.stdout) == (127, "out\n")
    assert ret.stderr.startswith("/system/bin/sh: nosuch")
    # v1: adbutils appends "; echo X4EXIT:$?" and parses the marker.
    assert device.shell2("false", timeout=10).returncode == 1
    assert device.shell("echo hi", timeout=10) == "hi"
    assert "false; echo X4EXIT:$?" in phone.handset.shell.commands


def test_adbutils_sync(phone: Connected) -> None:
    device = phone.device()
    blob = os.urandom(3 * 1024 * 1024 + 5)
    assert device.sync.push(blob, "/data/local/tmp/u2.jar", mode=0o755, check=True) == len(blob)
    st = device.sync.stat("/data/local/tmp/u2.jar")
    assert (st.mode, st.size) == (0o100755, len(blob))
    assert device.sync.read_bytes("/data/local/tmp/u2.jar") == blob
    assert [f.path for f in device.sync.list("/data/local/tmp")] == ["u2.jar"]
    assert not device.sync.exists("/data/local/tmp/nope")


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.sendall(b"pong " + self.request.recv(100))


def test_adbutils_tcp_refused_then_bridged(phone: Connected) -> None:
    device = phone.device()
    with pytest.raises(adbutils.AdbError):
        device.create_connection(adbutils.Network.TCP, 9008)
    with socketserver.TCPServer(("127.0.0.1", 0), _Echo) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        phone.runner.call(lambda: phone.handset.tcp_ports.__setitem__(9008, server.server_address[1]))
        try:
            sock = device.create_connection(adbutils.Network.TCP, 9008)
            with sock:
                sock.settimeout(DEADLINE_S)
                sock.sendall(b"ping")
                got = b""
                while chunk := sock.recv(100):  # the device side closes after replying
                    got += chunk
            assert got == b"pong ping"
        finally:
            server.shutdown()


def test_without_shell_v2_cli_uses_v1_and_exits_0(old_phone: Connected, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="android_suite.virtual.adbd.connection"):
        r = old_phone.adb("shell", "false")
        # v1 carries no exit status: the CLI reports 0 for a failing command.
        assert r.returncode == 0
        r = old_phone.adb("shell", "echo", "hi")
        assert (r.returncode, r.stdout) == (0, b"hi\n")
    opened = [rec.getMessage() for rec in caplog.records if rec.getMessage().startswith("OPEN ")]
    assert any(m.startswith("OPEN 'shell:false'") for m in opened), opened
    assert not any("v2" in m for m in opened), opened
    device = old_phone.device()
    assert device.shell2("false", v2=True, timeout=10).returncode == 1  # falls back to the marker


def test_reboot_drops_connection(phone: Connected) -> None:
    r = phone.adb("reboot", "bootloader", timeout=10)
    assert r.returncode == 0, r.stderr
    assert phone.runner.call(lambda: list(phone.handset.reboots)) == ["bootloader"]
