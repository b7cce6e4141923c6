"""Turn adbutils/socket exceptions into the suite's DeviceError tree.

Only ``adb.py`` and ``adb_sync.py`` use this; the mapping table is in the
``adb.py`` module docstring. :class:`AdbShellStream` (``open_shell_stream``)
lives here too because it is mostly that mapping applied to one read at a time. Local file errors (FileNotFoundError,
PermissionError, ENOSPC on the host) are deliberately *not* mapped: they are
not device failures and a retry on the device would not cure them.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Any

import adbutils
from adbutils.errors import AdbConnectionError

from android_suite.errors import (
    DeviceDisconnectedError,
    DeviceError,
    DeviceNotFoundError,
    DeviceTimeoutError,
    PermanentDeviceError,
)


def time_left(deadline: float) -> float:
    """Seconds until ``deadline`` (a ``time.monotonic()`` value); TimeoutError once passed."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    return remaining


class Partial:
    """Output collected so far, per v2 stream id (1 stdout, 2 stderr)."""

    def __init__(self) -> None:
        self._data: dict[int, bytearray] = {1: bytearray(), 2: bytearray()}
        self.v2 = True

    def add(self, stream: int, data: bytes) -> None:
        self._data[stream] += data

    def raw(self, stream: int) -> bytes:
        return bytes(self._data[stream])

    def replace(self, stream: int, data: bytes) -> None:
        self._data[stream] = bytearray(data)

    def text(self, stream: int) -> str:
        text = self._data[stream].decode("utf-8", errors="replace")
        # Without shell_v2 (Android <= 6) adbd runs commands on a pty, which
        # turns every "\n" into "\r\n"; undo that so parsers see one format.
        return text if self.v2 else text.replace("\r\n", "\n")


@contextmanager
def map_adb_errors(
    serial: str,
    argv: Sequence[str],
    timeout: float,
    server: str,
    partial: Partial | None,
    list_serials: Callable[[], list[tuple[str, str]]],
) -> Iterator[None]:
    """Re-raise anything adb-related inside the block as a DeviceError."""
    port = server.rsplit(":", 1)[-1]
    try:
        yield
    except DeviceError:
        raise
    except (adbutils.AdbTimeout, TimeoutError) as exc:
        out, err = _output(partial)
        raise DeviceTimeoutError(
            f"no result within {timeout:g} s (output so far, if any, is below)",
            serial=serial,
            argv=argv,
            stdout=out,
            stderr=err,
            hint="raise the timeout if the command is legitimately slow; otherwise check the device "
            f"by hand (adb -P {port} -s {shlex.quote(serial)} shell). Closing the stream does not stop "
            "a command that prints nothing: it may still be running on the device.",
        ) from exc
    except (AdbConnectionError, ConnectionRefusedError) as exc:
        raise PermanentDeviceError(
            f"cannot reach the adb server at {server}: {exc}",
            serial=serial,
            argv=argv,
            hint=f"start it (AdbServer, or adb -P {port} start-server) "
            "or point ANDROID_ADB_SERVER_PORT at the running one",
        ) from exc
    except adbutils.AdbError as exc:
        raise _classify(str(exc), serial, argv, server, list_serials, partial) from exc
    except (EOFError, ConnectionError) as exc:
        out, err = _output(partial)
        raise DeviceDisconnectedError(
            f"the connection dropped before the operation finished ({exc or type(exc).__name__})",
            serial=serial,
            argv=argv,
            stdout=out,
            stderr=err,
            hint=_DROP_HINT.format(port=port),
        ) from exc


def _output(partial: Partial | None) -> tuple[str, str]:
    return (partial.text(1), partial.text(2)) if partial else ("", "")


_DROP_HINT = (
    "the device went away (cable, reboot, adbd restart, offline); check `adb -P {port} devices`. "
    "A retry may help once it is back."
)


def _classify(
    message: str,
    serial: str,
    argv: Sequence[str],
    server: str,
    list_serials: Callable[[], list[tuple[str, str]]],
    partial: Partial | None,
) -> DeviceError:
    """An adb server FAIL message (see adb's transport.cpp) as a DeviceError."""
    first = message.strip().splitlines()[0] if message.strip() else "adb error"
    lower = message.lower()
    port = server.rsplit(":", 1)[-1]
    out, err = _output(partial)
    if "not found" in lower or "no devices" in lower:
        try:
            seen = ", ".join(f"{s} ({st})" for s, st in list_serials()) or "no devices at all"
        except Exception as exc:  # the listing is a courtesy; never mask the real error
            seen = f"(could not list: {exc})"
        return DeviceNotFoundError(
            f"no device {serial!r} on the adb server at {server}; it sees: {seen}",
            serial=serial,
            argv=argv,
            hint=f"check `adb -P {port} devices`, then pass --serial or set ANDROID_SERIAL to one of "
            "those; for a TCP device, `adb connect HOST:PORT` first",
        )
    if "unauthorized" in lower:
        return PermanentDeviceError(
            "the device has not authorised this computer",
            serial=serial,
            argv=argv,
            hint="unlock the phone and accept the 'Allow USB debugging?' prompt, then retry",
        )
    if any(w in lower for w in ("offline", "closed", "authorizing", "connecting")):
        return DeviceDisconnectedError(
            f"adb: {first}",
            serial=serial,
            argv=argv,
            stdout=out,
            stderr=err,
            hint=_DROP_HINT.format(port=port),
        )
    return DeviceError(f"adb: {first}", serial=serial, argv=argv, stdout=out, stderr=err)


_V2_HEADER = 5  # shell v2 packet: id (1 byte) + length (u32 LE)


class AdbShellStream:
    """A running device command read incrementally (implements ``transport.ShellStream``).

    Each :meth:`read` waits at most its own ``timeout`` (``settimeout`` per
    recv), so a caller can poll a stop flag between reads without losing data:
    a socket timeout never consumes bytes. v2 packets may be split anywhere
    across recvs; stdout is handed out as it comes, stderr is kept.

    Args:
        conn: the adbutils connection after the service's OKAY (``.conn`` socket, ``.close()``).
        v2: whether the service was opened as ``shell,v2:``.
        errors: ``timeout -> context manager`` mapping socket errors to DeviceError.
        on_drop: called once when the link drops (the transport forgets its feature cache).
    """

    def __init__(
        self,
        conn: Any,
        v2: bool,
        errors: Callable[[float], AbstractContextManager[None]],
        on_drop: Callable[[], None],
    ) -> None:
        self._conn = conn
        self._v2 = v2
        self._errors = errors
        self._on_drop = on_drop
        self._raw = bytearray()  # undecoded v2 packets
        self._out = bytearray()
        self._err = bytearray()
        self._exit: int | None = None
        self._ended = False

    @property
    def v2(self) -> bool:
        return self._v2

    @property
    def exit_code(self) -> int | None:
        return self._exit

    @property
    def stderr(self) -> bytes:
        return bytes(self._err)

    def read(self, max_bytes: int = 65536, timeout: float = 1.0) -> bytes:
        if not self._out and not self._ended:
            deadline = time.monotonic() + timeout
            try:
                with self._errors(timeout):
                    while not self._out and not self._ended:
                        self._receive(deadline)
            except DeviceDisconnectedError:
                self._ended = True
                self._on_drop()
                raise
        data = bytes(self._out[:max_bytes])
        del self._out[:max_bytes]
        return data

    def _receive(self, deadline: float) -> None:
        sock = self._conn.conn
        sock.settimeout(time_left(deadline))
        chunk = sock.recv(65536)
        if not chunk:
            if self._v2:
                raise EOFError("stream closed before the exit status")
            self._ended = True  # v1 cannot tell an end from a drop
            return
        if not self._v2:
            self._out += chunk
            return
        self._raw += chunk
        while len(self._raw) >= _V2_HEADER:
            size = int.from_bytes(self._raw[1:5], "little")
            if len(self._raw) < _V2_HEADER + size:
                break
            kind, data = self._raw[0], bytes(self._raw[_V2_HEADER : _V2_HEADER + size])
            del self._raw[: _V2_HEADER + size]
            if kind == 1:
                self._out += data
            elif kind == 2:
                self._err += data
            elif kind == 3 and data:
                self._exit, self._ended = data[0], True

    def close(self) -> None:
        self._ended = True
        with suppress(Exception):  # closing a dead socket must not mask why we are closing it
            self._conn.close()

    def __enter__(self) -> AdbShellStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
