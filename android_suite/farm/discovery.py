"""Discovery: the inventory merged with what the adb servers list and what each device says.

Every device ends in exactly one row with a ``status``:

- ``ready``: listed in the inventory and attached in state ``device``;
- ``offline`` / ``unauthorized`` / ...: attached, but adb cannot use it (the adb state);
- ``missing``: in the inventory, not on its adb server (unplugged, host down);
- ``unlisted``: attached to a server the inventory names, but not in the inventory
  (usable only when no inventory is given, i.e. ad-hoc discovery).

:func:`merge` is pure (tests feed it listings); :func:`discover` does the I/O:
one ``host:devices`` per server and one info round trip per usable device.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from android_suite.device.info import DeviceInfo
from android_suite.errors import DeviceError
from android_suite.farm.inventory import AdbServerAddr, Inventory, InventoryDevice

READY, MISSING, UNLISTED = "ready", "missing", "unlisted"


@dataclass(frozen=True)
class FarmDevice:
    """One row of the merged view."""

    serial: str
    server: AdbServerAddr
    status: str  # ready | missing | unlisted | an adb state other than "device"
    adb_state: str | None  # None: not attached
    entry: InventoryDevice | None = None
    info: DeviceInfo | None = None
    problems: tuple[str, ...] = field(default=())  # inventory facts the device contradicts, info errors

    @property
    def usable(self) -> bool:
        """Attached in state ``device`` (ready, or unlisted in ad-hoc discovery) with no info error."""
        return self.adb_state == "device" and self.info is not None

    @property
    def soc_vendor(self) -> str | None:
        return self.info.soc_vendor if self.info else (self.entry.soc_vendor if self.entry else None)

    @property
    def model(self) -> str | None:
        return self.info.model if self.info else (self.entry.model if self.entry else None)

    @property
    def tags(self) -> frozenset[str]:
        return self.entry.tags if self.entry else frozenset()

    def to_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "serial": self.serial,
            "adb_server": str(self.server),
            "status": self.status,
            "adb_state": self.adb_state,
            "tags": sorted(self.tags),
            "flashable": bool(self.entry and self.entry.flashable),
            "manifest": str(self.entry.manifest) if self.entry and self.entry.manifest else None,
            "problems": list(self.problems),
        }
        expected = {"soc_vendor": self.soc_vendor, "model": self.model}
        expected["soc_model"] = self.entry.soc_model if self.entry else None
        row.update(self.info.to_dict() if self.info else expected)
        return row


Listings = Mapping[AdbServerAddr, Sequence[tuple[str, str]]]


def merge(
    inventory: Inventory | None,
    listings: Listings,
    infos: Mapping[str, DeviceInfo | str],
) -> list[FarmDevice]:
    """Merge inventory, adb listings and device info (or the error reading it) into rows.

    Inventory devices come first in file order, then unlisted ones by server and serial.
    """
    attached = {serial: (addr, state) for addr, rows in listings.items() for serial, state in rows}
    rows: list[FarmDevice] = []
    for entry in inventory.devices if inventory else ():
        where = attached.pop(entry.serial, None)
        if where is None:
            rows.append(FarmDevice(entry.serial, entry.server, MISSING, None, entry))
            continue
        addr, state = where
        rows.append(_row(entry.serial, addr, state, entry, infos.get(entry.serial), ready=READY))
    for serial, (addr, state) in sorted(attached.items(), key=lambda kv: (str(kv[1][0]), kv[0])):
        rows.append(_row(serial, addr, state, None, infos.get(serial), ready=UNLISTED))
    return rows


def _row(
    serial: str,
    addr: AdbServerAddr,
    state: str,
    entry: InventoryDevice | None,
    got: DeviceInfo | str | None,
    ready: str,
) -> FarmDevice:
    status = ready if state == "device" else state
    problems: list[str] = []
    info = got if isinstance(got, DeviceInfo) else None
    if isinstance(got, str):
        problems.append(f"device info: {got}")
    if entry is not None and entry.server != addr:
        problems.append(f"inventory says adb server {entry.server}, found on {addr}")
    if entry is not None and info is not None:
        for key, expected, seen in (
            ("soc_vendor", entry.soc_vendor, info.soc_vendor),
            ("soc_model", entry.soc_model, info.soc_model),
            ("model", entry.model, info.model),
        ):
            if expected is not None and (seen or "").lower() != expected.lower():
                problems.append(f"inventory says {key} {expected!r}, device says {seen!r}")
    return FarmDevice(serial, addr, status, state, entry, info, tuple(problems))


InfoReader = Callable[[str, AdbServerAddr], DeviceInfo]
Lister = Callable[[AdbServerAddr], list[tuple[str, str]]]


def discover(
    inventory: Inventory | None,
    servers: Sequence[AdbServerAddr] = (),
    *,
    lister: Lister | None = None,
    info_reader: InfoReader | None = None,
) -> list[FarmDevice]:
    """List every server (the inventory's and ``servers``), read info of attached devices, merge.

    A server that does not answer makes its inventory devices ``missing`` with the reason.
    """
    from android_suite.farm import remote

    lister = lister or remote.list_devices
    info_reader = info_reader or read_info
    wanted = list(dict.fromkeys([*(inventory.servers if inventory else ()), *servers]))
    listings: dict[AdbServerAddr, list[tuple[str, str]]] = {}
    dead: dict[AdbServerAddr, str] = {}
    for addr in wanted:
        try:
            listings[addr] = lister(addr)
        except DeviceError as exc:
            dead[addr] = str(exc).splitlines()[0]
    infos: dict[str, DeviceInfo | str] = {}
    for addr, rows in listings.items():
        for serial, state in rows:
            if state == "device":
                try:
                    infos[serial] = info_reader(serial, addr)
                except DeviceError as exc:
                    infos[serial] = str(exc).splitlines()[0]
    merged = merge(inventory, listings, infos)
    return [
        FarmDevice(d.serial, d.server, d.status, None, d.entry, None, (f"adb server down: {dead[d.server]}",))
        if d.status == MISSING and d.server in dead
        else d
        for d in merged
    ]


def read_info(serial: str, addr: AdbServerAddr) -> DeviceInfo:
    """DeviceInfo over the adb server at ``addr`` (one shell round trip)."""
    from android_suite.device.adb import AdbTransport
    from android_suite.device.device import Device

    return Device(AdbTransport(serial, host=addr.host, port=addr.port)).info()
