"""Bring up what a run needs (adb server, handsets) and tear it down.

Shared by the pytest plugin and the CLI so that "which handsets, on which adb
server" is decided in one place:

- a phone (``--serial`` / ``$ANDROID_SERIAL``): the user's adb server is used
  as it is, never started or killed by us;
- no phone: a private adb server on a free port plus a virtual-handset
  process, both stopped at the end, whatever happened in between.
"""

from __future__ import annotations

import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from android_suite.options import DEFAULT_PROFILES
from android_suite.virtual.control import ControlClient
from android_suite.virtual.manager import Fleet, VirtualHandsetRef, start_fleet, stop_fleet

if TYPE_CHECKING:
    from android_suite.device.server import AdbServer


@dataclass(frozen=True)
class Target:
    """One handset under test."""

    serial: str
    name: str  # a profile-derived name for virtual handsets, the serial for phones
    kind: str  # "physical" | "virtual-sim"
    virtual: VirtualHandsetRef | None = None
    control: ControlClient | None = None


def free_port() -> int:
    """A currently free loopback TCP port outside adb's emulator probe range (5555-5585)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if not 5554 <= port <= 5586:
            return port


@dataclass
class HandsetSession:
    """Owns the adb server and virtual handsets of one run.

    Args:
        serial: a phone's serial, or None for virtual handsets.
        serials: several phones (their first is ``serial``); one target each.
        adb_port: the adb server port (required for a phone; for virtual
            handsets a private server is started on it, or on a free port).
        profiles: virtual-handset profiles, one handset each.
        state_dir: where the virtual-handset process leaves its state and log.
        no_shell_v2: start virtual handsets that advertise no shell_v2.
    """

    serial: str | None
    adb_port: int | None = None
    # The adb server's host: loopback, or the host a farm inventory names for phones attached elsewhere.
    adb_host: str = "127.0.0.1"
    profiles: tuple[str, ...] = DEFAULT_PROFILES
    state_dir: Path | None = None
    no_shell_v2: bool = False
    kernel: str = "auto"  # virtual handsets: "sim" model, "qemu" real kernel, "auto" (QEMU for [qemu] profiles)
    serials: tuple[str, ...] = ()
    targets: list[Target] = field(default_factory=list)
    # Farm runs (android_suite/farm): handsets leased from a pool or adb server that
    # someone else started and stops; start() only wraps them, stop() leaves them be.
    external: tuple[Target, ...] = ()
    _fleet: Fleet | None = None
    server: AdbServer | None = None

    def __post_init__(self) -> None:
        # `serial` alone (the CLI, older callers) and `serials` (the plugin) describe the same phones.
        if self.serial is not None and not self.serials:
            self.serials = (self.serial,)
        elif self.serials and self.serial is None:
            self.serial = self.serials[0]

    @property
    def is_virtual(self) -> bool:
        return self.serial is None

    def start(self) -> list[Target]:
        # Imported here: the device layer pulls in adbutils, which reads
        # ANDROID_ADB_SERVER_PORT at import time; callers set it first.
        from android_suite.device.server import AdbServer

        if self.external:
            self.server = AdbServer(port=self.adb_port)
            self.targets = list(self.external)
            return self.targets
        if not self.is_virtual:
            assert self.serial is not None
            self.server = AdbServer(port=self.adb_port)
            self.targets = [Target(serial=s, name=s, kind="physical") for s in self.serials]
            return self.targets
        server = AdbServer(port=self.adb_port or free_port())
        self.adb_port = server.port
        server.start()
        self.server = server
        try:
            state_dir = self.state_dir or Path(tempfile.mkdtemp(prefix="android_suite-virtual-"))
            self._fleet = start_fleet(
                list(self.profiles), state_dir, no_shell_v2=self.no_shell_v2, kernel=self.kernel
            )
            for ref in self._fleet.handsets:
                server.connect(ref.serial)
            for ref in self._fleet.handsets:
                server.wait_for_state(ref.serial, "device", timeout=20.0)
                self.targets.append(
                    Target(ref.serial, ref.name, ref.kind, virtual=ref, control=self._fleet.control)
                )
        except BaseException:
            self.stop()
            raise
        return self.targets

    def stop(self) -> None:
        """Stop what we started; never raises, safe to call twice."""
        if self.external:
            self.server = None  # the pool's owner stops its server and handsets
            return
        if self._fleet is not None:
            stop_fleet(self._fleet)
            self._fleet = None
        if self.is_virtual and self.server is not None:
            self.server.stop()
            self.server = None
