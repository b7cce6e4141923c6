"""push/pull through adbutils' sync client, with an overall deadline.

adbutils' ``Sync`` opens its sockets with *no* timeout (``open_transport(
timeout=None)``) and reads the STAT reply with a bare ``recv``. It only ever
calls ``open_transport`` on the device it is given, so we hand it a
:class:`_DeadlineDevice` that opens every socket with the time left, and
re-tighten that socket's timeout before every chunk: the deadline is then
overall, not per recv. (Checked against adbutils 2.12 ``sync.py``; if a later
version calls other device methods, the proxy fails loudly with
AttributeError rather than silently losing the deadline.)

adbutils reports a stream that closed mid-transfer in odd ways (an
``assert`` on the STAT reply, ``struct.error`` on a short read, AdbError
"Invalid sync cmd"); those become EOFError here, which ``adb_errors`` maps to
DeviceDisconnectedError.
"""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path
from typing import IO, Any

import adbutils

from android_suite.device.adb_errors import time_left
from android_suite.errors import PermanentDeviceError


class _DeadlineDevice:
    """The one method adbutils.Sync needs, with our deadline applied."""

    def __init__(self, device: Any, deadline: float) -> None:
        self._device = device
        self._deadline = deadline
        self._conn: Any = None
        self.fail_message = ""  # the device's reason for a push FAIL (see _FailReader)
        self.capture_fail = False  # set while pushing: pull reads its own FAIL message

    def open_transport(self, command: str | None = None, timeout: float | None = None) -> Any:
        self._conn = self._device.open_transport(command, timeout=time_left(self._deadline))
        return _FailReader(self._conn, self)

    def tighten(self) -> None:
        """Bound the open socket by the time left (TimeoutError if none)."""
        remaining = time_left(self._deadline)
        if self._conn is not None and not self._conn.closed:
            self._conn.conn.settimeout(remaining)


class _FailReader:
    """The sync connection, reading the reason after a FAIL verdict before adbutils closes it.

    adbutils' push raises ``AdbError("FAIL")`` and leaves the device's message
    ("No space left on device", "Read-only file system") unread; it is what the
    user needs. Only while pushing (``capture_fail``): a pull reads the message
    after its own FAIL itself, so it must find it still there.
    """

    def __init__(self, conn: Any, owner: _DeadlineDevice) -> None:
        self._conn = conn
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def __enter__(self) -> _FailReader:
        self._conn.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self._conn.__exit__(*exc)

    def read_string(self, n: int) -> str:
        text = str(self._conn.read_string(n))
        if text == "FAIL" and self._owner.capture_fail:
            try:
                size = struct.unpack("<I", self._conn.read(4))[0]
                self._owner.fail_message = str(self._conn.read_string(size))
            except Exception:  # the reason is a nicety; the verdict stands without it
                self._owner.fail_message = ""
        return text


class _DeadlineReader:
    """The local file as Sync.push reads it: every chunk re-checks the deadline."""

    def __init__(self, f: IO[bytes], device: _DeadlineDevice) -> None:
        self._f = f
        self._device = device

    def read(self, n: int) -> bytes:
        self._device.tighten()
        return self._f.read(n)

    def close(self) -> None:
        self._f.close()


def _stat(sync: Any, path: str) -> tuple[int, int]:
    """(st_mode, size) of a device path; mode 0 means it does not exist."""
    try:
        info = sync.stat(path)
    except (AssertionError, struct.error) as exc:
        raise EOFError(f"sync STAT of {path} cut short") from exc
    return int(info.mode), int(info.size)


def push_file(device: Any, local: Path, remote: str, deadline: float, serial: str) -> int:
    """Push ``local`` to ``remote`` (a file path, or a directory to put it in).

    The file keeps its local permission bits (as ``adb push`` does), so pushed
    binaries stay executable. Afterwards the remote size is compared with the
    bytes sent.

    Raises:
        PermanentDeviceError: the device refused the file or kept fewer bytes.
    """
    local_stat = local.stat()  # a missing local file is a host error: raise it as is
    proxy = _DeadlineDevice(device, deadline)
    sync = adbutils.Sync(proxy)
    if stat.S_ISDIR(_stat(sync, remote)[0]):
        remote = remote.rstrip("/") + "/" + local.name
    argv = ["adb", "push", str(local), remote]
    hint = "check the remote directory exists, is writable by adb (e.g. /data/local/tmp) and has space"
    proxy.capture_fail = True
    try:
        with local.open("rb") as f:
            sent = int(sync.push(_DeadlineReader(f, proxy), remote, mode=stat.S_IMODE(local_stat.st_mode)))
    except adbutils.AdbTimeout:
        raise  # mapped to DeviceTimeoutError by the caller
    except adbutils.AdbError as exc:
        if str(exc) != "FAIL":  # "" = the stream closed before the verdict
            raise EOFError(f"push of {remote} cut short") from exc
        why = f": {proxy.fail_message}" if proxy.fail_message else ""
        raise PermanentDeviceError(f"the device refused {remote}{why}", serial=serial, argv=argv, hint=hint) from exc
    finally:
        proxy.capture_fail = False
    kept = _stat(sync, remote)[1]
    if kept != sent or sent != local_stat.st_size:
        raise PermanentDeviceError(
            f"push incomplete: local {local_stat.st_size} bytes, sent {sent}, remote has {kept}",
            serial=serial,
            argv=argv,
            hint=hint,
        )
    return sent


def pull_file(device: Any, remote: str, local: Path, deadline: float, serial: str) -> int:
    """Pull one regular file.

    Written to ``<local>.partial`` and renamed when complete, so an interrupted
    pull never leaves a truncated file under the real name. No size check:
    /proc and sysfs files stat as 0 bytes yet have content.

    Raises:
        PermanentDeviceError: ``remote`` is missing, unreadable or a directory.
    """
    argv = ["adb", "pull", remote, str(local)]
    proxy = _DeadlineDevice(device, deadline)
    sync = adbutils.Sync(proxy)
    mode, _ = _stat(sync, remote)
    if mode == 0:
        raise PermanentDeviceError(f"{remote}: no such file (or not visible to adb)", serial=serial, argv=argv)
    if stat.S_ISDIR(mode):
        raise PermanentDeviceError(f"{remote} is a directory; pull files one by one", serial=serial, argv=argv)
    tmp = local.with_name(local.name + ".partial")
    total = 0
    try:
        with tmp.open("wb") as f:
            for chunk in sync.iter_content(remote):
                f.write(chunk)
                total += len(chunk)
                proxy.tighten()
        os.replace(tmp, local)
    except adbutils.AdbTimeout:
        raise
    except adbutils.AdbError as exc:
        # A FAIL from the device is raised as AdbError(message, path).
        if len(exc.args) == 2 and exc.args[1] == remote:
            raise PermanentDeviceError(f"cannot read {remote}: {exc.args[0]}", serial=serial, argv=argv) from exc
        raise EOFError(f"pull of {remote} cut short: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return total
