"""The virtual handset's shell and command table, driven with an in-memory ShellIO."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import shlex
import time

import pytest

from android_suite.virtual.commands import CommandContext
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.shell import BufferIO


def make(profile: str = "mediatek") -> VirtualHandset:
    handset = VirtualHandset(load_profile(profile), name="vh-test")

    async def argv(ctx: CommandContext) -> int:
        # Test helper: show exactly what the command received.
        await ctx.out(json.dumps({"argv": ctx.argv[1:], "cp": ctx.env.get("CLASSPATH")}) + "\n")
        return 0

    handset.shell.table["argv"] = argv
    return handset


def sh(handset: VirtualHandset, command: str, stdin: bytes = b"") -> tuple[int, str, str]:
    io = BufferIO(stdin)
    status = asyncio.run(handset.shell.run(command, io))
    return status, io.out, io.err


@pytest.fixture
def h() -> VirtualHandset:
    return make()


# -- quoting and expansion -----------------------------------------------------------


TRICKY = [
    "plain",
    "two words",
    "",
    "it's",
    'say "hi"',
    "$HOME",
    "back\\slash",
    "semi;colon && pipe|",
    "tab\there",
    "new\nline",
    "*",
    "~user",
    "x=1",
    "ünïcödé",
]


@pytest.mark.parametrize("arg", TRICKY)
def test_shlex_join_round_trips(h: VirtualHandset, arg: str) -> None:
    status, out, _ = sh(h, shlex.join(["argv", arg, "tail"]))
    assert status == 0
    assert json.loads(out)["argv"] == [arg, "tail"]


def test_shlex_join_round_trips_all_at_once(h: VirtualHandset) -> None:
    _, out, _ = sh(h, shlex.join(["argv", *TRICKY]))
    assert json.loads(out)["argv"] == TRICKY


def test_variables_and_special_parameters(h: VirtualHandset) -> None:
    _, out, _ = sh(h, 'A="x  y"; argv $A "$A" ${A} ${UNSET:-dflt} "${UNSET}" $UNSET')
    assert json.loads(out)["argv"] == ["x", "y", "x  y", "x", "y", "dflt", ""]
    _, out, _ = sh(h, "false; echo $?; true; echo $?; nosuch 2>/dev/null; echo $?")
    assert out == "1\n0\n127\n"
    _, out, _ = sh(h, "echo '$HOME' \"$HOME\" \\$HOME")
    assert out == "$HOME / $HOME\n"


def test_prefix_assignment_is_for_that_command_only(h: VirtualHandset) -> None:
    _, out, _ = sh(h, "CLASSPATH=/data/local/tmp/u2.jar argv / com.wetest.uia2.Main -p 9008; argv")
    first, second = (json.loads(line) for line in out.splitlines())
    assert first == {"argv": ["/", "com.wetest.uia2.Main", "-p", "9008"], "cp": "/data/local/tmp/u2.jar"}
    assert second["cp"] is None


def test_glob_expands_against_the_vfs(h: VirtualHandset) -> None:
    sh(h, "touch /data/local/tmp/a.txt /data/local/tmp/b.txt /data/local/tmp/c.log")
    _, out, _ = sh(h, "argv /data/local/tmp/*.txt '/data/local/tmp/*.txt' /nothing/*")
    assert json.loads(out)["argv"] == [
        "/data/local/tmp/a.txt",
        "/data/local/tmp/b.txt",
        "/data/local/tmp/*.txt",
        "/nothing/*",
    ]


# -- lists, exit codes, the adbutils marker --------------------------------------------


def test_lists_and_exit_status(h: VirtualHandset) -> None:
    assert sh(h, "true && echo yes || echo no")[1] == "yes\n"
    assert sh(h, "false && echo yes || echo no")[1] == "no\n"
    assert sh(h, "false; true")[0] == 0
    assert sh(h, "true; false")[0] == 1
    assert sh(h, "echo a\necho b")[1] == "a\nb\n"
    assert sh(h, "exit 3")[0] == 3
    assert sh(h, "echo before; exit 7; echo after") == (7, "before\n", "")
    assert sh(h, "") == (0, "", "")


@pytest.mark.parametrize(
    ("command", "output"),
    [
        ("getprop ro.build.version.sdk; echo X4EXIT:$?", "34\nX4EXIT:0\n"),
        ("false; echo X4EXIT:$?", "X4EXIT:1\n"),
        ("nosuchcmd; echo X4EXIT:$?", "/system/bin/sh: nosuchcmd: inaccessible or not found\nX4EXIT:127\n"),
    ],
)
def test_adbutils_marker_form(h: VirtualHandset, command: str, output: str) -> None:
    # shell v1 merges stdout and stderr; adbutils parses the last X4EXIT line.
    io = BufferIO()

    async def merged_run() -> int:
        class Merged(BufferIO):
            async def write_err(self, data: bytes) -> None:
                await self.write_out(data)

        merged = Merged()
        status = await h.shell.run(command, merged)
        io.stdout += merged.stdout
        return status

    assert asyncio.run(merged_run()) == 0
    assert io.out == output


def test_unknown_command_is_loud(h: VirtualHandset) -> None:
    status, out, err = sh(h, "frobnicate --now")
    assert (status, out) == (127, "")
    assert err == "/system/bin/sh: frobnicate: inaccessible or not found\n"
    assert h.log.unknown_commands == ["frobnicate --now"]
    assert h.log.shell_commands == ["frobnicate --now"]


def test_commands_by_path(h: VirtualHandset) -> None:
    assert sh(h, "/system/bin/getprop ro.product.device")[1] == "rubens\n"
    assert sh(h, "/data/local/tmp/tool")[0] == 127


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("echo ;;", "syntax error: unexpected ';;'"),
        ("echo 'open", "no closing quote"),
        ("| echo", "syntax error: unexpected '|'"),
        ("echo &&", "syntax error: unexpected EOF"),
        ("echo >", "syntax error: unexpected EOF"),
    ],
)
def test_syntax_errors(h: VirtualHandset, command: str, message: str) -> None:
    assert sh(h, command) == (2, "", f"/system/bin/sh: {message}\n")


@pytest.mark.parametrize(
    "command", ["[[ -n x ]]", "select a in b; do :; done", "cat <> /data/local/tmp/f", "echo ${x/a/b}", "((i++))"]
)
def test_unsupported_syntax_fails_loudly(h: VirtualHandset, command: str) -> None:
    status, _, err = sh(h, command)
    assert status == 2 and "not implemented by the virtual handset" in err
    assert h.log.unknown_commands == [command]


# -- redirections and pipes ------------------------------------------------------------------


def test_redirections(h: VirtualHandset) -> None:
    assert sh(h, "echo one > /data/local/tmp/f; echo two >> /data/local/tmp/f") == (0, "", "")
    assert h.fs.read("/data/local/tmp/f") == b"one\ntwo\n"
    assert sh(h, "cat < /data/local/tmp/f")[1] == "one\ntwo\n"
    assert sh(h, "ls /nope 2> /data/local/tmp/err")[2] == ""
    assert h.fs.read("/data/local/tmp/err") == b"ls: /nope: No such file or directory\n"
    assert sh(h, "ls /nope > /data/local/tmp/both 2>&1") == (1, "", "")
    assert h.fs.read("/data/local/tmp/both") == b"ls: /nope: No such file or directory\n"
    # Order matters: 2>&1 first copies the old stdout (the terminal).
    assert sh(h, "ls /nope 2>&1 >/dev/null") == (1, "ls: /nope: No such file or directory\n", "")
    assert sh(h, "echo hidden >/dev/null") == (0, "", "")
    assert sh(h, ": > /data/local/tmp/f")[0] == 0
    assert h.fs.read("/data/local/tmp/f") == b""


def test_redirection_errors(h: VirtualHandset) -> None:
    assert sh(h, "echo x > /proc/version") == (
        1,
        "",
        "/system/bin/sh: can't create /proc/version: Permission denied\n",
    )
    assert sh(h, "echo x > /system/x")[2] == "/system/bin/sh: can't create /system/x: Read-only file system\n"
    assert sh(h, "cat < /nope") == (1, "", "/system/bin/sh: can't open /nope: No such file or directory\n")
    assert sh(h, "echo 999 > /proc/sys/vm/swappiness") == (
        1,
        "",
        "/system/bin/sh: echo: write error: Invalid argument\n",
    )
    assert sh(h, "echo 30 > /proc/sys/vm/swappiness; cat /proc/sys/vm/swappiness")[1] == "30\n"


def test_pipes(h: VirtualHandset) -> None:
    assert sh(h, "echo hello | cat | cat") == (0, "hello\n", "")
    expected = hashlib.md5(b"hello\n").hexdigest()
    assert sh(h, "echo hello | md5sum")[1] == f"{expected}  -\n"
    assert sh(h, "false | true")[0] == 0
    assert sh(h, "true | false")[0] == 1
    assert sh(h, "cat", stdin=b"from stdin")[1] == "from stdin"


# -- commands --------------------------------------------------------------------------------


def test_echo_options(h: VirtualHandset) -> None:
    assert sh(h, "echo -n a b")[1] == "a b"
    assert sh(h, r"echo -e 'a\tb\nc'")[1] == "a\tb\nc\n"
    assert sh(h, r"echo 'a\nb'")[1] == "a\\nb\n"
    assert sh(h, "echo -x")[1] == "-x\n"


def test_sleep_is_fractional_and_async(h: VirtualHandset) -> None:
    start = time.monotonic()
    assert sh(h, "sleep 0.05")[0] == 0
    assert time.monotonic() - start >= 0.04
    assert sh(h, "sleep abc")[0] == 1


def test_getprop_formats(h: VirtualHandset) -> None:
    status, out, _ = sh(h, "getprop")
    assert status == 0
    lines = out.splitlines()
    pairs = [re.fullmatch(r"\[([^\]]+)\]: \[(.*)\]", line) for line in lines]
    assert all(pairs), [line for line, m in zip(lines, pairs, strict=True) if not m]
    keys = [m.group(1) for m in pairs if m]
    assert keys == sorted(keys)
    assert "[ro.product.cpu.abi]: [arm64-v8a]" in lines
    assert "[sys.boot_completed]: [1]" in lines
    assert sh(h, "getprop ro.build.version.release")[1] == "14\n"
    assert sh(h, "getprop no.such.prop") == (0, "\n", "")
    assert sh(h, "getprop no.such.prop fallback")[1] == "fallback\n"


def test_setprop(h: VirtualHandset) -> None:
    assert sh(h, "setprop debug.suite.x 1; getprop debug.suite.x")[1] == "1\n"
    assert sh(h, "setprop ro.new.prop a")[0] == 0
    status, _, err = sh(h, "setprop ro.new.prop b")
    assert status == 1
    assert err == "Failed to set property 'ro.new.prop' to 'b'.\nSee dmesg for error reason.\n"
    assert sh(h, "getprop ro.new.prop")[1] == "a\n"
    assert sh(h, "setprop sys.boot_completed 0")[0] == 1


def test_md5sum_formats(h: VirtualHandset) -> None:
    data = bytes(range(256)) * 10
    h.fs.write("/data/local/tmp/u2.jar", data)
    digest = hashlib.md5(data).hexdigest()
    assert sh(h, "toybox md5sum /data/local/tmp/u2.jar") == (0, f"{digest}  /data/local/tmp/u2.jar\n", "")
    assert sh(h, "md5sum /data/local/tmp/u2.jar")[1] == f"{digest}  /data/local/tmp/u2.jar\n"
    assert sh(h, "toybox md5sum /data/local/tmp/none") == (
        1,
        "",
        "md5sum: /data/local/tmp/none: No such file or directory\n",
    )


def test_id_whoami_su_on_a_rooted_profile(h: VirtualHandset) -> None:
    assert sh(h, "id")[1] == "uid=0(root) gid=0(root) groups=0(root) context=u:r:su:s0\n"
    assert sh(h, "id -u; whoami")[1] == "0\nroot\n"
    assert sh(h, "su 0 id -u")[1] == "0\n"
    assert sh(h, "su -c 'id -u && echo ok'")[1] == "0\nok\n"
    assert sh(h, "su 0 sh -c 'id -u; exit 4'") == (4, "0\n", "")
    assert sh(h, "sh -c 'echo $0 nested' && echo outer")[1] == "/system/bin/sh nested\nouter\n"
    assert sh(h, "sh", stdin=b"echo from stdin; exit 5") == (5, "from stdin\n", "")


def test_id_and_no_su_on_a_user_build() -> None:
    h = make("generic_arm")
    out = sh(h, "id")[1]
    assert out.startswith("uid=2000(shell) gid=2000(shell) groups=2000(shell),")
    assert out.endswith(" context=u:r:shell:s0\n")
    assert sh(h, "id -u")[1] == "2000\n"
    assert sh(h, "su 0 id") == (127, "", "/system/bin/sh: su: inaccessible or not found\n")


def test_uname_nproc_wm(h: VirtualHandset) -> None:
    assert sh(h, "uname -r")[1] == "6.1.68-android14-11-g3e9b6c5a1d27-ab11431029\n"
    assert sh(h, "uname -m")[1] == "aarch64\n"
    assert re.fullmatch(r"Linux localhost 6\.1\.\S+ #1 SMP PREEMPT .+ aarch64 Toybox\n", sh(h, "uname -a")[1])
    assert sh(h, "nproc")[1] == "8\n"
    assert sh(h, "wm size")[1] == "Physical size: 1080x2400\n"
    assert sh(h, "wm frobnicate")[0] == 1


def test_ps_layout_and_kernel_threads(h: VirtualHandset) -> None:
    out = sh(h, "ps -A")[1]
    lines = out.splitlines()
    assert lines[0] == "USER           PID  PPID        VSZ    RSS WCHAN            ADDR S NAME"
    names = [line.split()[-1] for line in lines[1:]]
    for name in ("init", "[kthreadd]", "[kswapd0]", "[kcompressd0]"):
        assert name in names
    init = lines[1]
    assert re.fullmatch(r"root\s+1\s+0\s+\d+\s+\d+\s+\S+\s+0 S init", init)
    assert "[kcompressd0]" not in sh(make("generic_arm"), "ps -e")[1]


def test_file_commands(h: VirtualHandset) -> None:
    assert sh(h, "mkdir -p /data/local/tmp/a/b && touch /data/local/tmp/a/b/f && ls /data/local/tmp/a/b")[1] == "f\n"
    assert sh(h, "mkdir /data/local/tmp/a")[2] == "mkdir: /data/local/tmp/a: File exists\n"
    assert sh(h, "chmod 755 /data/local/tmp/a/b/f; chmod u-x /data/local/tmp/a/b/f")[0] == 0
    st = h.fs.stat("/data/local/tmp/a/b/f")
    assert st is not None and st.mode & 0o777 == 0o655
    out = sh(h, "ls -l /data/local/tmp/a/b")[1]
    assert re.fullmatch(r"total 0\n-rw-r-xr-x 1 shell shell 0 \d{4}-\d\d-\d\d \d\d:\d\d f\n", out)
    assert sh(h, "rm /data/local/tmp/a")[0] == 1
    assert sh(h, "rm -rf /data/local/tmp/a /data/local/tmp/missing") == (0, "", "")
    assert h.fs.stat("/data/local/tmp/a") is None
    assert sh(h, "rm /data/local/tmp/missing")[2] == "rm: /data/local/tmp/missing: No such file or directory\n"
    assert sh(h, "cat /nope /proc/loadavg")[0] == 1
    assert sh(h, "cd /data/local/tmp && echo x > rel && cat /data/local/tmp/rel && pwd")[1] == ("x\n/data/local/tmp\n")
    assert sh(h, "touch /system/bin/new")[2] == "touch: /system/bin/new: Read-only file system\n"


def test_settings(h: VirtualHandset) -> None:
    assert sh(h, "settings get system screen_off_timeout")[1] == "null\n"
    sh(h, "settings put system screen_off_timeout 600000")
    assert sh(h, "settings get system screen_off_timeout")[1] == "600000\n"
    assert sh(h, "settings frob")[0] == 1
