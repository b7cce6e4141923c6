"""Fastboot commands other than ``download``, as a pure function of the bootloader.

Each command yields the reply packets in order (``INFO`` lines, then one
``OKAY`` or ``FAIL``) plus the reboot target to request once they are sent.
Observed from the Debian 29.0.6 CLI: ``flash boot`` resolves the slot itself
(``getvar:has-slot:boot``, ``getvar:current-slot``) and sends ``flash:boot_a``;
``erase boot`` asks ``getvar:partition-type:boot_a`` first; ``set_active b`` and
``--slot b`` ask ``getvar:slot-count``; ``reboot bootloader`` sends
``reboot-bootloader``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from android_suite.virtual.bootloader import Bootloader, BootloaderError


@dataclass
class Outcome:
    """Replies to send, then (if set) the reboot to request: "" = Android, "bootloader"."""

    replies: list[bytes] = field(default_factory=list)
    reboot: str | None = None


def okay(message: str = "") -> Outcome:
    return Outcome([b"OKAY" + message.encode()])


def fail(message: str) -> Outcome:
    return Outcome([b"FAIL" + message.encode()])


# Reboot-like commands: the target handset mode each one requests.
REBOOTS = {"reboot": "", "continue": "", "reboot-bootloader": "bootloader"}


def run_command(bootloader: Bootloader, command: str) -> Outcome:
    """Execute one command line (not ``download``) against ``bootloader``."""
    name, _, arg = command.partition(":")
    if name == "getvar":
        return _getvar(bootloader, arg)
    if command in REBOOTS:
        return Outcome([b"OKAY"], reboot=REBOOTS[command])
    try:
        if name == "flash" and arg:
            bootloader.flash(arg)
        elif name == "erase" and arg:
            bootloader.erase(arg)
        elif name == "set_active" and arg:
            bootloader.set_active(arg)
        else:
            return fail("unknown command")
    except BootloaderError as exc:
        return fail(exc.message)
    return okay()


def _getvar(bootloader: Bootloader, name: str) -> Outcome:
    if name == "all":
        # The CLI prints each INFO as "(bootloader) key:value" and then exits 0.
        lines = [f"INFO{key}:{value}".encode() for key, value in bootloader.getvar_all()]
        return Outcome([*lines, b"OKAY"])
    value = bootloader.getvar(name)
    # A FAIL here still lets `fastboot getvar` exit 0; callers must parse stderr.
    return fail("Unknown variable") if value is None else okay(value)
