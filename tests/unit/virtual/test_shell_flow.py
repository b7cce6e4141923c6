"""The virtual shell's control flow, jobs, traps, pipes and cancellation (what phone scripts rely on)."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Callable

import pytest

from android_suite.virtual.adbd import AdbEndpoint
from android_suite.virtual.commands.context import Clocks
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.shell import BufferIO
from tests.unit.virtual.adb_host import RawHost, v2_packets

DEADLINE_S = 10.0


class FakeClock:
    """Time that moves only when the shell sleeps; records sleeps that were cancelled."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.started: list[float] = []
        self.cancelled: list[float] = []
        self.real_wait = False  # True: sleeps block (until cancelled) instead of returning at once

    def wall(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.started.append(seconds)
        try:
            if self.real_wait:
                await asyncio.sleep(seconds)
            else:
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            self.cancelled.append(seconds)
            raise
        self.now += seconds

    def clocks(self) -> Clocks:
        return Clocks(wall=self.wall, monotonic=self.wall, sleep=self.sleep)


@pytest.fixture
def h() -> VirtualHandset:
    return VirtualHandset(load_profile("mediatek"), name="vh-test")


def sh(handset: VirtualHandset, command: str, stdin: bytes = b"") -> tuple[int, str, str]:
    io = BufferIO(stdin)
    status = asyncio.run(handset.shell.run(command, io))
    return status, io.out, io.err


def out(handset: VirtualHandset, command: str, stdin: bytes = b"") -> str:
    status, stdout, stderr = sh(handset, command, stdin)
    assert (status, stderr) == (0, ""), (command, status, stderr)
    return stdout


async def wait_until(cond: Callable[[], bool], what: str, timeout: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.001)


# -- compound commands ----------------------------------------------------------------


def test_if_elif_else(h: VirtualHandset) -> None:
    script = "for v in 1 2 3; do if [ $v = 1 ]; then echo one; elif [ $v = 2 ]; then echo two; else echo many; fi; done"
    assert out(h, script) == "one\ntwo\nmany\n"
    assert out(h, "if false; then echo no; fi; echo $?") == "0\n"
    assert out(h, "if ! false\nthen\n  echo negated\nfi") == "negated\n"


def test_while_until_and_break_continue(h: VirtualHandset) -> None:
    assert out(h, "i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done") == "0\n1\n2\n"
    assert out(h, "i=0; until [ $i -ge 2 ]; do i=$((i+1)); done; echo $i") == "2\n"
    assert out(h, "while :; do echo once; break; done") == "once\n"
    script = (
        "for i in 1 2 3; do for j in a b c; do [ $j = b ] && continue 2; [ $i = 3 ] && break 2; echo $i$j; done; done"
    )
    assert out(h, script) == "1a\n2a\n"
    assert out(h, "for i in 1 2 3 4; do [ $i = 2 ] && continue; echo $i; done") == "1\n3\n4\n"
    assert out(h, "for f in /proc/loadavg /proc/uptime; do echo ${f##*/}; done") == "loadavg\nuptime\n"
    assert out(h, "set -- x y; for a; do echo $a; done") == "x\ny\n"
    assert out(h, "for i in; do echo never; done; echo $?") == "0\n"


def test_case_with_glob_patterns(h: VirtualHandset) -> None:
    script = (
        'for w in start stop foo.txt X; do case "$w" in\n'
        '  start|stop) echo "verb $w";;\n  *.txt) echo text;;\n  [A-Z]) echo upper;;\n  *) echo other\n'
        "esac; done"
    )
    assert out(h, script) == "verb start\nverb stop\ntext\nupper\n"
    assert out(h, "case 'a*' in 'a*') echo quoted;; a*) echo glob;; esac") == "quoted\n"
    assert out(h, "case x in (x) echo paren;; esac") == "paren\n"


def test_groups_subshells_and_functions(h: VirtualHandset) -> None:
    assert out(h, "a=1; (a=2; cd /data; echo $a $(pwd)); echo $a $(pwd)") == "2 /data\n1 /\n"
    assert out(h, "a=1; { a=2; cd /data; }; echo $a $(pwd)") == "2 /data\n"
    assert out(h, "(exit 3); echo $?") == "3\n"
    assert out(h, "{ echo a; echo b; } > /data/local/tmp/g; cat /data/local/tmp/g") == "a\nb\n"
    script = "g() { local x=inner; echo $x $1; return 4; }; x=outer; g arg; echo $? $x"
    assert out(h, script) == "inner arg\n4 outer\n"
    assert out(h, "function k { echo ksh-style; }; k") == "ksh-style\n"


def test_set_e(h: VirtualHandset) -> None:
    assert sh(h, "set -e; echo a; false; echo b") == (1, "a\n", "")
    # Conditions and && || operands do not trigger it.
    assert out(h, "set -e; if false; then :; fi; false || true; false && true; ! true; echo survived") == "survived\n"
    assert sh(h, "set -e; nosuch 2>/dev/null; echo b") == (127, "", "")


def test_set_u_and_dollar_dash(h: VirtualHandset) -> None:
    assert out(h, 'echo "[$-]"; set -eu; echo $-; echo ${unset_var:-fine}') == "[]\neu\nfine\n"
    assert sh(h, "set -u; echo $unset_var; echo never") == (1, "", "/system/bin/sh: unset_var: parameter not set\n")
    assert sh(h, "set -x")[0] == 2  # tracing is not modelled: loud


def test_read(h: VirtualHandset) -> None:
    assert out(h, 'read a b; echo "[$a][$b]"', b"  one two  three \n") == "[one][two  three]\n"
    stdin = b"line 1\nline\\\n2\nlast"
    assert out(h, 'while read -r l; do echo "<$l>"; done; echo "[$l]"', stdin) == "<line 1>\n<line\\>\n<2>\n[last]\n"
    assert out(h, 'while read l; do echo "<$l>"; done', b"a\\\nb\n") == "<ab>\n"
    assert out(h, 'IFS=: read u p rest; echo "$u $p $rest"', b"root:x:0:0\n") == "root x 0:0\n"
    assert out(h, "read x < /proc/loadavg; echo $x") == "1.87 1.62 1.41 2/1532 9873\n"
    assert sh(h, "read x; echo $?") == (0, "1\n", "")
    # `read` leaves the rest of stdin for the next command.
    assert out(h, "read first; cat", b"1\n2\n3\n") == "2\n3\n"
    assert out(h, "printf 'a 1\\nb 2\\n' | while read k v; do echo $k=$v; done") == "a=1\nb=2\n"
    assert out(h, "while read a b; do echo $b; done < /proc/loadavg") == "1.62 1.41 2/1532 9873\n"


def test_exec_redirects_the_rest_of_the_shell(h: VirtualHandset) -> None:
    assert sh(h, "exec 2>&1; ls /nope") == (1, "ls: /nope: No such file or directory\n", "")
    assert sh(h, "exec >/data/local/tmp/log; echo hidden; echo more") == (0, "", "")
    assert h.fs.read("/data/local/tmp/log") == b"hidden\nmore\n"
    assert sh(h, "exec echo replaced; echo never") == (0, "replaced\n", "")


def test_eval_and_dot(h: VirtualHandset) -> None:
    assert out(h, "cmd='echo evaluated'; eval $cmd") == "evaluated\n"
    h.fs.write("/data/local/tmp/lib.sh", b"helper() { echo helped; }\nV=7\n")
    assert out(h, ". /data/local/tmp/lib.sh; helper; echo $V") == "helped\n7\n"


# -- pipes ----------------------------------------------------------------------------


def test_pipes_run_concurrently(h: VirtualHandset) -> None:
    # An endless producer ends with SIGPIPE once its consumer has what it needs.
    assert out(h, "while :; do echo y; done | head -n 3") == "y\ny\ny\n"
    assert out(h, "i=0; while :; do i=$((i+1)); echo $i; done | grep -q 50; echo $?") == "0\n"
    assert out(h, "printf 'b\\na\\n' | sort | tr a-z A-Z") == "A\nB\n"
    assert out(h, "echo one two | { read a b; echo $b; }") == "two\n"
    assert out(h, 'echo x | read v; echo "[$v]"') == "[x]\n"  # mksh: the last stage runs in this shell
    assert sh(h, "true | false")[0] == 1
    assert out(h, "set -o pipefail; false | true; echo $?") == "1\n"


# -- background jobs and traps --------------------------------------------------------


def test_background_jobs_wait_and_kill(h: VirtualHandset) -> None:
    clock = FakeClock()
    h.shell.clocks = clock.clocks()
    assert out(h, "(exit 5) & p=$!; wait $p; echo $? $p") == "5 4243\n"
    assert out(h, "sleep 1 & sleep 2 & wait; echo all") == "all\n"
    assert sorted(clock.started) == [1.0, 2.0]
    clock.real_wait = True
    # `sleep 0` lets the job start before it is killed.
    assert out(h, "sleep 10 & p=$!; sleep 0; kill $p; wait $p; echo $?") == "143\n"
    assert out(h, "sleep 10 & p=$!; sleep 0; kill -9 $p; wait $p; echo $?") == "137\n"
    assert clock.cancelled == [10.0, 10.0]
    assert sh(h, "wait 999") == (127, "", "/system/bin/sh: wait: 999: no such job\n")


def test_adbd_waits_for_jobs_holding_output(h: VirtualHandset) -> None:
    clock = FakeClock()
    h.shell.clocks = clock.clocks()
    # `sleep 1; echo late &` keeps stdout open: the session ends after it, output included.
    assert out(h, "(sleep 1; echo late) & echo early") == "early\nlate\n"


def test_traps(h: VirtualHandset) -> None:
    assert out(h, "trap 'echo bye $?' EXIT; echo hi") == "hi\nbye 0\n"
    assert sh(h, "trap 'echo cleanup' EXIT; exit 3") == (3, "cleanup\n", "")
    assert out(h, "trap 'echo a' INT TERM HUP; trap") == (
        "trap -- 'echo a' INT\ntrap -- 'echo a' TERM\ntrap -- 'echo a' HUP\n"
    )
    assert out(h, "trap 'echo x' EXIT; trap - EXIT; echo only") == "only\n"
    assert sh(h, "trap 'echo x' BOGUS") == (1, "", "/system/bin/sh: trap: bad signal 'BOGUS'\n")


def test_trap_removes_lock_file_on_exit(h: VirtualHandset) -> None:
    script = "touch /data/local/tmp/lock; trap 'rm -f /data/local/tmp/lock' EXIT INT TERM HUP; echo working"
    assert out(h, script) == "working\n"
    assert h.fs.stat("/data/local/tmp/lock") is None


# -- cancellation ---------------------------------------------------------------------


def test_cancelling_the_command_cancels_background_sleep(h: VirtualHandset) -> None:
    clock = FakeClock()
    clock.real_wait = True
    h.shell.clocks = clock.clocks()

    async def main() -> None:
        io = BufferIO()
        task = asyncio.ensure_future(h.shell.run("sleep 10 & echo started; wait", io))
        await wait_until(lambda: clock.started == [10.0] and io.out == "started\n", "the job to start")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert clock.cancelled == [10.0]
        leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert not leftover, leftover

    asyncio.run(main())


def test_cancelling_runs_traps_and_stops_a_real_sleep(h: VirtualHandset) -> None:
    async def main() -> None:
        io = BufferIO()
        script = (
            "trap 'echo hup >> /data/local/tmp/t' HUP; trap 'echo exit >> /data/local/tmp/t' EXIT; sleep 10 & sleep 10"
        )
        task = asyncio.ensure_future(h.shell.run(script, io))
        await wait_until(lambda: len(asyncio.all_tasks()) >= 3, "the background job")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert h.fs.read("/data/local/tmp/t") == b"hup\nexit\n"
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []

    asyncio.run(main())


def test_endless_loop_yields_to_the_event_loop(h: VirtualHandset) -> None:
    async def main() -> None:
        ticks = 0

        async def other_connection() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        io = BufferIO()
        loop_task = asyncio.ensure_future(h.shell.run("while :; do :; done", io))
        other = asyncio.ensure_future(other_connection())
        await wait_until(lambda: ticks > 100, "the other task to run alongside the loop")
        loop_task.cancel()
        other.cancel()
        await asyncio.gather(loop_task, other, return_exceptions=True)
        assert loop_task.cancelled()

    asyncio.run(main())


def test_host_clse_stops_a_streaming_script_and_its_jobs(h: VirtualHandset) -> None:
    """Over the wire: the host closes the stream mid-loop; the loop and `sleep 10 &` both stop."""
    clock = FakeClock()
    clock.real_wait = True
    h.shell.clocks = clock.clocks()

    async def main() -> None:
        endpoint = AdbEndpoint(h)
        await endpoint.start()
        host = await RawHost.connect(endpoint.port)
        try:
            stream = await host.open("shell,v2:sleep 10 & while :; do echo tick; sleep 0.01; done")
            assert stream is not None
            first = await stream.read_exact(5 + len(b"tick\n"))
            assert v2_packets(first) == [(1, b"tick\n")]
            await stream.close()
            await wait_until(lambda: 10.0 in clock.cancelled and 0.01 in clock.cancelled, "both sleeps cancelled")
        finally:
            await host.close()
            await endpoint.stop()
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []

    asyncio.run(main())


# -- the suite's sampler, and speed ---------------------------------------------------

SAMPLER = "while :; do cat /proc/meminfo /proc/loadavg; echo @@ $EPOCHREALTIME; sleep 0.05; done"


def test_sampler_script_framing_with_a_fast_clock(h: VirtualHandset) -> None:
    clock = FakeClock(1_700_000_000.0)
    h.shell.clocks = clock.clocks()

    async def main() -> str:
        io = BufferIO()
        task = asyncio.ensure_future(h.shell.run(SAMPLER, io))
        await wait_until(lambda: io.out.count("@@") >= 5, "five samples")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return io.out

    text = asyncio.run(main())
    meminfo = h.fs.read("/proc/meminfo").decode()
    loadavg = h.fs.read("/proc/loadavg").decode()
    frames = re.findall(r"(.*?)@@ (\d+\.\d{6})\n", text, re.DOTALL)
    assert len(frames) >= 5
    stamps = [float(stamp) for _, stamp in frames]
    for body, _ in frames:
        assert body == meminfo + loadavg
    # Each iteration sleeps 0.05 s of (fake) time: the stamps step by exactly the period.
    assert [round(b - a, 6) for a, b in itertools.pairwise(stamps)] == [0.05] * (len(stamps) - 1)


def test_tight_loop_is_fast(h: VirtualHandset) -> None:
    start = time.perf_counter()
    assert out(h, "i=0; while [ $i -lt 1000 ]; do i=$((i+1)); done; echo $i") == "1000\n"
    # About 0.05 s on the development machine; a phone's mksh takes ~0.02 s.
    assert time.perf_counter() - start < 1.0
