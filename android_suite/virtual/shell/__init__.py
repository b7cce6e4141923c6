"""The virtual handset's ``/system/bin/sh``: parser, expansion, interpreter, io helpers."""

from __future__ import annotations

from android_suite.virtual.shell.interp import BASE_ENV, VirtualShell
from android_suite.virtual.shell.io import BufferIO
from android_suite.virtual.shell.parser import ShellSyntaxError, Unsupported, parse

__all__ = ["BASE_ENV", "BufferIO", "ShellSyntaxError", "Unsupported", "VirtualShell", "parse"]
