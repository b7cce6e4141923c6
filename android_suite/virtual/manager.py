"""Start, find and stop virtual-handset processes.

The handsets run in a separate Python process (``python -m
android_suite.virtual serve``), so the adb server, adbutils and uiautomator2
reach them over real sockets exactly as they reach a phone, and a crash or a
Ctrl-C in the test run cannot take them down half-way. Each process leaves a
state file (ports, serials, control port); this module reads those files and
imports nothing of the handset itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from android_suite.errors import ConfigError, SuiteError
from android_suite.virtual.control import ControlClient, ControlError

START_TIMEOUT_S = 30.0
QEMU_STOP_TIMEOUT_S = 60.0
QEMU_START_TIMEOUT_S = 180.0  # a TCG guest boots in 10-30 s on an idle 2-core host, slower on a busy one


class VirtualStartError(SuiteError):
    """A virtual-handset process did not come up; carries its log tail."""


@dataclass(frozen=True)
class VirtualHandsetRef:
    """One handset as seen from outside its process."""

    name: str
    profile: str
    serial: str  # "127.0.0.1:PORT", as `adb connect` names it
    adb_port: int
    fastboot_port: int
    model: str
    kind: str = "virtual-sim"  # "virtual-qemu": a real Linux kernel under QEMU backs it


@dataclass(frozen=True)
class Fleet:
    """One virtual-handset process and its handsets."""

    pid: int
    state_file: Path
    control_port: int
    handsets: tuple[VirtualHandsetRef, ...]

    @property
    def control(self) -> ControlClient:
        return ControlClient(self.control_port)

    def by_name(self, name: str) -> VirtualHandsetRef:
        for h in self.handsets:
            if h.name == name:
                return h
        raise ConfigError(f"no virtual handset {name!r}; have {[h.name for h in self.handsets]}")


def default_state_dir() -> Path:
    env = os.environ.get("ANDROID_SUITE_STATE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "android_suite" / "virtual"


def start_fleet(
    profiles: list[str],
    state_dir: Path | None = None,
    *,
    no_shell_v2: bool = False,
    timeout: float = START_TIMEOUT_S,
    kernel: str = "auto",
) -> Fleet:
    """Start one background process with a handset per entry of ``profiles``.

    Waits until the process has written its state file (every endpoint
    listening) or exited, whichever comes first, within ``timeout``.
    """
    if not profiles:
        raise ConfigError("no virtual handset profile given (try --profile mediatek)")
    state_dir = state_dir or default_state_dir()
    state_dir.mkdir(parents=True, exist_ok=True)
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    state_file = state_dir / f"fleet-{stamp}.json"
    log_file = state_dir / f"fleet-{stamp}.log"
    argv = [sys.executable, "-m", "android_suite.virtual", "serve", "--state-file", str(state_file)]
    for p in profiles:
        argv += ["--profile", p]
    if no_shell_v2:
        argv.append("--no-shell-v2")
    argv += ["--kernel", kernel]
    if kernel != "sim" and any(_is_qemu_profile(p) for p in profiles):
        timeout = max(timeout, QEMU_START_TIMEOUT_S)  # the process boots its guests before it says "up"
    with log_file.open("ab") as log:
        # A new session: Ctrl-C in the terminal that ran `virtual up` must not
        # kill the handsets; `virtual down` stops them.
        proc = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if state_file.exists():
            return read_fleet(state_file)
        try:
            proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        break
    if proc.poll() is None:
        proc.kill()
    tail = log_file.read_text(errors="replace")[-3000:] if log_file.exists() else ""
    raise VirtualStartError(
        f"virtual handsets ({', '.join(profiles)}) did not start within {timeout:.0f}s "
        f"(exit code {proc.poll()}); log {log_file}:\n{tail}"
    )


def _is_qemu_profile(name: str) -> bool:
    """Whether a profile asks for a real kernel under QEMU (its ``[qemu]`` section)."""
    from android_suite.virtual.profile import load_profile  # a data file reader, not the handset

    try:
        return load_profile(name).qemu is not None
    except ConfigError:
        return False  # the handset process reports the bad profile itself


def read_fleet(state_file: Path) -> Fleet:
    data: dict[str, Any] = json.loads(state_file.read_text())
    handsets = tuple(
        VirtualHandsetRef(
            name=h["name"],
            profile=h["profile"],
            serial=h["serial"],
            adb_port=h["adb_port"],
            fastboot_port=h["fastboot_port"],
            model=h.get("model", ""),
            kind=h.get("kind", "virtual-sim"),
        )
        for h in data["handsets"]
    )
    return Fleet(pid=data["pid"], state_file=state_file, control_port=data["control_port"], handsets=handsets)


def list_fleets(state_dir: Path | None = None) -> list[Fleet]:
    """Fleets whose process is still alive; stale state files are removed."""
    state_dir = state_dir or default_state_dir()
    fleets = []
    for f in sorted(state_dir.glob("fleet-*.json")):
        try:
            fleet = read_fleet(f)
        except (OSError, ValueError, KeyError):
            continue
        if _alive(fleet.pid):
            fleets.append(fleet)
        else:
            f.unlink(missing_ok=True)
    return fleets


def stop_fleet(fleet: Fleet, timeout: float = 10.0) -> None:
    """Ask the process to stop; kill it if it does not within ``timeout``. Never raises."""
    if any(h.kind == "virtual-qemu" for h in fleet.handsets):
        timeout = max(timeout, QEMU_STOP_TIMEOUT_S)  # it powers its guests off first; a SIGKILL would orphan QEMU
    with contextlib.suppress(ControlError):
        fleet.control.shutdown()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(fleet.pid):
        time.sleep(0.05)  # polling a pid we do not parent: no wait() available
    if _alive(fleet.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(fleet.pid, signal.SIGKILL)
    fleet.state_file.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0); reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True
