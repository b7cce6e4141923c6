"""``sync:`` v1: STAT, LIST, SEND, RECV and QUIT on one stream.

Only v1 is spoken; the banner must not advertise ``stat_v2``, ``ls_v2`` or
``sendrecv_v2*`` (clients then never send STA2/LST2/SND2/RCV2).
"""

from __future__ import annotations

import contextlib
import logging
import struct

from android_suite.virtual.adbd.stream import Stream, StreamClosed
from android_suite.virtual.api import FileStat, FileSystem, FsError

log = logging.getLogger(__name__)

_REQUEST = struct.Struct("<4sI")
_STAT = struct.Struct("<4sIII")
_DENT = struct.Struct("<4sIIII")
MAX_PATH = 1024  # adbd rejects longer paths
MAX_CHUNK = 64 * 1024  # DATA payload limit in both directions (SYNC_DATA_MAX)
_DEFAULT_MODE = 0o644


class SyncFailure(Exception):
    """Report FAIL to the client and end the sync stream, as adbd does."""


async def serve(stream: Stream, fs: FileSystem) -> None:
    """Answer requests until QUIT, a failure, or the host closes the stream."""
    try:
        while await _one_request(stream, fs):
            pass
    except SyncFailure as exc:
        await _send_fail(stream, str(exc))


async def _one_request(stream: Stream, fs: FileSystem) -> bool:
    """Handle one request; False when the stream should end."""
    head = await stream.read(_REQUEST.size)
    if not head:
        return False  # the host closed between requests
    if len(head) < _REQUEST.size:
        head += await stream.read_exact(_REQUEST.size - len(head))
    cmd, arg = _REQUEST.unpack(head)
    if cmd == b"QUIT":
        return False
    if cmd not in (b"STAT", b"LIST", b"SEND", b"RECV"):
        raise SyncFailure(f"unknown sync command {cmd!r}")
    if arg > MAX_PATH:
        raise SyncFailure(f"path too long: {arg} bytes")
    path = (await stream.read_exact(arg)).decode("utf-8", errors="surrogateescape")
    if cmd == b"STAT":
        await _stat(stream, fs, path)
    elif cmd == b"LIST":
        await _list(stream, fs, path)
    elif cmd == b"SEND":
        await _send(stream, fs, path)
    else:
        await _recv(stream, fs, path)
    return True


async def _stat(stream: Stream, fs: FileSystem, path: str) -> None:
    st = fs.stat(path) or FileStat(0, 0, 0)  # all zeros means "no such file" in v1
    # One WRTE per record: adbutils reads it with a single recv(12) after the id.
    await stream.write(_STAT.pack(b"STAT", st.mode, _u32(st.size), _u32(st.mtime)))


async def _list(stream: Stream, fs: FileSystem, path: str) -> None:
    try:
        entries = fs.listdir(path)
    except FsError as exc:
        # adbd answers an unreadable directory with an empty listing, not FAIL.
        log.debug("sync LIST %s: %s", path, exc.message)
        entries = []
    for name, st in entries:
        raw = name.encode("utf-8", errors="surrogateescape")
        # Each DENT whole in its own WRTE: adbutils reads the 16 fixed bytes with one recv().
        await stream.write(_DENT.pack(b"DENT", st.mode, _u32(st.size), _u32(st.mtime), len(raw)) + raw)
    await stream.write(_DENT.pack(b"DONE", 0, 0, 0, 0))


async def _send(stream: Stream, fs: FileSystem, spec: str) -> None:
    # "path,<decimal st_mode>"; a path may itself contain commas, so split on the last.
    path, sep, mode_text = spec.rpartition(",")
    mode = _DEFAULT_MODE
    if not sep:
        path = spec
    else:
        try:
            mode = int(mode_text) & 0o7777  # FileSystem.write wants permission bits only
        except ValueError:
            raise SyncFailure(f"bad mode in SEND {spec!r}") from None
    chunks: list[bytes] = []
    while True:
        cmd, arg = _REQUEST.unpack(await stream.read_exact(_REQUEST.size))
        if cmd == b"DATA":
            if arg > MAX_CHUNK:
                raise SyncFailure(f"DATA chunk of {arg} bytes exceeds {MAX_CHUNK}")
            chunks.append(await stream.read_exact(arg))
        elif cmd == b"DONE":
            mtime = arg
            break
        else:
            raise SyncFailure(f"unexpected {cmd!r} during SEND")
    try:
        fs.write(path, b"".join(chunks), mode=mode, mtime=mtime)
    except FsError as exc:
        raise SyncFailure(exc.message) from None
    await stream.write(_REQUEST.pack(b"OKAY", 0))


async def _recv(stream: Stream, fs: FileSystem, path: str) -> None:
    try:
        data = fs.read(path)
    except FsError as exc:
        raise SyncFailure(exc.message) from None
    # Batch DATA records up to the stream's WRTE size; Stream.write splits at
    # max_payload, and clients read DATA lengths exactly, so splits are harmless.
    batch = bytearray()
    for offset in range(0, len(data), MAX_CHUNK):
        chunk = data[offset : offset + MAX_CHUNK]
        if batch and len(batch) + _REQUEST.size + len(chunk) > stream.max_payload:
            await stream.write(bytes(batch))  # flush before overflowing: no runt WRTEs
            batch.clear()
        batch += _REQUEST.pack(b"DATA", len(chunk)) + chunk
    batch += _REQUEST.pack(b"DONE", 0)
    await stream.write(bytes(batch))


async def _send_fail(stream: Stream, message: str) -> None:
    log.info("sync FAIL: %s", message)
    raw = message.encode("utf-8", errors="replace")
    with contextlib.suppress(StreamClosed):
        await stream.write(_REQUEST.pack(b"FAIL", len(raw)) + raw)


def _u32(value: int) -> int:
    # v1 records are 32-bit: adbd truncates sizes above 4 GiB the same way.
    return value & 0xFFFFFFFF
