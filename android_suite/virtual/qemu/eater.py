"""The pushed memory eater on a QEMU handset: run the guest's own ``/bin/memeater`` instead of the emulation.

The suite pushes ``memeater`` (built for the handset) and runs it; on a QEMU
handset the same command starts the guest's ``memeater`` (the same C source,
built for the guest by kbuild) with the same options, so the pressure is real
guest memory. Its output is relayed line by line; ``kill -SIG <pid>`` from any
shell reaches it through the emulation's table of running eaters (the pid is
the guest pid the eater prints in its start line); closing the adb stream
kills it. A tiny guest shell wrapper reports the child pid and exit status,
since the agent's spawn is detached and returns no status.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import TYPE_CHECKING

from android_suite.errors import SuiteError

if TYPE_CHECKING:
    from android_suite.virtual.commands.context import CommandContext
    from android_suite.virtual.commands.memeater import _Eater
    from android_suite.virtual.qemu.backend import QemuKernel

POLL_S = 0.1  # how often the log is read back; the eater reports once a second by default
_PID, _EXIT = "::asuite-pid ", "::asuite-exit "
_WRAPPER = f'memeater "$@" & p=$!; echo "{_PID}$p"; wait $p; echo "{_EXIT}$?"'
_SEQ = itertools.count(1)


def guest_kernel(services: object) -> QemuKernel | None:
    """The handset's QemuKernel, if its kernel is one."""
    from android_suite.virtual.qemu.backend import QemuKernel

    kernel = getattr(services, "kernel", None)
    return kernel if isinstance(kernel, QemuKernel) else None


async def run_guest_eater(ctx: CommandContext, kernel: QemuKernel, running: dict[int, _Eater]) -> int:
    """Run ``ctx.argv`` as the guest's memeater; returns its exit status.

    Args:
        running: the emulation's pid -> eater table (``kill`` from any shell sets ``signal`` there).
    """
    from android_suite.virtual.commands.memeater import _Eater

    log = f"/run/memeater-{next(_SEQ)}.log"
    try:
        agent = kernel.agent()
        agent.spawn(["sh", "-c", _WRAPPER, "memeater", *ctx.argv[1:]], log=log)
    except (OSError, SuiteError) as exc:
        await ctx.err(f"memeater: cannot start in the QEMU guest: {exc}\n")
        return 126
    pos, pid, status, sent = 0, 0, None, 0
    eater: _Eater | None = None
    try:
        while status is None:
            try:
                data = agent.read(log)
            except FileNotFoundError:
                data = b""
            end = data.rfind(b"\n") + 1
            for line in data[pos:end].decode(errors="replace").splitlines(keepends=True):
                if line.startswith(_PID):
                    pid = int(line[len(_PID) :])
                    eater = _Eater(pid)
                    running[pid] = eater
                elif line.startswith(_EXIT):
                    status = int(line[len(_EXIT) :])
                else:
                    await ctx.out(line)
            pos = max(pos, end)
            if eater is not None and eater.signal and eater.signal != sent:
                sent = eater.signal
                with contextlib.suppress(ProcessLookupError):
                    agent.kill(pid, sent)
            if status is None:
                await asyncio.sleep(POLL_S)
        return status
    finally:
        if pid:
            running.pop(pid, None)
            if status is None:  # the adb stream closed (cancelled) or the guest went away
                with contextlib.suppress(OSError, SuiteError):
                    agent.kill(pid, 9)
        with contextlib.suppress(OSError, SuiteError):
            agent.exec(["rm", "-f", log], timeout=10.0)
