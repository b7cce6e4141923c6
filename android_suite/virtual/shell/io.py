"""ShellIO implementations, pipes between concurrent stages, and redirection plumbing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from android_suite.virtual.api import FsError, ShellIO
from android_suite.virtual.vfs import VirtualFS


class BufferIO:
    """In-memory ShellIO: stdin from bytes, stdout/stderr collected.

    Handy in tests (``io.out``, ``io.err``) and to capture ``$(...)``.
    """

    def __init__(self, stdin: bytes = b"") -> None:
        self.stdout = bytearray()
        self.stderr = bytearray()
        self._stdin = stdin

    async def write_out(self, data: bytes) -> None:
        self.stdout += data

    async def write_err(self, data: bytes) -> None:
        self.stderr += data

    async def read_stdin(self, n: int = 65536) -> bytes:
        chunk, self._stdin = self._stdin[:n], self._stdin[n:]
        return chunk

    @property
    def out(self) -> str:
        return self.stdout.decode(errors="replace")

    @property
    def err(self) -> str:
        return self.stderr.decode(errors="replace")


Writer = Callable[[bytes], Awaitable[None]]
Reader = Callable[[int], Awaitable[bytes]]


class FileSink:
    """``> path`` / ``>> path``: output collected, written to the vfs when the command ends.

    Buffering whole output is fine for a fake; it also means a knob file sees
    one write, as ``echo 1 > knob`` gives it on a device.
    """

    def __init__(self, fs: VirtualFS, path: str, *, append: bool) -> None:
        self._fs = fs
        self._path = path
        self._append = append
        self._data = bytearray()
        self._touched = False

    def open(self) -> None:
        """Check at open time, like open(2): errors come before the command runs."""
        self._fs.check_writable(self._path)
        if not self._append and self._fs.stat(self._path) is None:
            # `> f` creates f even if the command prints nothing.
            self._fs.write(self._path, b"")

    async def write(self, data: bytes) -> None:
        self._data += data
        self._touched = True

    def close(self) -> FsError | None:
        try:
            if self._append:
                if self._touched:
                    self._fs.append(self._path, bytes(self._data))
            elif self._touched:
                self._fs.write(self._path, bytes(self._data))
            else:
                # Nothing written: O_TRUNC empties a regular file; a knob (size 0) sees no write.
                found = self._fs.stat(self._path)
                if found is not None and found.size > 0:
                    self._fs.write(self._path, b"")
        except FsError as exc:
            return exc
        return None


class RoutedIO:
    """The ShellIO a command sees once its redirections are applied."""

    def __init__(self, stdin: Reader, out: Writer, err: Writer) -> None:
        self._stdin = stdin
        self._out = out
        self._err = err

    async def write_out(self, data: bytes) -> None:
        await self._out(data)

    async def write_err(self, data: bytes) -> None:
        await self._err(data)

    async def read_stdin(self, n: int = 65536) -> bytes:
        return await self._stdin(n)


def bytes_reader(data: bytes) -> Reader:
    """A stdin that yields ``data`` then EOF (``< file``, the previous pipe stage)."""
    remaining = [data]

    async def read(n: int) -> bytes:
        chunk, remaining[0] = remaining[0][:n], remaining[0][n:]
        return chunk

    return read


class BrokenPipe(Exception):
    """A write to a pipe nobody reads any more: what SIGPIPE does to a real stage."""


class Pipe:
    """``a | b``: a bounded byte pipe between two concurrently running stages.

    Bounded like a kernel pipe (64 KiB), so an endless producer waits for its
    consumer instead of filling memory, and gets :class:`BrokenPipe` once the
    consumer has gone (``yes | head -1`` ends).
    """

    def __init__(self, capacity: int = 65536) -> None:
        self._buf = bytearray()
        self._capacity = capacity
        self._write_closed = False
        self._read_closed = False
        self._changed = asyncio.Event()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._read_closed:
                raise BrokenPipe
            room = self._capacity - len(self._buf)
            if room <= 0:
                await self._changed.wait()
                continue
            self._buf += view[:room]
            view = view[room:]
            self._notify()

    async def read(self, n: int = 65536) -> bytes:
        while not self._buf:
            if self._write_closed or self._read_closed:
                return b""
            await self._changed.wait()
        chunk = bytes(self._buf[:n])
        del self._buf[:n]
        self._notify()
        return chunk

    def close_write(self) -> None:
        self._write_closed = True
        self._notify()

    def close_read(self) -> None:
        self._read_closed = True
        self._buf.clear()
        self._notify()


class InStream:
    """A shell's stdin: reads pass through, but ``read`` (the builtin) can leave bytes
    behind for the next command, as reading a pipe byte by byte does on a device."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._buf = b""
        self._eof = False

    async def read(self, n: int = 65536) -> bytes:
        if self._buf:
            chunk, self._buf = self._buf[:n], self._buf[n:]
            return chunk
        if self._eof:
            return b""
        data = await self._reader(n)
        self._eof = not data
        return data

    async def readline(self) -> tuple[bytes, bool]:
        """One line without its newline, and whether a newline ended it (False at EOF)."""
        while b"\n" not in self._buf and not self._eof:
            chunk = await self._reader(65536)
            self._eof = not chunk
            self._buf += chunk
        line, newline, self._buf = self._buf.partition(b"\n")
        return line, bool(newline)


def empty_stdin() -> InStream:
    """``/dev/null``: what a background job reads (no job control in ``sh -c``)."""
    return InStream(bytes_reader(b""))


@dataclass
class Fds:
    """The open file descriptors of a shell: stdin and the output fds (1, 2)."""

    stdin: InStream
    out: dict[int, Writer] = field(default_factory=dict)

    def copy(self) -> Fds:
        return Fds(self.stdin, dict(self.out))

    def io(self) -> RoutedIO:
        return RoutedIO(self.stdin.read, self.out[1], self.out[2])


__all__ = [
    "BrokenPipe",
    "BufferIO",
    "Fds",
    "FileSink",
    "InStream",
    "Pipe",
    "RoutedIO",
    "ShellIO",
    "bytes_reader",
    "empty_stdin",
]
