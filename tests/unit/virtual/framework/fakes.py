"""Fakes for the framework tests: a scriptable memory model, a clock, a direct command runner."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from android_suite.virtual.api import ServiceLog
from android_suite.virtual.commands import am, dumpsys, input, logcat, monkey, pm
from android_suite.virtual.commands.context import CommandContext, CommandFn, ShellState
from android_suite.virtual.framework import FlatMemory, Framework
from android_suite.virtual.memory_api import KillEvent, TouchResult
from android_suite.virtual.profile import load_profile

TABLE: dict[str, CommandFn] = {**am.COMMANDS, **pm.COMMANDS, **dumpsys.COMMANDS, **input.COMMANDS}
TABLE |= {**logcat.COMMANDS, **monkey.COMMANDS}


class FakeClock:
    """Seconds since boot; tests move it instead of sleeping."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ScriptedMemory(FlatMemory):
    """FlatMemory whose residency, stalls, kills and reclaim CPU the test sets."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.resident: dict[int, float] = {}
        self.touch_stall_s = 0.0
        self.alloc_stall_s = 0.0
        self.kills: list[KillEvent] = []
        self.busy = 0.0
        self.touches: list[tuple[int, float]] = []

    def touch(self, pid: int, fraction: float = 1.0) -> TouchResult:
        self.touches.append((pid, fraction))
        return TouchResult(self.touch_stall_s, 0, 0, 0)

    def allocate(self, pid: int, anon_kb: int, compressibility: float = 0.5) -> TouchResult:
        super().allocate(pid, anon_kb, compressibility)
        return TouchResult(self.alloc_stall_s, 0, 0, 0)

    def resident_fraction(self, pid: int) -> float:
        return self.resident.get(pid, 1.0) if pid in self.procs else 0.0

    def kill(self, pid: int, reason: str = "low watermark is breached and swap is low (1024kB < 65536kB)") -> None:
        proc = self.procs.pop(pid)
        self.kills.append(
            KillEvent(self.now(), pid, proc.spec.uid, proc.spec.name, proc.oom_score_adj, 123456, 45678, reason, 800)
        )

    def kills_since(self, t: float) -> list[KillEvent]:
        return [k for k in self.kills if k.t >= t]

    def cpu_busy(self) -> float:
        return self.busy


@dataclass
class Services:
    """The part of a handset the commands touch."""

    framework: Framework
    log: ServiceLog = field(default_factory=ServiceLog)


def make(profile: str = "mediatek") -> tuple[Framework, ScriptedMemory, FakeClock]:
    clock = FakeClock()
    memory = ScriptedMemory(clock)
    fw = Framework(load_profile(profile), memory, wall_clock=lambda: 1_700_000_000.0 + clock.now)
    fw.time_scale = 0.0
    return fw, memory, clock


class CaptureIO:
    def __init__(self) -> None:
        self.out = ""
        self.err = ""

    async def write_out(self, data: bytes) -> None:
        self.out += data.decode()

    async def write_err(self, data: bytes) -> None:
        self.err += data.decode()

    async def read_stdin(self, n: int = 65536) -> bytes:
        return b""


def run(fw: Framework, *argv: str) -> tuple[int, str, str]:
    """Run one command function directly (no shell parsing), return (status, stdout, stderr)."""
    io = CaptureIO()
    services = Services(fw)

    async def nested(command: str, io: object, uid: int) -> int:
        raise AssertionError("no nested shells here")

    ctx = CommandContext(list(argv), io, {}, ShellState(), services, nested, TABLE)  # type: ignore[arg-type]
    status = asyncio.run(TABLE[argv[0]](ctx))
    if services.log.unknown_commands:
        raise AssertionError(f"unsupported: {services.log.unknown_commands} {io.err}")
    return status, io.out, io.err
