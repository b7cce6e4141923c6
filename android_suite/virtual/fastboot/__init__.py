"""Fastboot over TCP for virtual handsets: framing, commands and the listener."""

from android_suite.virtual.fastboot.commands import Outcome, run_command
from android_suite.virtual.fastboot.endpoint import FastbootEndpoint

__all__ = ["FastbootEndpoint", "Outcome", "run_command"]
