"""The interpreter: runs a parsed command line against the command table (``sh -c``)."""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Mapping

from android_suite.virtual.api import FsError, ShellIO
from android_suite.virtual.commands import default_commands
from android_suite.virtual.commands.context import (
    ROOT_UID,
    SHELL_UID,
    CommandContext,
    CommandFn,
    ExitShell,
    HandsetServices,
    ShellState,
)
from android_suite.virtual.shell.expand import Lookup, expand_value, expand_word
from android_suite.virtual.shell.io import BufferIO, FileSink, Reader, RoutedIO, Writer, bytes_reader
from android_suite.virtual.shell.parser import (
    AndOr,
    Command,
    Pipeline,
    ShellSyntaxError,
    Unsupported,
    parse,
)
from android_suite.virtual.vfs import normpath

SH = "/system/bin/sh"
# Where a command given by path is still one of ours (`/system/bin/getprop`).
_BIN_DIRS = frozenset({"/system/bin", "/system/xbin", "/vendor/bin", "/bin", "/sbin", "/product/bin"})
_PID = 4242  # $$: a fixed pid keeps transcripts reproducible

# The environment adbd gives `adb shell` on Android 14.
BASE_ENV = {
    "PATH": "/product/bin:/apex/com.android.runtime/bin:/apex/com.android.art/bin:/system_ext/bin:"
    "/system/bin:/system/xbin:/odm/bin:/vendor/bin:/vendor/xbin",
    "HOME": "/",
    "HOSTNAME": "localhost",
    "SHELL": "/bin/sh",
    "TMPDIR": "/data/local/tmp",
    "ANDROID_DATA": "/data",
    "ANDROID_ROOT": "/system",
    "EXTERNAL_STORAGE": "/sdcard",
    "ANDROID_STORAGE": "/storage",
}


def _strerror(exc: FsError) -> str:
    return exc.message.rpartition(": ")[2]


class VirtualShell:
    """``sh -c COMMAND`` for a virtual handset (implements ``api.Shell``).

    Each :meth:`run` is a new shell process: fresh variables, cwd ``/``, and
    the uid adbd runs as (0 on a profile with ``adbd_root``, else 2000).
    Every line is logged in ``services.log.shell_commands``; unknown commands
    and unsupported syntax are logged in ``unknown_commands`` and fail loudly.

    Args:
        services: the handset.
        table: the command table (default: :func:`default_commands`).
    """

    def __init__(self, services: HandsetServices, table: Mapping[str, CommandFn] | None = None) -> None:
        self._services = services
        self.table: dict[str, CommandFn] = dict(table) if table is not None else default_commands()

    async def run(self, command: str, io: ShellIO) -> int:
        self._services.log.shell_commands.append(command)
        uid = ROOT_UID if self._services.profile.adbd_root else SHELL_UID
        return await self.run_as(command, io, uid)

    async def run_as(self, command: str, io: ShellIO, uid: int) -> int:
        """Run without logging the line again (``su`` runs its command this way)."""
        try:
            script = parse(command)
        except ShellSyntaxError as exc:
            await io.write_err(f"{SH}: {exc}\n".encode())
            return 2
        except Unsupported as exc:
            self._services.log.unknown_commands.append(command)
            await io.write_err(f"{SH}: not implemented by the virtual handset: {exc}\n".encode())
            return 2
        env = dict(BASE_ENV, USER="root" if uid == ROOT_UID else "shell")
        state = ShellState(env=env, cwd="/", uid=uid)
        try:
            for and_or in script:
                await self._and_or(and_or, state, io)
        except ExitShell as exc:
            return exc.status
        except Unsupported as exc:  # found while running (a redirection of fd 3, ...)
            self._services.log.unknown_commands.append(command)
            await io.write_err(f"{SH}: not implemented by the virtual handset: {exc}\n".encode())
            return 2
        return state.status

    async def _and_or(self, items: AndOr, state: ShellState, io: ShellIO) -> None:
        for connector, pipeline in items:
            # `a && b || c`: skip a stage whose condition fails; $? carries over.
            if (connector == "&&" and state.status != 0) or (connector == "||" and state.status == 0):
                continue
            state.status = await self._pipeline(pipeline, state, io)

    async def _pipeline(self, commands: Pipeline, state: ShellState, io: ShellIO) -> int:
        stdin: Reader = io.read_stdin
        status = 0
        for index, cmd in enumerate(commands):
            if index == len(commands) - 1:
                # Like ksh, mksh runs the last stage in the current shell (so `cd` there sticks).
                return await self._simple(cmd, state, stdin, io.write_out, io.write_err)
            buffer = BufferIO()
            sub = ShellState(env=dict(state.env), cwd=state.cwd, uid=state.uid, status=state.status)
            try:
                status = await self._simple(cmd, sub, stdin, buffer.write_out, io.write_err)
            except ExitShell as exc:
                status = exc.status  # `exit` in a pipe stage ends only that subshell
            stdin = bytes_reader(bytes(buffer.stdout))
        return status

    def _lookup(self, state: ShellState) -> Lookup:
        special = {"?": str(state.status), "$": str(_PID), "#": "0", "0": SH}

        def lookup(name: str) -> str | None:
            return special[name] if name in special else state.env.get(name)

        return lookup

    def _resolve(self, name: str) -> CommandFn | None:
        if "/" in name:
            folder, base = posixpath.split(name)
            return self.table.get(base) if folder in _BIN_DIRS else None
        return self.table.get(name)

    async def _simple(self, cmd: Command, state: ShellState, stdin: Reader, out: Writer, err: Writer) -> int:
        fs = self._services.fs
        lookup = self._lookup(state)
        argv = [f for word in cmd.words for f in expand_word(word, lookup, fs, state.cwd)]
        assigns = {name: expand_value(word, lookup) for name, word in cmd.assigns}
        fds: dict[int, Writer] = {1: out, 2: err}
        sinks: list[FileSink] = []
        for redirect in cmd.redirects:
            target = " ".join(expand_word(redirect.target, lookup, fs, state.cwd))
            if redirect.fd not in (0, 1, 2):
                raise Unsupported(f"redirection of fd {redirect.fd}")
            if redirect.op == ">&" and target in ("1", "2"):
                fds[redirect.fd] = fds[int(target)]  # 2>&1: share the current stdout
            elif redirect.op in (">", ">>", ">&"):
                sink = FileSink(fs, normpath(target, state.cwd), append=redirect.op == ">>")
                try:
                    sink.open()
                except FsError as exc:
                    await err(f"{SH}: can't create {target}: {_strerror(exc)}\n".encode())
                    return 1
                sinks.append(sink)
                for fd in (1, 2) if redirect.op == ">&" else (redirect.fd,):
                    fds[fd] = sink.write
            elif redirect.op == "<":
                try:
                    stdin = bytes_reader(fs.read(normpath(target, state.cwd)))
                except FsError as exc:
                    await err(f"{SH}: can't open {target}: {_strerror(exc)}\n".encode())
                    return 1
            else:
                raise Unsupported(f"redirection '{redirect.op}{target}'")
        if not argv:
            state.env.update(assigns)  # `A=1` alone sets a shell variable
            status = 0
        else:
            status = await self._exec(argv, assigns, state, RoutedIO(stdin, fds[1], fds[2]))
        for sink in sinks:
            failure = sink.close()
            if failure is not None:
                name = argv[0] if argv else SH
                await err(f"{SH}: {name}: write error: {_strerror(failure)}\n".encode())
                status = status or 1
        return status

    async def _exec(self, argv: list[str], assigns: dict[str, str], state: ShellState, io: RoutedIO) -> int:
        fn = self._resolve(argv[0])
        if fn is None:
            # Loud by design: the suite must not rely on a command the fake lacks.
            self._services.log.unknown_commands.append(shlex.join(argv))
            await io.write_err(f"{SH}: {argv[0]}: inaccessible or not found\n".encode())
            return 127
        ctx = CommandContext(
            argv=argv,
            io=io,
            env={**state.env, **assigns},
            state=state,
            services=self._services,
            run_nested=self.run_as,
            table=self.table,
        )
        return await fn(ctx)
