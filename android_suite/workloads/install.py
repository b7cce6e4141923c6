"""Put a workload's own APKs on a handset before a run, and take back only what we put there.

An APK is installed when its package is missing or the installed file's
sha256 differs from ours (``pm path`` + ``sha256sum`` of the base.apk, which
the shell may read on a phone); the same bytes are left alone, so a handset
that already has the set costs two shell calls per app. Installing is a push
to ``/data/local/tmp`` and ``pm install -r -t -d`` (an older build of ours
must replace a newer one; ``-d`` works for debuggable apps such as the test
app), each with its own deadline, then the pushed copy is removed.
Afterwards :func:`uninstall_ours` removes only the packages that were not
on the handset before, so a user's own copy survives the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from android_suite.errors import CommandError, DeviceError

if TYPE_CHECKING:
    from android_suite.device.device import Device

STAGING = "/data/local/tmp"
PUSH_TIMEOUT_S = 120.0
INSTALL_TIMEOUT_S = 180.0  # dexopt is nothing for a code-free APK, but a busy phone can take a while
_SHA256 = re.compile(r"^([0-9a-f]{64})\b", re.M)
_FAILURE = re.compile(r"Failure \[([A-Z_]+)(?::\s*(.*?))?\]", re.S)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ApkToInstall:
    """An APK the run needs (``BuiltApk`` from android_suite.apk.build fits)."""

    package: str
    path: Path
    sha256: str


@dataclass(frozen=True)
class InstallRecord:
    """What was done for one package.

    Attributes:
        action: "present" (same bytes already there), "installed" (was missing),
            or "replaced" (another build of it was there; it now has ours).
        previous_sha256: the installed file's hash before, if there was one.
    """

    package: str
    action: str
    sha256: str
    previous_sha256: str | None = None


def parse_pm_path(text: str) -> str | None:
    """The base APK from ``pm path`` output (split APKs list base.apk first), None if none."""
    paths = [line.strip().removeprefix("package:") for line in text.splitlines() if line.startswith("package:")]
    base = [p for p in paths if p.endswith("/base.apk")]
    chosen = base or paths
    return chosen[0] if chosen else None


def parse_sha256sum(text: str) -> str | None:
    found = _SHA256.search(text)
    return found.group(1) if found else None


def installed_sha256(device: Device, package: str) -> str | None:
    """The sha256 of ``package``'s installed base.apk; None when it is not installed."""
    r = device.shell(["pm", "path", package], timeout=30, check=False)
    path = parse_pm_path(r.stdout) if r.exit_code == 0 else None
    if path is None:
        return None
    digest = device.shell(["sha256sum", path], timeout=60, check=False)
    # Unreadable (a vendor build that hides /data/app): treat as different and reinstall.
    return parse_sha256sum(digest.stdout) if digest.exit_code == 0 else "unreadable"


def install_apk(device: Device, apk: ApkToInstall) -> None:
    """Push and ``pm install`` one APK.

    Raises:
        CommandError: Android refused it (the message names the INSTALL_... code).
    """
    remote = f"{STAGING}/asuite-{apk.package}.apk"
    device.push(apk.path, remote, timeout=PUSH_TIMEOUT_S)
    try:
        argv = ["pm", "install", "-r", "-t", "-d", remote]
        r = device.shell(argv, timeout=INSTALL_TIMEOUT_S, check=False)
        if r.exit_code != 0 or "Success" not in r.stdout:
            failure = _FAILURE.search(r.stdout + r.stderr)
            code = failure.group(1) if failure else "unknown failure"
            raise CommandError(
                f"installing {apk.package} failed: {code}",
                serial=device.serial,
                argv=argv,
                exit_code=r.exit_code,
                stdout=r.stdout,
                stderr=r.stderr,
                hint=_hint(code, apk.package),
            )
    finally:
        device.shell(["rm", "-f", remote], timeout=30, check=False)


def _hint(code: str, package: str) -> str:
    if code == "INSTALL_FAILED_UPDATE_INCOMPATIBLE":
        return f"another signer's {package} is installed: `adb uninstall {package}` and run again"
    if code == "INSTALL_FAILED_NO_MATCHING_ABIS":
        return "build the test app for this handset's ABI (ro.product.cpu.abilist)"
    return f"try `adb install -r -t {package}.apk` by hand and read Android's message"


def ensure_installed(
    device: Device, apks: Sequence[ApkToInstall], progress: Progress | None = None
) -> list[InstallRecord]:
    """Install every APK that is missing or differs; returns what was done, in order.

    On a failure, packages installed so far are removed again before the error propagates.
    """
    done: list[InstallRecord] = []
    try:
        for apk in apks:
            current = installed_sha256(device, apk.package)
            if current == apk.sha256:
                done.append(InstallRecord(apk.package, "present", apk.sha256, current))
                continue
            if progress is not None:
                progress(f"[{device.serial}] installing {apk.package} ({'update' if current else 'new'})")
            install_apk(device, apk)
            done.append(InstallRecord(apk.package, "replaced" if current else "installed", apk.sha256, current))
    except DeviceError:
        uninstall_ours(device, done)
        raise
    return done


def uninstall_ours(device: Device, records: Iterable[InstallRecord]) -> list[str]:
    """``pm uninstall`` the packages this run installed fresh; never raises. Returns what was removed."""
    removed = []
    for rec in records:
        if rec.action != "installed":
            continue
        try:
            r = device.shell(["pm", "uninstall", rec.package], timeout=60, check=False)
        except DeviceError:
            continue  # the handset went away; the next run finds the package and keeps it
        if r.exit_code == 0:
            removed.append(rec.package)
    return removed
