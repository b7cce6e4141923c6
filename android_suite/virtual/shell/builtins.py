"""mksh builtins that need the shell's own state: test, read, wait, trap, set, local, ...

They run in the current shell (a table command only sees ``ShellState``);
each takes the runner, the frame, argv and the fds after redirection.
"""

from __future__ import annotations

import re
import shlex

from android_suite.virtual.api import FsError
from android_suite.virtual.commands.context import ExitShell
from android_suite.virtual.shell.arith import ArithError, evaluate
from android_suite.virtual.shell.expand import ifs_regex
from android_suite.virtual.shell.frame import SH, Frame, LoopControl, ReturnFromFunction
from android_suite.virtual.shell.io import Fds
from android_suite.virtual.shell.jobctl import kill, trap, wait
from android_suite.virtual.shell.nodes import ShellSyntaxError
from android_suite.virtual.shell.parser import parse
from android_suite.virtual.shell.runner import BuiltinFn, Runner
from android_suite.virtual.shell.testcmd import Condition, ConditionError
from android_suite.virtual.vfs import normpath


async def _err(fds: Fds, text: str) -> None:
    await fds.out[2](f"{SH}: {text}\n".encode())


async def _unsupported(runner: Runner, fds: Fds, argv: list[str]) -> int:
    line = shlex.join(argv)
    runner.services.log.unknown_commands.append(line)
    await _err(fds, f"{argv[0]}: not implemented by the virtual handset: {line}")
    return 2


async def test(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            await _err(fds, "[: missing ]")
            return 2
        args = args[:-1]

    def arith(expr: str) -> int:
        return evaluate(expr, f.get, f.set)

    try:
        return 0 if Condition(runner.services.fs, f.cwd, f.state.uid, arith).run(args) else 1
    except ConditionError as exc:
        await _err(fds, str(exc) if exc.bare else f"{argv[0]}: {exc}")
        return 2
    except ArithError as exc:
        await _err(fds, str(exc))
        return 2


def split_fields(line: str, ifs: str, count: int) -> list[str]:
    """``read A B C``: IFS splitting into ``count`` fields, the last taking the rest."""
    white = "".join(c for c in " \t\n" if c in ifs)
    other = "".join(c for c in ifs if c not in " \t\n")
    line = line.strip(white) if white else line
    if not ifs:
        return [line]
    delim = ifs_regex(ifs)
    fields: list[str] = []
    pos = 0
    while len(fields) < count - 1:
        m = delim.search(line, pos)
        if m is None:
            break
        fields.append(line[pos : m.start()])
        pos = m.end()
    rest = line[pos:]
    if len(fields) == count - 1 and other and rest and rest[-1] in other and rest.count(rest[-1]) == 1:
        rest = rest[:-1]  # POSIX: one trailing non-white delimiter is dropped from the last field
    fields.append(rest)
    return fields


async def read(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    args = argv[1:]
    raw = False
    while args and args[0].startswith("-") and len(args[0]) > 1:
        flag = args.pop(0)
        if flag == "--":
            break
        if flag != "-r":
            return await _unsupported(runner, fds, argv)
        raw = True
    names = args or ["REPLY"]
    data, newline = await fds.stdin.readline()
    line = data.decode(errors="replace")
    if not raw:
        # Without -r a trailing backslash joins the next line, and backslashes quote.
        while newline and (len(line) - len(line.rstrip("\\"))) % 2 == 1:
            more, newline = await fds.stdin.readline()
            line = line[:-1] + more.decode(errors="replace")
        line = re.sub(r"\\(.)", r"\1", line)
    ifs = f.get("IFS")
    values = split_fields(line, " \t\n" if ifs is None else ifs, len(names))
    for index, name in enumerate(names):
        f.set(name, values[index] if index < len(values) else "")
    return 0 if newline else 1


async def set_(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    args = argv[1:]
    if not args:
        listing = "".join(f"{k}={shlex.quote(v)}\n" for k, v in sorted(f.state.env.items()))
        await fds.out[1](listing.encode())
        return 0
    while args:
        arg = args.pop(0)
        if arg == "--":
            f.params = args
            return 0
        if arg in ("-o", "+o") and args:
            option = args.pop(0)
            flags = {"errexit": "e", "nounset": "u", "pipefail": "p"}
            if option not in flags:
                return await _unsupported(runner, fds, argv)
            arg = arg[0] + flags[option]
        if len(arg) > 1 and arg[0] in "-+":
            for ch in arg[1:]:
                on = arg[0] == "-"
                if ch == "e":
                    f.errexit = on
                elif ch == "u":
                    f.nounset = on
                elif ch == "p" and arg[1:] == "p":
                    f.pipefail = on
                else:
                    return await _unsupported(runner, fds, argv)  # set -x and friends
            continue
        f.params = [arg, *args]
        return 0
    return 0


async def local(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    for arg in argv[1:]:
        if arg.startswith("-"):
            continue  # typeset flags (-i, -r): the values stay strings here
        name, eq, value = arg.partition("=")
        f.make_local(name)
        if eq:
            f.set(name, value)
    return 0


async def _count(fds: Fds, argv: list[str], default: int) -> int | None:
    if len(argv) < 2:
        return default
    if not argv[1].isdigit() or (int(argv[1]) < 1 and argv[0] != "shift"):
        await _err(fds, f"{argv[0]}: {argv[1]}: bad number")
        return None
    return int(argv[1])


async def break_continue(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    count = await _count(fds, argv, 1)
    if count is None:
        return 1
    if f.loop_depth == 0:
        await _err(fds, f"{argv[0]}: can't {argv[0]}")
        return 1
    raise LoopControl(min(count, f.loop_depth), is_break=argv[0] == "break")


async def return_(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    status = int(argv[1]) & 0xFF if len(argv) > 1 and argv[1].lstrip("-").isdigit() else f.state.status
    if not f.locals:
        raise ExitShell(status)  # `return` outside a function ends `sh -c`, as in mksh
    raise ReturnFromFunction(status)


async def shift(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    count = await _count(fds, argv, 1)
    if count is None:
        return 1
    if count > len(f.params):
        await _err(fds, f"shift: {count}: bad number")
        return 1
    f.params = f.params[count:]
    return 0


async def _run_source(runner: Runner, f: Frame, source: str, fds: Fds) -> int:
    try:
        body = parse(source)
    except ShellSyntaxError as exc:
        await _err(fds, str(exc))
        return 2
    saved, f.fds = f.fds, fds
    try:
        return await runner.run_body(body, f)
    finally:
        f.fds = saved


async def eval_(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    return await _run_source(runner, f, " ".join(argv[1:]), fds)


async def dot(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    if len(argv) < 2:
        await _err(fds, f"{argv[0]}: missing argument")
        return 1
    try:
        data = runner.services.fs.read(normpath(argv[1], f.cwd))
    except FsError:
        await _err(fds, f"{argv[0]}: {argv[1]}: not found")
        return 1
    return await _run_source(runner, f, data.decode(errors="replace"), fds)


async def exec_(runner: Runner, f: Frame, argv: list[str], fds: Fds) -> int:
    """``exec CMD``: run it and end the shell with its status (the shell process is replaced)."""
    if len(argv) == 1:
        return 0
    raise ExitShell(await runner.exec_argv(argv[1:], [], f, fds))


BUILTINS: dict[str, BuiltinFn] = {
    "[": test,
    "test": test,
    "read": read,
    "wait": wait,
    "kill": kill,
    "trap": trap,
    "set": set_,
    "local": local,
    "typeset": local,
    "break": break_continue,
    "continue": break_continue,
    "return": return_,
    "shift": shift,
    "eval": eval_,
    ".": dot,
    "source": dot,
    "exec": exec_,
}
