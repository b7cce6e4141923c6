"""Turn adbutils/socket exceptions into the suite's DeviceError tree.

Only ``adb.py`` and ``adb_sync.py`` use this; the mapping table is in the
``adb.py`` module docstring. Local file errors (FileNotFoundError,
PermissionError, ENOSPC on the host) are deliberately *not* mapped: they are
not device failures and a retry on the device would not cure them.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

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
