"""The virtual shell's expansions: $(...), $((...)) with mksh's 32-bit wrap, ${...}, "$@", mksh variables."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from android_suite.virtual.commands import CommandContext
from android_suite.virtual.commands.context import Clocks
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.shell import BufferIO


class FakeClock:
    """Wall and monotonic time that only move when the shell sleeps."""

    def __init__(self, start: float = 1_700_000_000.25) -> None:
        self.now = start

    def wall(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now - 1_600_000_000

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)

    def clocks(self) -> Clocks:
        return Clocks(wall=self.wall, monotonic=self.monotonic, sleep=self.sleep)


@pytest.fixture
def h() -> VirtualHandset:
    handset = VirtualHandset(load_profile("mediatek"), name="vh-test")

    async def argv(ctx: CommandContext) -> int:
        await ctx.out(json.dumps(ctx.argv[1:]) + "\n")
        return 0

    handset.shell.table["argv"] = argv
    return handset


def sh(handset: VirtualHandset, command: str, stdin: bytes = b"") -> tuple[int, str, str]:
    io = BufferIO(stdin)
    status = asyncio.run(handset.shell.run(command, io))
    return status, io.out, io.err


def out(handset: VirtualHandset, command: str) -> str:
    status, stdout, stderr = sh(handset, command)
    assert (status, stderr) == (0, ""), (command, status, stderr)
    return stdout


def fields(handset: VirtualHandset, command: str) -> list[str]:
    result: list[str] = json.loads(out(handset, command))
    return result


# -- command substitution -------------------------------------------------------------


def test_command_substitution_strips_trailing_newlines_only(h: VirtualHandset) -> None:
    assert fields(h, 'argv "$(printf "a\\n\\nb\\n\\n\\n")"') == ["a\n\nb"]
    assert fields(h, "argv $(echo one two) `echo three`") == ["one", "two", "three"]
    assert fields(h, 'argv "$(echo one two)"') == ["one two"]
    assert out(h, "echo $(echo $(echo nested))") == "nested\n"
    assert out(h, "echo `echo \\`echo old-style\\``") == "old-style\n"


def test_command_substitution_is_a_subshell_and_sets_status(h: VirtualHandset) -> None:
    assert out(h, "x=1; y=$(x=2; echo $x); echo $x $y") == "1 2\n"
    assert out(h, "x=$(false); echo $?; x=$(true); echo $?") == "1\n0\n"
    assert out(h, "cd /data; echo $(pwd)") == "/data\n"
    # A ")" of a case pattern inside $(...) does not end the substitution.
    assert out(h, "echo $(case a in a) echo arm;; esac)") == "arm\n"
    assert out(h, 'echo "$(echo "inner quotes")"') == "inner quotes\n"


# -- arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3),
        ("-7 / 2", -3),  # C: truncates toward zero
        ("-7 % 3", -1),  # the remainder takes the dividend's sign
        ("7 % -3", 1),
        ("3 > 2 && 2 > 1", 1),
        ("0 || 0", 0),
        ("!5", 0),
        ("~0", -1),
        ("1 < 2 ? 10 : 20", 10),
        ("010 + 0x10", 26),  # a leading 0 is decimal in mksh; 0x is hex
        ("2#101 + 16#ff", 260),
        ("1 << 4 | 1", 17),
        ("2147483647 + 1", -2147483648),  # mksh is 32-bit: phones wrap where a host bash would not
        ("-2147483648 - 1", 2147483647),
        ("65536 * 65536", 0),
        ("4294967296", 0),
        ("2147483648", -2147483648),
        ("-2147483648 / -1", -2147483648),
        ("-1 >> 1", -1),
    ],
)
def test_arithmetic_is_32_bit_like_mksh(h: VirtualHandset, expr: str, value: int) -> None:
    assert out(h, f"echo $(({expr}))") == f"{value}\n"


def test_arithmetic_variables_and_assignment(h: VirtualHandset) -> None:
    assert out(h, "i=5; echo $((i + 1)) $(($i * 2))") == "6 10\n"
    assert out(h, "echo $((unset_var + 1))") == "1\n"
    assert out(h, "a=b; b=7; echo $((a * 2))") == "14\n"  # a value is itself an expression
    assert out(h, "i=1; : $((i += 4)) $((i++)); echo $i") == "6\n"
    assert out(h, "i=0; echo $((i++)) $((++i)) $i") == "0 2 2\n"
    assert out(h, "x=3; echo $(( x > 2 ? x * 10 : 0 ))") == "30\n"
    # A jiffies counter summed past 2^31 goes negative, as scripts on a phone see it.
    assert out(h, "t=2147483000; t=$((t + 1000)); echo $t") == "-2147483296\n"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("echo $((1/0)); echo after", "/system/bin/sh: 1/0: zero divisor\n"),
        ("echo $((5 % 0))", "/system/bin/sh: 5 % 0: zero divisor\n"),
        ("echo $((1 +))", "/system/bin/sh: 1 +: unexpected 'end of expression'\n"),
        ("echo $((12abc))", "/system/bin/sh: 12abc: bad number '12abc'\n"),
    ],
)
def test_arithmetic_errors_end_the_shell(h: VirtualHandset, command: str, message: str) -> None:
    # A non-interactive mksh exits on an expansion error: "after" never prints.
    assert sh(h, command) == (1, "", message)


# -- parameter expansion --------------------------------------------------------------


def test_parameter_expansion_forms(h: VirtualHandset) -> None:
    prefix = "p=/data/local/tmp/trace.pb.gz; e=; "
    assert out(h, prefix + "echo ${#p} ${p%.gz} ${p%%.*} ${p#*/} ${p##*/}") == (
        "27 /data/local/tmp/trace.pb /data/local/tmp/trace data/local/tmp/trace.pb.gz trace.pb.gz\n"
    )
    assert out(h, prefix + 'echo "${u-dash}" "${e-dash}" "${e:-colon}" "${p:+set}" "${u:+set}"') == "dash  colon set \n"
    assert out(h, "echo ${u:=assigned}; echo $u") == "assigned\nassigned\n"
    assert out(h, "v=x.y.z; echo ${v%.*} ${v%%.*} ${v#*.} ${v##*.}") == "x.y x y.z z\n"
    assert out(h, "v='a*b'; echo \"${v%\\*b}\" ${v#a?}") == "a b\n"  # quoted * is literal
    assert sh(h, "echo ${u:?is required}; echo after") == (1, "", "/system/bin/sh: u: is required\n")


def test_positional_parameters_in_sh_c(h: VirtualHandset) -> None:
    script = 'echo "$0|$#|$1|$2"; for a in "$@"; do echo "<$a>"; done; shift; echo "$*"'
    status, stdout, _ = sh(h, f"sh -c '{script}' name 'two words' second third")
    assert status == 0
    assert stdout == "name|3|two words|second\n<two words>\n<second>\n<third>\nsecond third\n"
    assert fields(h, 'set -- a "b c" ""; argv "$@"') == ["a", "b c", ""]
    assert out(h, 'set -- a "b c"; argv $@; argv "$*"; echo $#').splitlines() == ['["a", "b", "c"]', '["a b c"]', "2"]
    assert fields(h, 'argv "$@"') == []  # no parameters: "$@" is no word at all
    assert out(h, "f() { echo $# $1; }; f x y; echo $#") == "2 x\n0\n"


def test_field_splitting_and_ifs(h: VirtualHandset) -> None:
    assert fields(h, 'v="  a  b  "; argv $v "$v"') == ["a", "b", "  a  b  "]
    assert fields(h, 'IFS=:; v="a::b:"; argv $v') == ["a", "", "b"]
    assert fields(h, 'v=""; argv $v "" x$v') == ["", "x"]
    assert fields(h, "argv '*' \"/proc/lo\"* /nonexistent/*") == ["*", "/proc/loadavg", "/nonexistent/*"]


def test_here_documents(h: VirtualHandset) -> None:
    assert out(h, "x=world; cat <<EOF\nhello $x $((1+1)) $(echo sub)\n\\$x\nEOF\necho after") == (
        "hello world 2 sub\n$x\nafter\n"
    )
    assert out(h, "cat <<'EOF'\n$x `nope` \\n\nEOF") == "$x `nope` \\n\n"
    assert out(h, "cat <<-EOF\n\t\tindented\n\tEOF\n") == "indented\n"
    assert out(h, "cat <<A; cat <<B\none\nA\ntwo\nB\n") == "one\ntwo\n"
    assert sh(h, "cat <<EOF\nnever closed")[0] == 2


# -- mksh variables -------------------------------------------------------------------


def test_mksh_dynamic_variables(h: VirtualHandset) -> None:
    clock = FakeClock(1_700_000_000.25)
    h.shell.clocks = clock.clocks()
    # EPOCHREALTIME is "%u.%06u" (mksh R50+); SECONDS counts from the shell's start.
    assert out(h, "echo $EPOCHREALTIME; sleep 2.5; echo $SECONDS $EPOCHREALTIME") == (
        "1700000000.250000\n2 1700000002.750000\n"
    )
    assert out(h, "SECONDS=100; sleep 1; echo $SECONDS") == "101\n"
    randoms = out(h, "echo $RANDOM $RANDOM $RANDOM").split()
    assert all(0 <= int(r) < 32768 for r in randoms)
    assert out(h, "echo $$ $PPID") == "4242 980\n"
    assert out(h, 'echo "[$!]"; true & echo $!; wait') == "[]\n4243\n"
    assert out(h, "echo $?; false; echo $?") == "0\n1\n"
    assert out(h, "echo $HOSTNAME $USER") == "localhost root\n"


def test_real_epochrealtime_format(h: VirtualHandset) -> None:
    assert re.fullmatch(r"\d{10}\.\d{6}\n", out(h, "echo $EPOCHREALTIME"))


# -- test / [ -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "status"),
    [
        ("[ -n abc ]", 0),
        ("[ -z '' ]", 0),
        ("[ abc ]", 0),
        ("[ '' ]", 1),
        ("[ ]", 1),
        ("[ a = a ]", 0),
        ("[ a != a ]", 1),
        ("[ 10 -gt 9 ]", 0),
        ("[ 10 \\> 9 ]", 1),  # string comparison
        ("[ -1 -lt 0 ]", 0),
        ("[ 3 -eq 3 -a 4 -ne 3 ]", 0),
        ("[ 1 -eq 2 -o 2 -eq 2 ]", 0),
        ("[ ! -e /nope ]", 0),
        ("[ \\( 1 -eq 1 \\) ]", 0),
        ("[ -d /data/local/tmp ]", 0),
        ("[ -f /data/local/tmp ]", 1),
        ("[ -f /proc/meminfo -a -r /proc/meminfo ]", 0),
        ("[ -e /proc/nope ]", 1),
        ("[ -w /system/build.prop ]", 1),  # read-only mount
        ("[ -w /data/local/tmp ]", 0),
        ("[ -x /system/bin ]", 0),
        ("test 2 -le 2", 0),
        ("[ x -lt 1 ]", 0),  # mksh: operands are arithmetic, an unset name is 0
    ],
)
def test_test_builtin(h: VirtualHandset, expr: str, status: int) -> None:
    assert sh(h, expr) == (status, "", "")


def test_test_builtin_errors(h: VirtualHandset) -> None:
    assert sh(h, "[ 1 -eq 1") == (2, "", "/system/bin/sh: [: missing ]\n")
    assert sh(h, "[ 1.5 -lt 2 ]")[0] == 2
    assert sh(h, "[ 12abc -lt 2 ]") == (2, "", "/system/bin/sh: 12abc: bad number '12abc'\n")
