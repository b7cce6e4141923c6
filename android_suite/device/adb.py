"""The real :class:`Transport`: adb through adbutils 2.12 and an adb server.

Why this does not simply call ``AdbDevice.shell2``: in adbutils 2.12 every
timeout is a *socket* timeout (``settimeout`` on each ``recv``), so a command
that keeps printing (``logcat``, ``yes``) never times out, and a timeout
loses the output read so far. So adbutils is used for what it does well
(finding the server, the ``host:tport:serial`` handshake, sync) and the
shell stream is read here, with ``settimeout(time left)`` before every
``recv``: the deadline is overall, and partial output goes into the error.
The v2 framing and the v1 ``; echo X4EXIT:$?`` fallback are the same as
adbutils' ``shell2``. ``features`` and ``get-state`` are also read here
because adbutils' own helpers open their socket with a 600 s timeout.

Error mapping (all adbutils errors subclass ``AdbError``):
    AdbTimeout, socket TimeoutError        -> DeviceTimeoutError
    AdbError "device 'X' not found"        -> DeviceNotFoundError (+ serials seen)
    AdbError "device offline"/"closed"/..., EOFError, OSError (reset, broken
      pipe), stream closed before the exit status -> DeviceDisconnectedError
    AdbError "device unauthorized"         -> PermanentDeviceError
    AdbConnectionError, no server on port  -> PermanentDeviceError
"""

from __future__ import annotations

import os
import shlex
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import adbutils

from android_suite.device.adb_errors import AdbShellStream, Partial, map_adb_errors, time_left
from android_suite.device.adb_sync import pull_file, push_file
from android_suite.device.transport import ShellResult, ShellStream
from android_suite.errors import PermanentDeviceError

MARKER = b"X4EXIT:"
_V2_STDOUT, _V2_STDERR, _V2_EXIT = 1, 2, 3


def default_port() -> int:
    """The adb server port: ``$ANDROID_ADB_SERVER_PORT`` or 5037, as the adb CLI does."""
    return int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037"))


def _recv(sock: socket.socket, deadline: float) -> bytes:
    sock.settimeout(time_left(deadline))  # bound this recv by the *overall* time left
    return sock.recv(65536)


class AdbTransport:
    """One handset on one adb server. Constructing it does no I/O.

    Args:
        serial: the adb serial (``adb devices`` first column).
        host, port: the adb server; port defaults to ``default_port()``.
        control_timeout: bound for small requests with no caller timeout
            (``features()``).
    """

    def __init__(
        self, serial: str, *, host: str = "127.0.0.1", port: int | None = None, control_timeout: float = 10.0
    ) -> None:
        if not serial:
            raise ValueError("an explicit serial is required (no 'pick the only device' magic)")
        self._serial = serial
        self._host = host
        self._port = port if port is not None else default_port()
        self._control_timeout = control_timeout
        self._features: frozenset[str] | None = None  # per connection; reset on reboot/drop

    @property
    def serial(self) -> str:
        return self._serial

    def __repr__(self) -> str:
        return f"AdbTransport({self._serial!r}, host={self._host!r}, port={self._port})"

    # -- plumbing -------------------------------------------------------------------

    def _client(self, timeout: float) -> Any:
        # socket_timeout bounds adbutils' extra connections (host:version).
        return adbutils.AdbClient(host=self._host, port=self._port, socket_timeout=max(timeout, 0.01))

    def _check_server(self, deadline: float) -> None:
        # adbutils runs `adb start-server` (20 s, default port) when it cannot
        # connect: that would blow the deadline and start a stray server.
        # Probe first so a missing private server is reported, not papered over.
        with socket.create_connection((self._host, self._port), timeout=min(time_left(deadline), 2.0)):
            pass

    def _device(self, deadline: float) -> Any:
        self._check_server(deadline)
        return self._client(time_left(deadline)).device(serial=self._serial)

    @contextmanager
    def _errors(self, argv: Sequence[str], timeout: float, partial: Partial | None = None) -> Iterator[None]:
        try:
            with map_adb_errors(self._serial, argv, timeout, self._where(), partial, self._serials):
                yield
        except Exception:
            self._features = None  # the device may come back as a different adbd
            raise

    def _where(self) -> str:
        return f"{self._host}:{self._port}"

    def _serials(self) -> list[tuple[str, str]]:
        return [(i.serial, i.state) for i in self._client(2.0).list()]

    def _features_by(self, deadline: float) -> frozenset[str]:
        if self._features is None:
            conn = self._device(deadline).open_transport("features", timeout=time_left(deadline))
            with conn:
                raw = conn.read_string_block()
            self._features = frozenset(f for f in raw.strip().split(",") if f)
        return self._features

    # -- Transport ------------------------------------------------------------------

    def features(self) -> frozenset[str]:
        with self._errors(["adb", "features"], self._control_timeout):
            return self._features_by(time.monotonic() + self._control_timeout)

    def state(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        with self._errors(["adb", "get-state"], timeout):
            self._check_server(deadline)
            for info in self._client(time_left(deadline)).list():
                if info.serial == self._serial:
                    # `host:devices` prints "no permissions (...)": adbutils keeps "no".
                    return "no-permissions" if info.state == "no" else str(info.state)
        return "absent"

    def run(self, argv: Sequence[str], timeout: float) -> ShellResult:
        if isinstance(argv, str):
            raise TypeError(f"argv must be a list of words, not a shell string: {argv!r}")
        words = tuple(argv)
        if not words:
            raise ValueError("empty argv")
        start = time.monotonic()
        deadline = start + timeout
        command = shlex.join(words)
        partial = Partial()
        with self._errors(words, timeout, partial):
            v2 = "shell_v2" in self._features_by(deadline)
            conn = self._device(deadline).open_transport(timeout=time_left(deadline))
            with conn:
                conn.send_command(f"shell,v2:{command}" if v2 else f"shell:{command}; echo {MARKER.decode()}$?")
                conn.check_okay()
                partial.v2 = v2
                code = _read_v2(conn.conn, deadline, partial) if v2 else _read_v1(conn.conn, deadline, partial)
        return ShellResult(words, code, partial.text(1), partial.text(2), time.monotonic() - start, v2)

    def open_shell_stream(self, argv: Sequence[str], connect_timeout: float) -> ShellStream:
        if isinstance(argv, str):
            raise TypeError(f"argv must be a list of words, not a shell string: {argv!r}")
        words = tuple(argv)
        if not words:
            raise ValueError("empty argv")
        deadline = time.monotonic() + connect_timeout
        with self._errors(words, connect_timeout):
            v2 = "shell_v2" in self._features_by(deadline)
            conn = self._device(deadline).open_transport(timeout=time_left(deadline))
            try:
                # No exit marker on v1: a stream is read until it ends, not for its status.
                conn.send_command(f"shell,v2:{shlex.join(words)}" if v2 else f"shell:{shlex.join(words)}")
                conn.check_okay()
            except BaseException:
                conn.close()
                raise

        def dropped() -> None:
            self._features = None  # the device may come back as a different adbd

        where = self._where()
        return AdbShellStream(
            conn,
            v2,
            lambda timeout: map_adb_errors(self._serial, words, timeout, where, None, self._serials),
            dropped,
        )

    def push(self, local: Path, remote: str, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        with self._errors(["adb", "push", str(local), remote], timeout):
            return push_file(self._device(deadline), Path(local), remote, deadline, self._serial)

    def pull(self, remote: str, local: Path, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        with self._errors(["adb", "pull", remote, str(local)], timeout):
            return pull_file(self._device(deadline), remote, Path(local), deadline, self._serial)

    def reboot(self, target: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        self._features = None
        with self._errors(["adb", "reboot", target] if target else ["adb", "reboot"], timeout):
            conn = self._device(deadline).open_transport(timeout=time_left(deadline))
            with conn:
                # The reboot: service (what `adb reboot` uses) runs in adbd, so
                # it works without root, unlike `shell reboot` on user builds.
                conn.send_command(f"reboot:{target}")
                conn.check_okay()
                said = b""
                try:
                    while chunk := _recv(conn.conn, deadline):
                        said += chunk
                except (TimeoutError, OSError):
                    pass  # accepted; the link dies as the device goes down
        if b"fail" in said.lower():
            raise PermanentDeviceError(
                "adbd refused to reboot", serial=self._serial, stdout=said.decode("utf-8", "replace")
            )


def _read_v2(sock: socket.socket, deadline: float, out: Partial) -> int:
    """Shell v2: packets of id (1 byte) + length (u32 LE) + data, until the exit packet."""
    buf = b""
    while True:
        while len(buf) >= 5 and len(buf) >= 5 + int.from_bytes(buf[1:5], "little"):
            kind, size = buf[0], int.from_bytes(buf[1:5], "little")
            data, buf = buf[5 : 5 + size], buf[5 + size :]
            if kind == _V2_EXIT and data:
                return data[0]
            if kind in (_V2_STDOUT, _V2_STDERR):
                out.add(kind, data)
        chunk = _recv(sock, deadline)
        if not chunk:
            raise EOFError("stream closed before the exit status")
        buf += chunk


def _read_v1(sock: socket.socket, deadline: float, out: Partial) -> int:
    """Shell v1: merged output until close; the exit code is after the last marker."""
    while chunk := _recv(sock, deadline):
        out.add(_V2_STDOUT, chunk)
    raw = out.raw(1)
    at = raw.rfind(MARKER)
    tail = raw[at + len(MARKER) :].strip() if at >= 0 else b""
    if not tail.isdigit():
        raise EOFError("stream closed before the exit marker")
    out.replace(1, raw[:at])
    return int(tail)
