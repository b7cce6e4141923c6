"""Pipelines (stages run concurrently), compound commands, and background jobs."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from android_suite.virtual.commands.context import ExitShell
from android_suite.virtual.shell.expand import ExpansionError, expand_pattern, expand_value, expand_word
from android_suite.virtual.shell.frame import SH, Frame, Job, LoopControl
from android_suite.virtual.shell.io import BrokenPipe, Fds, InStream, Pipe, empty_stdin
from android_suite.virtual.shell.nodes import AndOr, Body, Case, For, Group, If, Item, Loop, Node
from android_suite.virtual.shell.redirs import holds_output

if TYPE_CHECKING:
    from android_suite.virtual.shell.runner import Runner

SIGPIPE_STATUS = 141  # 128 + SIGPIPE: a stage whose reader went away


async def run_pipe(runner: Runner, commands: list[Node], f: Frame) -> int:
    pipes = [Pipe() for _ in commands[:-1]]
    tasks: list[asyncio.Task[int]] = []
    for index, node in enumerate(commands[:-1]):
        stdin = InStream(pipes[index - 1].read) if index else f.fds.stdin
        sub = f.fork(Fds(stdin, {**f.fds.out, 1: pipes[index].write}))
        reader = pipes[index - 1] if index else None
        tasks.append(asyncio.ensure_future(_stage(runner, node, sub, pipes[index], reader)))
    saved = f.fds
    # Like ksh, mksh runs the last stage in the current shell (so `cd` or `read` there sticks).
    f.fds = Fds(InStream(pipes[-1].read), dict(saved.out))
    results: list[int | BaseException] = []
    try:
        last = await runner.run_node(commands[-1], f)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
    finally:
        f.fds = saved
        pipes[-1].close_read()  # upstream writers now get SIGPIPE
        results = list(await asyncio.gather(*tasks, return_exceptions=True))
    statuses: list[int] = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        statuses.append(result)
    statuses.append(last)
    if f.pipefail:
        return next((s for s in reversed(statuses) if s), 0)
    return last


async def _stage(runner: Runner, node: Node, sub: Frame, out: Pipe, reader: Pipe | None) -> int:
    try:
        return await runner.run_node(node, sub)
    except BrokenPipe:
        return SIGPIPE_STATUS
    except ExitShell as exc:
        return exc.status  # `exit` in a pipe stage ends only that subshell
    except ExpansionError as exc:
        await sub.fds.out[2](f"{SH}: {exc}\n".encode())
        return 1
    except LoopControl:
        return 0
    finally:
        out.close_write()
        if reader is not None:
            reader.close_read()


# -- commands ------------------------------------------------------------------


async def run_compound(runner: Runner, node: If | Loop | For | Case | Group, f: Frame) -> int:
    if isinstance(node, If):
        for cond, then in node.clauses:
            if await condition(runner, cond, f) == 0:
                return await runner.run_body(then, f)
        return await runner.run_body(node.otherwise, f) if node.otherwise is not None else 0
    if isinstance(node, Loop | For):
        return await _loop(runner, node, f)
    if isinstance(node, Case):
        env = runner.env(f)
        value = await expand_value(node.word, env)
        for arm in node.arms:
            for pattern in arm.patterns:
                if (await expand_pattern(pattern, env)).fullmatch(value):
                    return await runner.run_body(arm.body, f) if arm.body else 0
        return 0
    if node.subshell:
        return await runner.run_subshell(node.body, f.fork())
    return await runner.run_body(node.body, f)


async def condition(runner: Runner, body: Body, f: Frame) -> int:
    f.guard += 1
    try:
        return await runner.run_body(body, f)
    finally:
        f.guard -= 1


async def _loop(runner: Runner, node: Loop | For, f: Frame) -> int:
    status = 0
    values: list[str] = []
    if isinstance(node, For):
        env = runner.env(f)
        if node.words is None:
            values = list(f.params)
        else:
            values = [v for word in node.words for v in await expand_word(word, env)]
    f.loop_depth += 1
    try:
        index = 0
        while True:
            # One trip through the event loop per iteration: other connections keep being
            # served, and a cancelled command stops here.
            await asyncio.sleep(0)
            if isinstance(node, For):
                if index >= len(values):
                    break
                f.set(node.name, values[index])
                index += 1
            elif (await condition(runner, node.cond, f) == 0) == node.until:
                break
            try:
                status = await runner.run_body(node.body, f)
            except LoopControl as ctl:
                status = 0
                if ctl.count > 1:
                    ctl.count -= 1
                    raise
                if ctl.is_break:
                    break
    finally:
        f.loop_depth -= 1
    return status


def spawn(runner: Runner, and_or: AndOr, f: Frame) -> None:
    """``cmd &``: a subshell task; its stdin is /dev/null (no job control in ``sh -c``)."""
    session = f.session
    sub = f.fork(Fds(empty_stdin(), dict(f.fds.out)))
    sub.pid = pid = session.new_pid()

    async def job() -> int:
        try:
            return await runner.run_subshell([Item(and_or)], sub)
        except BrokenPipe:
            return SIGPIPE_STATUS
        except asyncio.CancelledError:
            signal = session.jobs[pid].signal
            if signal:
                return 128 + signal  # killed by `kill`: a status, not an error
            raise

    attached = holds_output(and_or, f.fds, session.outputs)
    session.jobs[pid] = Job(pid, asyncio.ensure_future(job()), attached)
    f.last_bg = pid
