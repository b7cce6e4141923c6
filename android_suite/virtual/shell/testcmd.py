"""``test`` / ``[``: mksh's builtin (c_test.c), against the vfs.

mksh evaluates the operands of ``-eq``/``-lt``/... as arithmetic expressions
(``[ x -lt 3 ]`` reads variable x; an empty operand is 0), so the integer
comparisons go through :mod:`arith` and share its 32-bit wrap-around.
"""

from __future__ import annotations

import stat as st
from collections.abc import Callable

from android_suite.virtual.api import FsError
from android_suite.virtual.commands.context import ROOT_UID
from android_suite.virtual.shell.arith import ArithError
from android_suite.virtual.vfs import VirtualFS, normpath

_UNARY = frozenset(f"-{c}" for c in "nzefdrwxsLhbcpStugkOG")
_BINARY = frozenset(["=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"])


class ConditionError(Exception):
    """Status 2 with this message: ``sh: [: message``, or ``sh: message`` when ``bare``
    (arithmetic errors are reported by mksh's evaluator, which does not know it ran for ``[``)."""

    def __init__(self, message: str, *, bare: bool = False) -> None:
        super().__init__(message)
        self.bare = bare


class Condition:
    def __init__(self, fs: VirtualFS, cwd: str, uid: int, arith: Callable[[str], int]) -> None:
        self.fs = fs
        self.cwd = cwd
        self.uid = uid
        self.arith = arith

    def run(self, args: list[str]) -> bool:
        """POSIX's rules by argument count, then a recursive descent for -a / -o / ! / ( )."""
        n = len(args)
        if n == 0:
            return False
        if n == 1:
            return args[0] != ""
        if n == 2:
            if args[0] == "!":
                return args[1] == ""
            if args[0] in _UNARY:
                return self.unary(args[0], args[1])
            raise ConditionError(f"{args[0]}: unexpected operator")
        if n == 3 and args[1] in _BINARY:
            return self.binary(args[0], args[1], args[2])
        if n <= 4 and args[0] == "!":
            return not self.run(args[1:])
        if n == 3 and args[0] == "(" and args[2] == ")":
            return self.run([args[1]])
        self.args, self.i = args, 0
        result = self.or_()
        if self.i != len(args):
            raise ConditionError(f"{args[self.i]}: unexpected operator")
        return result

    def take(self) -> str:
        if self.i >= len(self.args):
            raise ConditionError("missing argument")
        self.i += 1
        return self.args[self.i - 1]

    def peek(self) -> str | None:
        return self.args[self.i] if self.i < len(self.args) else None

    def or_(self) -> bool:
        result = self.and_()
        while self.peek() == "-o":
            self.i += 1
            right = self.and_()
            result = result or right
        return result

    def and_(self) -> bool:
        result = self.not_()
        while self.peek() == "-a":
            self.i += 1
            right = self.not_()
            result = result and right
        return result

    def not_(self) -> bool:
        if self.peek() == "!":
            self.i += 1
            return not self.not_()
        return self.primary()

    def primary(self) -> bool:
        tok = self.take()
        if tok == "(":
            result = self.or_()
            if self.take() != ")":
                raise ConditionError("missing )")
            return result
        if tok in _UNARY and self.peek() is not None:
            return self.unary(tok, self.take())
        if self.peek() in _BINARY and self.i + 1 < len(self.args):
            op = self.take()
            return self.binary(tok, op, self.take())
        return tok != ""

    def unary(self, op: str, arg: str) -> bool:
        if op == "-n":
            return arg != ""
        if op == "-z":
            return arg == ""
        if op == "-t":
            return False  # adb's shell service gives no terminal unless asked for a pty
        path = normpath(arg, self.cwd)
        found = self.fs.stat(path)
        if found is None:
            return False
        mode = found.mode
        checks: dict[str, Callable[[], bool]] = {
            "-e": lambda: True,
            "-f": lambda: st.S_ISREG(mode),
            "-d": lambda: st.S_ISDIR(mode),
            "-s": lambda: found.size > 0,
            "-L": lambda: st.S_ISLNK(mode),
            "-h": lambda: st.S_ISLNK(mode),
            "-b": lambda: st.S_ISBLK(mode),
            "-c": lambda: st.S_ISCHR(mode),
            "-p": lambda: st.S_ISFIFO(mode),
            "-S": lambda: st.S_ISSOCK(mode),
            "-u": lambda: bool(mode & st.S_ISUID),
            "-g": lambda: bool(mode & st.S_ISGID),
            "-k": lambda: bool(mode & st.S_ISVTX),
            "-O": lambda: True,
            "-G": lambda: True,
            "-r": lambda: self.uid == ROOT_UID or bool(mode & 0o444),
            "-w": lambda: self._writable(path, mode),
            "-x": lambda: bool(mode & 0o111),
        }
        return checks[op]()

    def _writable(self, path: str, mode: int) -> bool:
        # access(W_OK) fails on a read-only mount even for root. A directory is probed
        # through a name inside it (check_writable refuses directories themselves).
        probe = path.rstrip("/") + "/.access-probe" if st.S_ISDIR(mode) else path
        try:
            self.fs.check_writable(probe)
        except FsError:
            return False
        return self.uid == ROOT_UID or bool(mode & 0o222)

    def binary(self, left: str, op: str, right: str) -> bool:
        if op in ("=", "=="):
            return left == right
        if op == "!=":
            return left != right
        if op == "<":
            return left < right
        if op == ">":
            return left > right
        if op in ("-nt", "-ot", "-ef"):
            a, b = self.fs.stat(normpath(left, self.cwd)), self.fs.stat(normpath(right, self.cwd))
            if op == "-ef":
                return a is not None and normpath(left, self.cwd) == normpath(right, self.cwd)
            if op == "-nt":
                return a is not None and (b is None or a.mtime > b.mtime)
            return b is not None and (a is None or a.mtime < b.mtime)
        try:
            x, y = self.arith(left), self.arith(right)
        except ArithError as exc:
            raise ConditionError(str(exc), bare=True) from None
        return {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y, "-ge": x >= y}[op]
