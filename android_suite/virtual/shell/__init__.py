"""The virtual handset's ``/system/bin/sh``: a subset of mksh big enough for the suite's scripts.

lexer/parser -> nodes (syntax tree); expand/patterns/arith (words); runner
(lists, pipelines, compound commands) with builtins/testcmd; interp (the
process: traps, background jobs); io (pipes, redirection plumbing).
"""

from __future__ import annotations

from android_suite.virtual.shell.interp import BASE_ENV, VirtualShell
from android_suite.virtual.shell.io import BufferIO
from android_suite.virtual.shell.nodes import ShellSyntaxError, Unsupported
from android_suite.virtual.shell.parser import parse

__all__ = ["BASE_ENV", "BufferIO", "ShellSyntaxError", "Unsupported", "VirtualShell", "parse"]
