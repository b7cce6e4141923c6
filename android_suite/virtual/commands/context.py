"""What a command sees when it runs: argv, io, env, cwd and the handset services.

Commands are ``async def cmd(ctx: CommandContext) -> int`` functions kept in
a name -> function table (see ``commands/__init__.py``). They write through
``ctx.io`` (already redirected by the shell) and return the exit status.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from android_suite.virtual.api import ServiceLog, ShellIO
from android_suite.virtual.kernel import KernelBackend, ProcessInfo
from android_suite.virtual.profile import Profile
from android_suite.virtual.vfs import VirtualFS, normpath

if TYPE_CHECKING:
    from android_suite.virtual.commands.props import PropertyStore

# Serves one device-local TCP connection (a listener registered with listen_tcp).
TcpHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

ROOT_UID = 0
SHELL_UID = 2000


class HandsetServices(Protocol):
    """The parts of a handset that commands use (VirtualHandset provides them)."""

    @property
    def fs(self) -> VirtualFS: ...

    @property
    def props(self) -> PropertyStore: ...

    @property
    def profile(self) -> Profile: ...

    @property
    def kernel(self) -> KernelBackend: ...

    @property
    def log(self) -> ServiceLog: ...

    @property
    def settings(self) -> dict[str, dict[str, str]]:
        """``settings`` namespaces (system, secure, global) -> key -> value."""
        ...

    def processes(self) -> list[ProcessInfo]:
        """Every process ps shows: userspace and kernel threads."""
        ...

    def request_reboot(self, target: str = "") -> None: ...

    def listen_tcp(self, port: int, handler: TcpHandler) -> None:
        """A device process listens on device-local ``port`` (``tcp:PORT`` reaches it)."""
        ...

    def unlisten_tcp(self, port: int) -> None: ...


class ExitShell(Exception):
    """Raised by ``exit N``: ends the whole ``sh -c`` with that status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class Clocks:
    """Time as the shell and its commands see it (tests inject fast or fake ones).

    Attributes:
        wall: epoch seconds (``date``, ``$EPOCHREALTIME``).
        monotonic: seconds for intervals (``$SECONDS``).
        sleep: how ``sleep`` waits.
    """

    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


@dataclass
class ShellState:
    """Mutable state of one ``sh -c`` process (cd, export and $? change it)."""

    env: dict[str, str] = field(default_factory=dict)
    cwd: str = "/"
    uid: int = SHELL_UID
    status: int = 0
    clocks: Clocks = field(default_factory=Clocks)


CommandFn = Callable[["CommandContext"], Awaitable[int]]
# Runs a command line in a fresh shell with the given io and uid (for su).
NestedRunner = Callable[[str, ShellIO, int], Awaitable[int]]


@dataclass
class CommandContext:
    """One command invocation.

    Attributes:
        argv: the expanded words; ``argv[0]`` is the name as typed.
        io: stdin/stdout/stderr after redirections.
        env: the environment of this command (prefix assignments applied).
        state: the shell's own state (``cd`` changes ``state.cwd``).
        services: the handset.
        run_nested: run a command line in a new shell (``su``).
        table: the command table (``toybox NAME`` dispatches through it).
    """

    argv: list[str]
    io: ShellIO
    env: dict[str, str]
    state: ShellState
    services: HandsetServices
    run_nested: NestedRunner
    table: Mapping[str, CommandFn]

    @property
    def name(self) -> str:
        return self.argv[0].rsplit("/", 1)[-1]

    @property
    def cwd(self) -> str:
        return self.state.cwd

    @property
    def uid(self) -> int:
        return self.state.uid

    def path(self, path: str) -> str:
        return normpath(path, self.state.cwd)

    async def out(self, text: str) -> None:
        await self.io.write_out(text.encode())

    async def err(self, text: str) -> None:
        await self.io.write_err(text.encode())

    async def fail(self, message: str, status: int = 1) -> int:
        """Print ``name: message`` to stderr (the toybox error shape) and return ``status``."""
        await self.err(f"{self.name}: {message}\n")
        return status

    async def unsupported(self, status: int = 1) -> int:
        """Fail loudly on a form this fake does not model, and record it for the tests."""
        line = " ".join(self.argv)
        self.services.log.unknown_commands.append(line)
        await self.err(f"{self.name}: not implemented by the virtual handset: {line}\n")
        return status

    async def read_stdin(self) -> bytes:
        chunks: list[bytes] = []
        while chunk := await self.io.read_stdin():
            chunks.append(chunk)
        return b"".join(chunks)
