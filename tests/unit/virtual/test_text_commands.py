"""Toybox text commands on the virtual handset: output formats and exit codes as on Android 14."""

from __future__ import annotations

import asyncio

import pytest

from android_suite.virtual.commands.context import Clocks
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.shell import BufferIO

NUMBERS = "/data/local/tmp/n"
WORDS = "/data/local/tmp/w"


@pytest.fixture
def h() -> VirtualHandset:
    handset = VirtualHandset(load_profile("mediatek"), name="vh-test")
    handset.fs.write(NUMBERS, b"".join(b"%d\n" % i for i in range(1, 13)))
    handset.fs.write(WORDS, b"foo 1\nbar 22\nbaz 3\nFoo 4\n")
    return handset


def sh(handset: VirtualHandset, command: str, stdin: bytes = b"") -> tuple[int, str, str]:
    io = BufferIO(stdin)
    status = asyncio.run(handset.shell.run(command, io))
    return status, io.out, io.err


def out(handset: VirtualHandset, command: str, stdin: bytes = b"") -> str:
    status, stdout, stderr = sh(handset, command, stdin)
    assert (status, stderr) == (0, ""), (command, status, stderr)
    return stdout


def test_head(h: VirtualHandset) -> None:
    assert out(h, f"head -n 2 {NUMBERS}") == "1\n2\n"
    assert out(h, f"head -3 {NUMBERS}") == "1\n2\n3\n"
    assert out(h, f"head {NUMBERS}") == "".join(f"{i}\n" for i in range(1, 11))
    assert out(h, f"head -c 3 {NUMBERS}") == "1\n2"
    assert out(h, f"head -n 1 {NUMBERS} /proc/loadavg") == (
        f"==> {NUMBERS} <==\n1\n\n==> /proc/loadavg <==\n1.87 1.62 1.41 2/1532 9873\n"
    )
    assert out(h, "head -n 1", b"a\nb\n") == "a\n"
    # No header for the file that could not be opened, and no blank line before the first one.
    assert sh(h, f"head -n 1 /nope {NUMBERS}") == (
        1,
        f"==> {NUMBERS} <==\n1\n",
        "head: /nope: No such file or directory\n",
    )


def test_tail(h: VirtualHandset) -> None:
    assert out(h, f"tail -n 2 {NUMBERS}") == "11\n12\n"
    assert out(h, f"tail -2 {NUMBERS}") == "11\n12\n"
    assert out(h, f"tail -n +11 {NUMBERS}") == "11\n12\n"
    assert out(h, "tail -n 1", b"a\nb") == "b"
    assert out(h, f"tail -c 3 {NUMBERS}") == "12\n"
    assert sh(h, f"tail -f {NUMBERS}")[0] == 1  # not modelled: loud
    assert h.log.unknown_commands == [f"tail -f {NUMBERS}"]


def test_grep(h: VirtualHandset) -> None:
    assert out(h, f"grep ba {WORDS}") == "bar 22\nbaz 3\n"
    assert out(h, f"grep -c ba {WORDS}") == "2\n"
    assert out(h, f"grep -v ba {WORDS}") == "foo 1\nFoo 4\n"
    assert out(h, f"grep -i foo {WORDS}") == "foo 1\nFoo 4\n"
    assert out(h, f"grep -E '^(foo|baz) ' {WORDS}") == "foo 1\nbaz 3\n"
    assert out(h, f"grep 'ba[rz] [0-9]\\{{2\\}}' {WORDS}") == "bar 22\n"  # BRE interval
    assert out(h, f"grep -F 'a.' {WORDS}; echo $?") == "1\n"
    assert out(h, f"grep -o '[0-9][0-9]*' {WORDS}") == "1\n22\n3\n4\n"
    assert out(h, f"grep -n '^b' {WORDS}") == "2:bar 22\n3:baz 3\n"
    assert out(h, f"grep -w 2 {WORDS}; echo $?") == "1\n"
    assert out(h, "grep -q 3 /proc/loadavg && echo yes") == "yes\n"
    assert out(h, f"grep -e foo -e 22 {WORDS}") == "foo 1\nbar 22\n"
    assert out(h, f"grep -h 1.87 {WORDS} /proc/loadavg") == "1.87 1.62 1.41 2/1532 9873\n"
    assert out(h, f"grep -l foo {WORDS} /proc/loadavg") == f"{WORDS}\n"
    assert out(h, f"grep 1.87 {WORDS} /proc/loadavg") == "/proc/loadavg:1.87 1.62 1.41 2/1532 9873\n"
    assert sh(h, f"grep nope {WORDS}") == (1, "", "")
    assert sh(h, "grep x /nope") == (2, "", "grep: /nope: No such file or directory\n")
    assert sh(h, "grep -s x /nope") == (2, "", "grep: /nope: No such file or directory\n")
    assert out(h, "echo pgscan_kswapd 12 | grep -E 'pgscan|pgsteal'") == "pgscan_kswapd 12\n"


def test_wc_padding_follows_toybox(h: VirtualHandset) -> None:
    assert out(h, "wc", b"a b c\nd\n") == "      2       4       8\n"
    assert out(h, "wc -l", b"a b c\nd\n") == "2\n"
    assert out(h, f"wc -l {NUMBERS}") == f"12 {NUMBERS}\n"
    assert out(h, f"wc {WORDS}") == f"4 8 25 {WORDS}\n"
    assert out(h, f"wc -l -c {NUMBERS} {WORDS}") == (
        f"     12      27 {NUMBERS}\n      4      25 {WORDS}\n     16      52 total\n"
    )
    assert out(h, "wc -w", b"one two  three") == "3\n"


def test_cut_tr(h: VirtualHandset) -> None:
    assert out(h, "cut -d: -f1,3", b"root:x:0:0\nshell:x:2000\n") == "root:0\nshell:2000\n"
    assert out(h, "cut -d ' ' -f2-", b"a b c\nnodelim\n") == "b c\nnodelim\n"
    assert out(h, "cut -s -d, -f1", b"a,b\nnodelim\n") == "a\n"
    assert out(h, "cut -c1-3", b"abcdef\n") == "abc\n"
    assert out(h, "tr a-z A-Z", b"hello\n") == "HELLO\n"
    assert out(h, "tr -d '\\n'", b"a\nb\n") == "ab"
    assert out(h, "tr -s ' '", b"a   b  c\n") == "a b c\n"
    assert out(h, "tr '[:lower:]' '[:upper:]'", b"mixed Case\n") == "MIXED CASE\n"
    assert out(h, "tr : '\\t'", b"a:b\n") == "a\tb\n"


def test_sort_uniq(h: VirtualHandset) -> None:
    assert out(h, "sort", b"b\na\nc\n") == "a\nb\nc\n"
    assert out(h, "sort -r", b"b\na\nc\n") == "c\nb\na\n"
    assert out(h, "sort -n", b"10\n9\n-1\n100\n") == "-1\n9\n10\n100\n"
    assert out(h, f"sort -k2 -n -r {WORDS}") == "bar 22\nFoo 4\nbaz 3\nfoo 1\n"
    assert out(h, "sort -t: -k2", b"x:b\ny:a\n") == "y:a\nx:b\n"
    assert out(h, "sort -u", b"b\na\nb\n") == "a\nb\n"
    assert out(h, "uniq", b"a\na\nb\na\n") == "a\nb\na\n"
    assert out(h, "uniq -c", b"a\na\nb\n") == "      2 a\n      1 b\n"
    assert out(h, "uniq -d", b"a\na\nb\n") == "a\n"
    assert out(h, "uniq -u", b"a\na\nb\n") == "b\n"
    assert out(h, "sort | uniq -c | sort -rn | head -n 1", b"x\ny\nx\n") == "      2 x\n"


def test_seq(h: VirtualHandset) -> None:
    assert out(h, "seq 3") == "1\n2\n3\n"
    assert out(h, "seq 2 4") == "2\n3\n4\n"
    assert out(h, "seq 5 -2 1") == "5\n3\n1\n"
    assert out(h, "seq 0 0.5 1.5") == "0.0\n0.5\n1.0\n1.5\n"
    assert out(h, "seq -s, 3") == "1,2,3\n"
    assert out(h, "seq -w 8 10") == "08\n09\n10\n"
    assert out(h, "seq 3 1") == ""
    assert out(h, "for i in $(seq 3); do echo -n $i; done") == "123"


def test_printf(h: VirtualHandset) -> None:
    assert out(h, "printf '%s=%d\\n' a 1 b 2") == "a=1\nb=2\n"  # the format repeats for the rest
    assert out(h, "printf '%5.2f|%-4s|%04d|%x|%X|%o|%%\\n' 3.14159 ab 42 255 255 8") == " 3.14|ab  |0042|ff|FF|10|%\n"
    assert out(h, "printf '%s'") == ""
    assert out(h, "printf 'no newline'") == "no newline"
    assert out(h, "printf '\\101\\x42\\t|%b|\\n' 'x\\ny'") == "AB\t|x\ny|\n"
    assert out(h, "printf '%c%c\\n' hello world") == "hw\n"
    assert out(h, "printf '%d\\n' 0x10 010 \"'A\"") == "16\n8\n65\n"
    assert out(h, "printf 'a\\cb'") == "a"
    assert sh(h, "printf '%d\\n' abc") == (1, "0\n", "printf: bad %d abc\n")


def test_date(h: VirtualHandset) -> None:
    wall = 1_700_000_123.456789
    h.shell.clocks = Clocks(wall=lambda: wall)
    assert out(h, "date +%s") == "1700000123\n"
    assert out(h, "date +%s%N") == "1700000123456789000\n"
    assert out(h, "date +%s.%3N") == "1700000123.456\n"
    assert out(h, "date -u '+%Y-%m-%d %H:%M:%S'") == "2023-11-14 22:15:23\n"
    assert out(h, "date") == "Tue Nov 14 22:15:23 UTC 2023\n"
    assert out(h, "date -d @86400 +%F") == "1970-01-02\n"
    assert out(h, "start=$(date +%s); echo $((start % 60))") == "23\n"


def test_basename_dirname_xargs(h: VirtualHandset) -> None:
    assert out(h, "basename /data/local/tmp/trace.pb .pb; basename /a/b/; basename /") == "trace\nb\n/\n"
    assert out(h, "dirname /data/local/tmp/x; dirname x; dirname /x; dirname /a/b/") == "/data/local/tmp\n.\n/\n/a\n"
    assert out(h, "xargs", b"a b\nc\n") == "a b c\n"
    assert out(h, "xargs -n 2 echo item", b"1 2 3\n") == "item 1 2\nitem 3\n"
    h.fs.write("/data/local/tmp/x1", b"")
    assert out(h, "echo /data/local/tmp/x1 | xargs rm; [ -e /data/local/tmp/x1 ] || echo gone") == "gone\n"
    assert sh(h, "xargs frobnicate", b"a\n") == (127, "", "xargs: exec frobnicate: No such file or directory\n")
    assert h.log.unknown_commands == ["frobnicate a"]


def test_sed_subset_and_loud_rest(h: VirtualHandset) -> None:
    assert out(h, "sed 's/o/0/g'", b"foo boo\n") == "f00 b00\n"
    assert out(h, "sed s/o/0/", b"foo\n") == "f0o\n"
    assert out(h, "sed 's|/|_|g'", b"/a/b\n") == "_a_b\n"
    assert out(h, "sed 's/\\([a-z]*\\) \\([0-9]*\\)/\\2=\\1/'", b"foo 12\n") == "12=foo\n"
    assert out(h, "sed -E 's/(o+)/[&]/'", b"foo\n") == "f[oo]\n"
    assert out(h, f"sed -n 3p {NUMBERS}") == "3\n"
    assert out(h, f"sed -n '$p' {NUMBERS}") == "12\n"
    for script in ("y/a/b/", "1d", "/x/d", "'s/a/b/;s/c/d/'", "-i s/a/b/"):
        status, _, err = sh(h, f"sed {script} {WORDS}")
        assert status == 1 and "not implemented by the virtual handset" in err, script


def test_awk_is_not_there(h: VirtualHandset) -> None:
    assert sh(h, "awk '{print $1}' /proc/loadavg") == (127, "", "/system/bin/sh: awk: inaccessible or not found\n")
    assert h.log.unknown_commands == ["awk '{print $1}' /proc/loadavg"]


def test_cat_with_a_missing_file_prints_the_rest(h: VirtualHandset) -> None:
    # toybox cat reports the missing file, carries on, and exits 1.
    assert sh(h, "cat /proc/loadavg /nope /proc/loadavg") == (
        1,
        "1.87 1.62 1.41 2/1532 9873\n" * 2,
        "cat: /nope: No such file or directory\n",
    )


def test_sleep_fractions_and_zero(h: VirtualHandset) -> None:
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    h.shell.clocks = Clocks(sleep=record)
    assert out(h, "sleep 0; sleep 0.05; sleep .5; sleep 1m; sleep 1 2") == ""
    assert slept == [0.0, 0.05, 0.5, 60.0, 3.0]
    assert sh(h, "sleep x") == (1, "", "sleep: bad number 'x'\n")
