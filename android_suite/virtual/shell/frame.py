"""The state of one running shell: variables, positional parameters, fds, jobs, traps.

A :class:`Session` is one ``sh -c`` process tree (its background jobs and
clocks); a :class:`Frame` is one shell in it: the top level, or a subshell
(``( ... )``, a pipe stage, ``$(...)``, a background job) forked from it.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from android_suite.virtual.commands.context import Clocks, ShellState
from android_suite.virtual.shell.io import Fds, FileSink, Writer
from android_suite.virtual.shell.nodes import Node

SH = "/system/bin/sh"
SHELL_PID = 4242  # $$: a fixed pid keeps transcripts reproducible
ADBD_PID = 980  # $PPID: adbd spawned the shell (VirtualHandset lists adbd as pid 980)
# mksh R50+ (Android 7+) computes these on every read.
DYNAMIC_VARS = frozenset(["EPOCHREALTIME", "RANDOM", "SECONDS", "PPID", "BASHPID"])


class LoopControl(Exception):
    """``break N`` / ``continue N``: unwinds ``count`` enclosing loops."""

    def __init__(self, count: int, *, is_break: bool) -> None:
        super().__init__(count)
        self.count = count
        self.is_break = is_break


class ReturnFromFunction(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Job:
    """A background job (``cmd &``); ``$!`` is its pid."""

    pid: int
    task: asyncio.Task[int]
    attached: bool  # still writes to the session's stdout/stderr (adbd waits for it)
    signal: int = 0  # set by kill: the status becomes 128 + signal


@dataclass
class Session:
    clocks: Clocks
    started: float
    rng: random.Random = field(default_factory=random.Random)
    jobs: dict[int, Job] = field(default_factory=dict)
    next_pid: int = SHELL_PID + 1
    sinks: list[FileSink] = field(default_factory=list)  # `exec >file`: closed at the end
    outputs: tuple[Writer, ...] = ()  # the session's own stdout/stderr (what adbd reads)

    def new_pid(self) -> int:
        pid = self.next_pid
        self.next_pid += 1
        return pid


@dataclass
class Frame:
    """One shell. ``state`` is what table commands see (env, cwd, uid, $?)."""

    state: ShellState
    session: Session
    fds: Fds
    params: list[str] = field(default_factory=list)
    arg0: str = SH
    pid: int = SHELL_PID
    funcs: dict[str, Node] = field(default_factory=dict)
    traps: dict[str, str] = field(default_factory=dict)
    errexit: bool = False  # set -e
    nounset: bool = False  # set -u
    pipefail: bool = False  # set -o pipefail (mksh has it)
    guard: int = 0  # > 0 inside if/while conditions and && || operands: set -e is off there
    loop_depth: int = 0
    locals: list[dict[str, str | None]] = field(default_factory=list)  # per function call
    last_bg: int | None = None
    cmdsub_status: int | None = None  # $? of the last $(...) (for `x=$(false)`)

    def fork(self, fds: Fds | None = None) -> Frame:
        """A subshell: copies of variables, cwd, functions; traps reset; same session."""
        state = ShellState(
            env=dict(self.state.env),
            cwd=self.state.cwd,
            uid=self.state.uid,
            status=self.state.status,
            clocks=self.state.clocks,
        )
        return Frame(
            state=state,
            session=self.session,
            fds=fds if fds is not None else self.fds.copy(),
            params=list(self.params),
            arg0=self.arg0,
            pid=self.pid,
            funcs=dict(self.funcs),
            errexit=self.errexit,
            nounset=self.nounset,
            pipefail=self.pipefail,
            last_bg=self.last_bg,
        )

    # -- variables -------------------------------------------------------------
    def get(self, name: str) -> str | None:
        value = self.state.env.get(name)
        if value is not None or (len(name) > 1 and name not in DYNAMIC_VARS and not name.isdigit()):
            return value
        return self._special(name)

    def _special(self, name: str) -> str | None:
        if name.isdigit():
            index = int(name)
            if index == 0:
                return self.arg0
            return self.params[index - 1] if index <= len(self.params) else None
        clocks = self.session.clocks
        special: dict[str, str | None] = {
            "?": str(self.state.status),
            "$": str(SHELL_PID),
            "#": str(len(self.params)),
            "!": str(self.last_bg) if self.last_bg is not None else None,
            "-": ("e" if self.errexit else "") + ("u" if self.nounset else ""),
            "@": " ".join(self.params),
            "*": " ".join(self.params),
        }
        if name in special:
            return special[name]
        if name == "EPOCHREALTIME":
            micros = round(clocks.wall() * 1_000_000)
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"  # mksh: "%u.%06u"
        if name == "RANDOM":
            return str(self.session.rng.randrange(32768))
        if name == "SECONDS":
            return str(int(clocks.monotonic() - self.session.started))
        if name == "PPID":
            return str(ADBD_PID)
        if name == "BASHPID":
            return str(self.pid)
        return None

    def set(self, name: str, value: str) -> None:
        if name == "SECONDS" and value.lstrip("-").isdigit():
            # Assigning SECONDS restarts the count from that value, as in mksh.
            self.session.started = self.session.clocks.monotonic() - int(value)
            return
        if name == "RANDOM" and value.lstrip("-").isdigit():
            self.session.rng.seed(int(value))
            return
        self.state.env[name] = value

    def unset(self, name: str) -> None:
        self.state.env.pop(name, None)

    def make_local(self, name: str) -> None:
        if self.locals and name not in self.locals[-1]:
            self.locals[-1][name] = self.state.env.get(name)

    def positional(self) -> list[str]:
        return self.params

    @property
    def cwd(self) -> str:
        return self.state.cwd
