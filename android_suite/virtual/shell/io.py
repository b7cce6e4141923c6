"""ShellIO implementations: an in-memory one for tests and pipes, and redirection plumbing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from android_suite.virtual.api import FsError, ShellIO
from android_suite.virtual.vfs import VirtualFS


class BufferIO:
    """In-memory ShellIO: stdin from bytes, stdout/stderr collected.

    Handy in tests (``io.out``, ``io.err``) and as the buffer between the
    stages of a pipe (the stages run one after another).
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


__all__ = ["BufferIO", "FileSink", "RoutedIO", "ShellIO", "bytes_reader"]
