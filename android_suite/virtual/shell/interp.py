"""The shell process: ``sh -c COMMAND`` from parse to exit, traps and background jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from android_suite.virtual.api import ShellIO
from android_suite.virtual.commands import default_commands
from android_suite.virtual.commands.context import (
    ROOT_UID,
    SHELL_UID,
    Clocks,
    CommandFn,
    ExitShell,
    HandsetServices,
    ShellState,
)
from android_suite.virtual.shell.builtins import BUILTINS
from android_suite.virtual.shell.expand import ExpansionError
from android_suite.virtual.shell.frame import SH, Frame, Session
from android_suite.virtual.shell.io import Fds, InStream
from android_suite.virtual.shell.nodes import Body, ShellSyntaxError, Unsupported
from android_suite.virtual.shell.parser import parse
from android_suite.virtual.shell.redirs import close_sinks
from android_suite.virtual.shell.runner import Runner

log = logging.getLogger(__name__)

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
# How long traps may run once the host has closed the stream (their output goes nowhere).
_HANGUP_GRACE_S = 1.0


class VirtualShell:
    """``sh -c COMMAND`` for a virtual handset (implements ``api.Shell``).

    Each :meth:`run` is a new shell process: fresh variables, cwd ``/``, and
    the uid adbd runs as (0 on a profile with ``adbd_root``, else 2000).
    Every line is logged in ``services.log.shell_commands``; unknown commands
    and unsupported syntax are logged in ``unknown_commands`` and fail loudly.

    Cancelling the task that runs :meth:`run` (the adb endpoint does so when
    the host closes the stream) stops the script at its next await, runs its
    HUP and EXIT traps briefly, and cancels its background jobs.

    Args:
        services: the handset.
        table: the command table (default: :func:`default_commands`).
        clocks: time for ``sleep``, ``date``, ``$EPOCHREALTIME``, ``$SECONDS`` (tests inject fast ones).
    """

    def __init__(
        self,
        services: HandsetServices,
        table: Mapping[str, CommandFn] | None = None,
        clocks: Clocks | None = None,
    ) -> None:
        self._services = services
        self.table: dict[str, CommandFn] = dict(table) if table is not None else default_commands()
        self.clocks = clocks if clocks is not None else Clocks()
        self._runner = Runner(services, self.table, BUILTINS, self.run_as, self._sh_c)

    async def run(self, command: str, io: ShellIO) -> int:
        self._services.log.shell_commands.append(command)
        uid = ROOT_UID if self._services.profile.adbd_root else SHELL_UID
        return await self.run_as(command, io, uid)

    async def run_as(self, command: str, io: ShellIO, uid: int) -> int:
        """Run without logging the line again (``su`` runs its command this way)."""
        env = dict(BASE_ENV, USER="root" if uid == ROOT_UID else "shell")
        state = ShellState(env=env, cwd="/", uid=uid, clocks=self.clocks)
        fds = Fds(InStream(io.read_stdin), {1: io.write_out, 2: io.write_err})
        return await self._run_script(command, state, fds, [], SH)

    async def _sh_c(self, parent: Frame, argv: list[str], fds: Fds) -> int:
        """``sh -c SCRIPT [ARG0 [ARGS...]]`` run from a script: a child shell with positional parameters."""
        state = ShellState(env=dict(parent.state.env), cwd=parent.state.cwd, uid=parent.state.uid, clocks=self.clocks)
        arg0 = argv[3] if len(argv) > 3 else SH
        return await self._run_script(argv[2], state, fds, argv[4:], arg0)

    async def _run_script(self, source: str, state: ShellState, fds: Fds, params: list[str], arg0: str) -> int:
        err = fds.out[2]
        try:
            script = parse(source)
        except ShellSyntaxError as exc:
            await err(f"{SH}: {exc}\n".encode())
            return 2
        except Unsupported as exc:
            return await self._unsupported(source, exc, fds)
        session = Session(clocks=self.clocks, started=self.clocks.monotonic(), outputs=(fds.out[1], fds.out[2]))
        f = Frame(state=state, session=session, fds=fds, params=params, arg0=arg0)
        try:
            status = await self._main(script, f, source)
            status = await self._exit_trap(f, status)
            await self._wait_attached_jobs(f)
            return status
        except asyncio.CancelledError:
            await self._hangup(f)
            raise
        finally:
            await self._stop_jobs(f)
            await close_sinks(session.sinks, err, SH)

    async def _main(self, script: Body, f: Frame, source: str) -> int:
        try:
            return await self._runner.run_body(script, f)
        except ExitShell as exc:
            return exc.status
        except ExpansionError as exc:
            # Non-interactive mksh exits on an expansion error ($((1/0)), ${X:?}).
            await f.fds.out[2](f"{SH}: {exc}\n".encode())
            return 1
        except Unsupported as exc:  # found while running (a redirection of fd 3, ...)
            return await self._unsupported(source, exc, f.fds)

    async def _unsupported(self, source: str, exc: Unsupported, fds: Fds) -> int:
        self._services.log.unknown_commands.append(source)
        await fds.out[2](f"{SH}: not implemented by the virtual handset: {exc}\n".encode())
        return 2

    async def _run_trap(self, f: Frame, name: str, status: int) -> int:
        action = f.traps.pop(name, "")
        if not action:
            return status
        f.state.status = status
        try:
            await self._runner.run_body(parse(action), f)
        except ExitShell as exc:
            return exc.status
        except (ShellSyntaxError, Unsupported, ExpansionError) as exc:
            await f.fds.out[2](f"{SH}: {exc}\n".encode())
        return status

    async def _exit_trap(self, f: Frame, status: int) -> int:
        f.traps.pop("HUP", None)
        return await self._run_trap(f, "EXIT", status)

    async def _hangup(self, f: Frame) -> None:
        """The host closed the stream: the shell gets SIGHUP; HUP then EXIT traps run, bounded."""
        if not (f.traps.get("HUP") or f.traps.get("EXIT")):
            return

        async def traps() -> None:
            status = await self._run_trap(f, "HUP", 128 + 1)
            await self._run_trap(f, "EXIT", status)

        task = asyncio.ensure_future(traps())
        await asyncio.wait({task}, timeout=_HANGUP_GRACE_S)
        if not task.done():
            task.cancel()
            await asyncio.wait({task})
        elif not task.cancelled() and task.exception() is not None:
            log.debug("trap after hangup failed: %r", task.exception())

    async def _wait_attached_jobs(self, f: Frame) -> None:
        """adbd ends the session when the output pipes close: jobs still holding them delay it."""
        for job in list(f.session.jobs.values()):
            if job.attached and not job.task.done():
                await asyncio.wait({job.task})
            elif not job.task.done():
                # Detached daemons (`nohup cmd >f 2>&1 &`) would outlive `adb shell` on a phone;
                # the fake has no process table for them, so it stops them and says so.
                self._services.log.unknown_commands.append(f"background job {job.pid} outliving the shell")
                log.warning("background job %d would outlive the shell; stopping it", job.pid)

    async def _stop_jobs(self, f: Frame) -> None:
        tasks = [job.task for job in f.session.jobs.values() if not job.task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        for job in f.session.jobs.values():
            if job.task.done() and not job.task.cancelled() and job.task.exception() is not None:
                log.error("background job %d raised", job.pid, exc_info=job.task.exception())
