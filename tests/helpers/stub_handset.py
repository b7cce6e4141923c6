"""A small in-memory handset for testing the adb endpoint without the real VirtualHandset.

It implements :class:`android_suite.virtual.api.HandsetEndpoint` with a dict
filesystem and a tiny shell that knows only a few commands and fails loudly
(exit 127, "not found" on stderr) on anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from android_suite.virtual.adbd import AdbEndpoint
from android_suite.virtual.api import S_IFDIR, S_IFREG, Faults, FileStat, FsError, ShellIO

DEFAULT_FEATURES = ("shell_v2", "cmd")


@dataclass
class _File:
    data: bytes
    mode: int
    mtime: int


class MemoryFs:
    """Files in a dict; a directory exists when it was made or holds a file."""

    def __init__(self) -> None:
        self.files: dict[str, _File] = {}
        self.dirs: set[str] = {"/"}
        for d in ("/data", "/data/local", "/data/local/tmp", "/sdcard"):
            self.dirs.add(d)

    def stat(self, path: str) -> FileStat | None:
        path = _norm(path)
        if path in self.dirs:
            return FileStat(S_IFDIR | 0o771, 4096, 1_700_000_000)
        f = self.files.get(path)
        return FileStat(S_IFREG | f.mode, len(f.data), f.mtime) if f else None

    def listdir(self, path: str) -> list[tuple[str, FileStat]]:
        path = _norm(path)
        if path not in self.dirs:
            raise FsError("ENOENT", f"{path}: No such file or directory")
        prefix = path.rstrip("/") + "/"
        names = {p[len(prefix) :].split("/")[0] for p in [*self.files, *self.dirs] if p.startswith(prefix)}
        out = []
        for name in sorted(n for n in names if n):
            st = self.stat(prefix + name)
            assert st is not None
            out.append((name, st))
        return out

    def read(self, path: str) -> bytes:
        path = _norm(path)
        if path in self.dirs:
            raise FsError("EISDIR", f"{path}: Is a directory")
        if path not in self.files:
            raise FsError("ENOENT", "open failed: No such file or directory")
        return self.files[path].data

    def write(self, path: str, data: bytes, mode: int = 0o644, mtime: int | None = None) -> None:
        path = _norm(path)
        parent = path.rsplit("/", 1)[0] or "/"
        if parent not in self.dirs:
            raise FsError("ENOENT", f"{parent}: No such file or directory")
        if path in self.dirs:
            raise FsError("EISDIR", f"{path}: Is a directory")
        self.files[path] = _File(bytes(data), mode & 0o7777, int(time.time()) if mtime is None else mtime)


def _norm(path: str) -> str:
    return "/" + "/".join(p for p in path.split("/") if p)


@dataclass
class StubShell:
    """echo, true, false, exit N, sleep N, cat [FILE], mkdir -p; joined by ';' or '&&'; $? works."""

    fs: MemoryFs
    commands: list[str] = field(default_factory=list)
    started: asyncio.Queue[str] | None = None  # set by tests that wait for a command to start
    cancelled: list[str] = field(default_factory=list)

    async def run(self, command: str, io: ShellIO) -> int:
        self.commands.append(command)
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&")
        lexer.whitespace_split = True
        status = 0
        words: list[str] = []
        for token in [*lexer, ";"]:
            if token in (";", "&&"):
                if words:
                    status = await self._one([w.replace("$?", str(status)) for w in words], io)
                words = []
                if token == "&&" and status != 0:
                    break
            else:
                words.append(token)
        return status

    async def _one(self, argv: list[str], io: ShellIO) -> int:
        name, args = argv[0], argv[1:]
        if self.started is not None:
            self.started.put_nowait(" ".join(argv))
        if name == "echo":
            await io.write_out((" ".join(args) + "\n").encode())
            return 0
        if name in ("true", "false"):
            return 0 if name == "true" else 1
        if name == "exit":
            return int(args[0]) if args else 0
        if name == "sleep":
            try:
                await asyncio.sleep(float(args[0]))
            except asyncio.CancelledError:
                self.cancelled.append(" ".join(argv))
                raise
            return 0
        if name == "cat":
            return await self._cat(args, io)
        if name == "mkdir" and args[:1] == ["-p"]:
            for d in args[1:]:
                parts = _norm(d).split("/")
                self.fs.dirs.update("/".join(parts[:i]) or "/" for i in range(2, len(parts) + 1))
            return 0
        await io.write_err(f"/system/bin/sh: {name}: inaccessible or not found\n".encode())
        return 127

    async def _cat(self, args: list[str], io: ShellIO) -> int:
        if not args:
            while data := await io.read_stdin():
                await io.write_out(data)
            return 0
        try:
            await io.write_out(self.fs.read(args[0]))
        except FsError as exc:
            await io.write_err(f"cat: {args[0]}: {exc.message}\n".encode())
            return 1
        return 0


class StubHandset:
    """HandsetEndpoint over MemoryFs/StubShell; device TCP ports map to real loopback ports."""

    def __init__(self, features: tuple[str, ...] = DEFAULT_FEATURES, serial: str = "") -> None:
        self.features = features
        self.serial = serial
        self._fs = MemoryFs()
        self._shell = StubShell(self._fs)
        self.faults = Faults()
        self.tcp_ports: dict[int, int] = {}  # device port -> 127.0.0.1 port
        self.connections: list[Callable[[], None]] = []
        self.reboots: list[str] = []

    @property
    def accepts_adb(self) -> bool:
        return True

    @property
    def banner(self) -> bytes:
        props = "ro.product.name=stub;ro.product.model=StubPhone;ro.product.device=stub;"
        return f"device:{self.serial}:{props}features={','.join(self.features)}".encode()

    @property
    def fs(self) -> MemoryFs:
        return self._fs

    @property
    def shell(self) -> StubShell:
        return self._shell

    async def open_tcp(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        if port not in self.tcp_ports:
            return None
        return await asyncio.open_connection("127.0.0.1", self.tcp_ports[port])

    def register_connection(self, closer: Callable[[], None]) -> Callable[[], None]:
        self.connections.append(closer)
        return lambda: self.connections.remove(closer)

    def request_reboot(self, target: str = "") -> None:
        self.reboots.append(target)
        for closer in list(self.connections):
            closer()


class EndpointThread:
    """Runs an AdbEndpoint on its own event loop in a daemon thread (for blocking clients)."""

    def __init__(self, handset: StubHandset) -> None:
        self.handset = handset
        self.loop = asyncio.new_event_loop()
        self.endpoint = AdbEndpoint(handset)
        self._thread = threading.Thread(target=self.loop.run_forever, name="adbd-stub", daemon=True)

    def start(self, timeout: float = 10) -> int:
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self.endpoint.start(), self.loop).result(timeout)

    def call(self, fn: Callable[[], object], timeout: float = 10) -> object:
        """Run fn on the endpoint's loop (handset state is not thread-safe)."""

        async def wrapper() -> object:
            return fn()

        return asyncio.run_coroutine_threadsafe(wrapper(), self.loop).result(timeout)

    def stop(self, timeout: float = 10) -> None:
        asyncio.run_coroutine_threadsafe(self.endpoint.stop(), self.loop).result(timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        self.loop.close()


@contextlib.contextmanager
def running_endpoint(handset: StubHandset) -> Iterator[EndpointThread]:
    runner = EndpointThread(handset)
    runner.start()
    try:
        yield runner
    finally:
        runner.stop()
