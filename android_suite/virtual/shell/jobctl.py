"""Job control builtins: wait, kill (this shell's own jobs) and trap."""

from __future__ import annotations

import asyncio
import shlex

from android_suite.virtual.shell.frame import SH, Frame, Job
from android_suite.virtual.shell.io import Fds
from android_suite.virtual.shell.runner import Runner

SIGNALS = {"EXIT": 0, "HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12}
SIGNALS |= {"PIPE": 13, "ALRM": 14, "TERM": 15, "CHLD": 17, "CONT": 18, "STOP": 19}
_NUMBERS = {n: name for name, n in SIGNALS.items()}


async def _err(fds: Fds, text: str) -> None:
    await fds.out[2](f"{SH}: {text}\n".encode())


async def _unsupported(runner: Runner, fds: Fds, argv: list[str]) -> int:
    line = shlex.join(argv)
    runner.services.log.unknown_commands.append(line)
    await _err(fds, f"{argv[0]}: not implemented by the virtual handset: {line}")
    return 2


def signal_name(spec: str) -> str | None:
    """ "TERM", "SIGTERM", "15" -> "TERM"; None if unknown."""
    spec = spec.upper()
    if spec.isdigit():
        return _NUMBERS.get(int(spec))
    spec = spec.removeprefix("SIG")
    return spec if spec in SIGNALS else None


async def _job_status(job: Job) -> int:
    await asyncio.wait({job.task})
    if job.task.cancelled():
        return 128 + (job.signal or 15)
    if job.task.exception() is not None:
        return 1
    return job.task.result()


async def wait(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    jobs = f.session.jobs
    if len(argv) == 1:
        for job in list(jobs.values()):
            await _job_status(job)
        return 0
    status = 0
    for arg in argv[1:]:
        found = jobs.get(int(arg)) if arg.isdigit() else None
        if found is None:
            await _err(fds, f"wait: {arg}: no such job")  # mksh j_lookup's message
            status = 127
            continue
        status = await _job_status(found)
    return status


async def kill(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    args = argv[1:]
    number = SIGNALS["TERM"]
    if args and args[0] == "-s" and len(args) > 1:
        args = ["-" + args[1], *args[2:]]
    if args and args[0].startswith("-") and args[0] != "-":
        name = signal_name(args[0][1:])
        if name is None:
            return await _unsupported(runner, fds, argv)
        number, args = SIGNALS[name], args[1:]
    jobs = f.session.jobs
    if not args or not all(a.isdigit() and int(a) in jobs for a in args):
        # Only this shell's own jobs are modelled here; other pids are the framework model's
        # business (a `kill` command in the table), or not modelled at all (loud).
        if "kill" in runner.table and not any(a.isdigit() and int(a) in jobs for a in args):
            return await runner.run_external(argv, [], f, fds)
        return await _unsupported(runner, fds, argv)
    status = 0
    for arg in args:
        target = jobs[int(arg)]
        if number == 0:
            status = status or (0 if not target.task.done() else 1)
        elif target.task.done():
            await _err(fds, f"kill: {arg}: No such process")
            status = 1
        else:
            target.signal = number
            target.task.cancel()
    return status


async def trap(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    args = argv[1:]
    if not args:
        listing = "".join(f"trap -- {shlex.quote(cmd)} {sig}\n" for sig, cmd in f.traps.items())
        await fds.out[1](listing.encode())
        return 0
    action, signals = args[0], args[1:]
    if signal_name(action) is not None and action.isdigit():
        action, signals = "-", args  # `trap 1 2`: reset those
    status = 0
    for spec in signals:
        name = signal_name(spec)
        if name is None:
            await _err(fds, f"trap: bad signal '{spec}'")
            status = 1
        elif action == "-":
            f.traps.pop(name, None)
        else:
            f.traps[name] = action  # '' ignores the signal
    return status
