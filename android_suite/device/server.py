"""A private adb server for one test session.

Sharing the user's default server (port 5037) means sharing its state: another
tool's ``adb kill-server`` or a second session's ``adb connect`` would yank
devices away mid-run. Each session therefore starts its own server on its own
port and kills it at the end. Every adb CLI call has a timeout and an argv
list; output goes to temp files, not pipes, because ``start-server`` forks a
daemon that may inherit the pipe and keep ``communicate()`` waiting forever.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from types import TracebackType

import adbutils

from android_suite.device.waits import Poller
from android_suite.errors import (
    ConfigError,
    DeviceDisconnectedError,
    DeviceError,
    DeviceTimeoutError,
)


def resolve_adb(explicit: str | None = None) -> str:
    """The adb binary: explicit, ``$ADBUTILS_ADB_PATH``, ``adb`` on PATH, adbutils' bundled one."""
    found = explicit or os.environ.get("ADBUTILS_ADB_PATH") or shutil.which("adb")
    if found:
        return found
    try:
        return str(adbutils.adb_path())
    except adbutils.AdbError as exc:
        raise ConfigError("no adb binary: install platform-tools, put adb on PATH or set ADBUTILS_ADB_PATH") from exc


def free_port() -> int:
    """A TCP port free right now on 127.0.0.1 (the OS picks from the ephemeral range,
    well clear of 5555-5585, which the adb server scans for emulators)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AdbServer:
    """Start, use and stop a private adb server. Constructing it does no I/O.

    Args:
        port: the server port; None picks a free one at :meth:`start`.
        adb_path: the adb binary; None resolves it (see :func:`resolve_adb`).
        timeout: bound on each adb CLI call, in seconds.
    """

    def __init__(self, port: int | None = None, adb_path: str | None = None, *, timeout: float = 20.0) -> None:
        self._port = port
        self._adb_path = adb_path
        self._timeout = timeout
        self._poller = Poller(interval=0.2)

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("AdbServer.port is chosen by start(); call start() first")
        return self._port

    @property
    def adb_path(self) -> str:
        """The adb binary this server is driven with (for tests that run the adb CLI)."""
        return resolve_adb(self._adb_path)

    def env(self) -> dict[str, str]:
        """Environment for child tools (adb CLI, uiautomator2) to use this server."""
        return {"ANDROID_ADB_SERVER_PORT": str(self.port)}

    def _adb(self, *args: str, timeout: float | None = None) -> tuple[int, str]:
        """Run ``adb -P PORT ARGS``; returns (exit code, stdout+stderr)."""
        argv = [self.adb_path, "-P", str(self.port), *args]
        limit = timeout if timeout is not None else self._timeout
        with tempfile.TemporaryFile() as out:
            try:
                proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=limit)
            except subprocess.TimeoutExpired as exc:
                out.seek(0)
                raise DeviceTimeoutError(
                    f"adb did not finish within {limit:g} s",
                    argv=argv,
                    stdout=out.read().decode("utf-8", "replace"),
                    hint="is another adb server wedged on this port? try `adb -P PORT kill-server`",
                ) from exc
            out.seek(0)
            return proc.returncode, out.read().decode("utf-8", "replace")

    def start(self) -> AdbServer:
        """Start the server (no-op if one already answers on the port)."""
        if self._port is None:
            self._port = free_port()
        code, output = self._adb("start-server")
        if code != 0:
            raise DeviceError(
                "adb start-server failed",
                argv=["adb", "-P", str(self.port), "start-server"],
                exit_code=code,
                stdout=output,
                hint="see the adb server log (/tmp/adb.*.log); the port may be taken by another program",
            )
        return self

    def stop(self) -> None:
        """Kill the server. Never raises: it runs in teardown, after the real error."""
        if self._port is None:
            return
        # A dead or wedged server is what we wanted gone anyway.
        with contextlib.suppress(Exception):
            self._adb("kill-server", timeout=min(self._timeout, 10.0))

    def connect(self, addr: str, timeout: float = 10.0) -> None:
        """``adb connect ADDR`` (e.g. "127.0.0.1:40123") for a TCP device.

        adb exits 0 even when it could not connect, so the output is checked.
        """
        code, output = self._adb("connect", addr, timeout=timeout)
        if code != 0 or "connected to" not in output:
            raise DeviceDisconnectedError(
                f"adb connect {addr} failed",
                serial=addr,
                argv=["adb", "connect", addr],
                exit_code=code,
                stdout=output,
                hint="is the device (or virtual handset) listening on that address?",
            )

    def disconnect(self, addr: str, timeout: float = 10.0) -> None:
        """``adb disconnect ADDR``; an address that was not connected is fine."""
        self._adb("disconnect", addr, timeout=timeout)

    def devices(self, timeout: float = 5.0) -> list[tuple[str, str]]:
        """(serial, state) for every device this server knows, offline ones included."""
        client = adbutils.AdbClient(host="127.0.0.1", port=self.port, socket_timeout=timeout)
        try:
            return [(str(i.serial), str(i.state)) for i in client.list()]
        except adbutils.AdbError as exc:
            raise DeviceDisconnectedError(
                f"cannot list devices on adb server port {self.port}: {exc}",
                hint="was the server started (AdbServer.start) and is it still running?",
            ) from exc

    def wait_for_state(self, serial: str, state: str = "device", timeout: float = 30.0) -> None:
        """Poll until ``serial`` is in ``state`` ("absent" waits for it to go away)."""

        def probe(left: float) -> tuple[bool, str]:
            states = dict(self.devices(timeout=min(left, 5.0)))
            now = states.get(serial, "absent")
            return now == state, f"{serial} is {now!r}"

        self._poller.until(
            probe,
            self._poller.deadline(timeout),
            what=f"{serial} to be {state!r}",
            serial=serial,
            hint=f"check `adb -P {self.port} devices`; for TCP devices, `adb connect` first",
        )

    def __enter__(self) -> AdbServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"AdbServer(port={self._port}, adb_path={self._adb_path!r})"


__all__: Sequence[str] = ("AdbServer", "free_port", "resolve_adb")
