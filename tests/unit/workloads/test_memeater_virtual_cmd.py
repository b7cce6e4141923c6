"""The virtual handset runs a pushed memeater: exec by path, the emulation, kill, cancellation.

The handset and its shell share one fake clock that moves only when a command
sleeps, so these tests take no wall time and never sleep for real.
"""

from __future__ import annotations

import asyncio

import pytest

from android_suite.virtual.commands.context import Clocks
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.shell import BufferIO
from android_suite.workloads.eater_output import EaterStart, parse_output

MARKER = b"ANDROID_SUITE_MEMEATER v1"
PATH = "/data/local/tmp/android_suite_memeater"


def elf(machine: int, body: bytes = b"") -> bytes:
    """A 64-bit little-endian ELF header for ``machine`` (183 aarch64, 62 x86_64), then ``body``."""
    return b"\x7fELF\x02\x01\x01" + bytes(11) + machine.to_bytes(2, "little") + bytes(44) + body


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def vh(clock: FakeClock) -> VirtualHandset:
    h = VirtualHandset(load_profile("mediatek"), name="vh-eater", clock=clock)
    h.shell.clocks = Clocks(wall=lambda: 1.7e9 + clock.now, monotonic=clock, sleep=clock.sleep)
    h.fs.write(PATH, elf(183, b"...." + MARKER + b"...."), mode=0o755)
    return h


async def sh(h: VirtualHandset, command: str) -> tuple[int, str, str]:
    io = BufferIO()
    status = await h.shell.run(command, io)
    return status, io.out, io.err


@pytest.mark.parametrize(
    ("setup", "command", "status", "message"),
    [
        (None, "/data/local/tmp/nothere", 127, "/data/local/tmp/nothere: inaccessible or not found"),
        ((0o644, elf(183, MARKER)), "./x", 126, "./x: can't execute: Permission denied"),
        ((0o755, elf(62, MARKER)), "./x", 126, "./x: not executable: 64-bit ELF file"),
        (None, "/data/local/tmp", 126, "/data/local/tmp: can't execute: Permission denied"),
    ],
)
def test_exec_failures_look_like_mksh(
    vh: VirtualHandset, setup: tuple[int, bytes] | None, command: str, status: int, message: str
) -> None:
    if setup is not None:
        vh.fs.write("/data/local/tmp/x", setup[1], mode=setup[0])
    result = asyncio.run(sh(vh, f"cd /data/local/tmp && {command}"))
    assert result == (status, "", f"/system/bin/sh: {message}\n")
    assert vh.log.unknown_commands == []


def test_an_unknown_program_is_loud(vh: VirtualHandset) -> None:
    vh.fs.write("/data/local/tmp/other", elf(183, b"some other program"), mode=0o755)
    status, _, err = asyncio.run(sh(vh, "/data/local/tmp/other --flag"))
    assert status == 126 and "not implemented by the virtual handset" in err
    assert vh.log.unknown_commands == ["/data/local/tmp/other --flag"]


def test_emulated_eater_runs_for_its_duration(vh: VirtualHandset, clock: FakeClock) -> None:
    start = clock.now
    status, out, err = asyncio.run(
        sh(
            vh,
            "cd /data/local/tmp && ./android_suite_memeater --size-mb 64 --rate-mbps 32 --duration 3 --interval 0.5",
        )
    )
    assert (status, err) == (0, "")
    log = parse_output(out)
    assert isinstance(log.start, EaterStart) and log.start.target_kb == 65536 and log.start.impl == "binary"
    assert log.end is not None and log.end.reason == "duration" and log.end.allocated_kb == 65536
    assert all(abs(p.rate_kbps - 32768) < 1700 for p in log.progress[:3])  # paced to 32 MiB/s while growing
    assert len(log.progress) >= 5 and log.progress[-1].touched_pages > log.progress[0].touched_pages
    assert 3.0 <= clock.now - start < 3.5
    assert not vh.kernel.alive(log.start.pid)  # type: ignore[attr-defined]  # the process left the model


def test_help_and_option_errors(vh: VirtualHandset) -> None:
    status, out, _ = asyncio.run(sh(vh, f"{PATH} --help"))
    assert status == 0 and "ANDROID_SUITE_MEMEATER v1" in out
    status, _, err = asyncio.run(sh(vh, f"{PATH} --compressibility 2"))
    assert status == 2 and "memeater: bad value for --compressibility: '2'" in err
    status, _, err = asyncio.run(sh(vh, f"{PATH} --dump-pages 3"))
    assert status == 2 and "not emulated" in err


async def _started(h: VirtualHandset, io: BufferIO, clock: FakeClock) -> int:
    for _ in range(1000):
        log = parse_output(io.out)
        if log.start is not None and log.progress:
            return log.start.pid
        await asyncio.sleep(0)
    raise AssertionError(f"eater did not start: {io.out!r} {io.err!r}")


@pytest.mark.parametrize(
    ("signal", "status", "reason"), [("-TERM", 0, "signal"), ("-s INT", 0, "signal"), ("-9", 137, None)]
)
def test_kill_from_another_shell(
    vh: VirtualHandset, clock: FakeClock, signal: str, status: int, reason: str | None
) -> None:
    async def scenario() -> None:
        io = BufferIO()
        task = asyncio.ensure_future(vh.shell.run(f"{PATH} --size-mb 32 --interval 0.1", io))
        pid = await _started(vh, io, clock)
        assert await sh(vh, f"kill -0 {pid}") == (0, "", "")
        assert await sh(vh, f"kill {signal} {pid}") == (0, "", "")
        assert await asyncio.wait_for(task, 5) == status
        end = parse_output(io.out).end
        assert (end.reason if end else None) == reason
        assert await sh(vh, f"kill -0 {pid}") == (1, "", f"/system/bin/sh: kill: {pid}: No such process\n")
        assert not vh.kernel.alive(pid)  # type: ignore[attr-defined]

    asyncio.run(scenario())
    assert vh.log.unknown_commands == []


def test_closing_the_stream_ends_it(vh: VirtualHandset, clock: FakeClock) -> None:
    async def scenario() -> None:
        io = BufferIO()
        task = asyncio.ensure_future(vh.shell.run(f"{PATH} --size-mb 32 --interval 0.1", io))
        pid = await _started(vh, io, clock)
        task.cancel()  # what the adb endpoint does when the host closes the stream
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not vh.kernel.alive(pid)  # type: ignore[attr-defined]

    asyncio.run(scenario())


def test_kill_of_other_pids(vh: VirtualHandset) -> None:
    assert asyncio.run(sh(vh, "kill 99999"))[0] == 1
    status, _, err = asyncio.run(sh(vh, "kill 560"))  # lmkd: a real process the fake does not signal
    assert status != 0 and "not implemented by the virtual handset" in err
    assert vh.log.unknown_commands == ["kill 560"]
