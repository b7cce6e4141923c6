"""The farm inventory: a TOML file naming the handsets a farm may use (see ``farm.example.toml``).

Loaded once and validated whole: every problem is a :class:`ConfigError`
that names the file, the device (its serial) and the key, because an
inventory is edited by hand on a farm host and read at 3 a.m. by a nightly
job; "bad value" without a place is useless then.

Layout::

    [farm]                        # optional
    adb_server = "127.0.0.1:5037" # default server for devices that name none
    lease_store = "postgresql+psycopg://farm@db/results"   # cross-host leases (optional)

    [health]                      # optional: thresholds of the health gate (health.py)
    min_battery_pct = 20

    [[device]]
    serial = "0123456789ABCDEF"
    adb_server = "lab-host-2:5037"  # the host the phone is plugged into
    tags = ["nightly", "mtk"]
    soc_vendor = "MediaTek"
    soc_model = "MT6895"
    flashable = true
    manifest = "kernel_config/manifests/mt6895.toml"  # relative to the inventory file
    [device.power]                # collect/power*.py calibration, overriding detection
    current_unit = "uA"
    current_sign = "charge_positive"
    voltage_unit = "uV"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from android_suite.collect.power_records import CurrentSign, CurrentUnit, PowerCalibration, VoltageUnit
from android_suite.errors import ConfigError
from android_suite.farm.health import Thresholds

DEFAULT_SERVER = "127.0.0.1:5037"
_DEVICE_KEYS = {"serial", "adb_server", "tags", "soc_vendor", "soc_model", "model", "flashable", "manifest", "power"}
_TOP_KEYS = {"farm", "health", "device"}
_FARM_KEYS = {"adb_server", "lease_store"}


@dataclass(frozen=True)
class AdbServerAddr:
    """Where an adb server listens (the host a phone is plugged into)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class InventoryDevice:
    """One handset the farm may use. Facts given here are checked against what the device says."""

    serial: str
    server: AdbServerAddr
    tags: frozenset[str] = frozenset()
    soc_vendor: str | None = None  # expected; None: take what getprop says
    soc_model: str | None = None
    model: str | None = None  # ro.product.model, expected
    flashable: bool = False  # unlocked bootloader, boot images may be written
    manifest: Path | None = None  # boot-image manifest (kernel_config/README.md)
    power: PowerCalibration | None = None


@dataclass(frozen=True)
class Inventory:
    """A loaded inventory: its devices (in file order), the default server, health overrides."""

    path: Path
    devices: tuple[InventoryDevice, ...]
    default_server: AdbServerAddr
    lease_store: str | None = None
    health: Mapping[str, float] = field(default_factory=dict)

    def by_serial(self, serial: str) -> InventoryDevice | None:
        return next((d for d in self.devices if d.serial == serial), None)

    @property
    def servers(self) -> tuple[AdbServerAddr, ...]:
        """Every adb server the inventory names, default first, each once."""
        return tuple(dict.fromkeys([self.default_server, *(d.server for d in self.devices)]))


def parse_server(text: str, where: str) -> AdbServerAddr:
    """``"host:port"`` (or ``"port"``, meaning loopback) -> AdbServerAddr."""
    host, _, port = text.strip().rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise ConfigError(f"{where}: adb_server {text!r} is not HOST:PORT") from None
    if not 1 <= number <= 65535:
        raise ConfigError(f"{where}: adb_server {text!r}: port out of range")
    return AdbServerAddr(host or "127.0.0.1", number)


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate an inventory file.

    Raises:
        ConfigError: unreadable file, bad TOML, an unknown key, a wrong type,
            a duplicate serial; the message names file, device and key.
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text())
    except OSError as exc:
        raise ConfigError(f"inventory {p}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"inventory {p}: not valid TOML: {exc}") from exc
    return inventory_from_dict(data, p)


def inventory_from_dict(data: Mapping[str, Any], path: Path) -> Inventory:
    """Validate an already parsed inventory (``path`` names it in errors and anchors relative paths)."""
    _unknown(data, _TOP_KEYS, f"inventory {path}")
    farm = _table(data, "farm", f"inventory {path}")
    _unknown(farm, _FARM_KEYS, f"inventory {path} [farm]")
    default = parse_server(_str(farm, "adb_server", f"inventory {path} [farm]") or DEFAULT_SERVER, f"{path} [farm]")
    health = _table(data, "health", f"inventory {path}")
    _unknown(health, {f.name for f in fields(Thresholds)}, f"inventory {path} [health]")
    for key, value in health.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"inventory {path} [health]: {key} must be a number, got {value!r}")
    raw = data.get("device", [])
    if not isinstance(raw, list):
        raise ConfigError(f"inventory {path}: [[device]] must be an array of tables")
    devices: list[InventoryDevice] = []
    for i, entry in enumerate(raw):
        dev = _device(entry, i, path, default)
        if any(d.serial == dev.serial for d in devices):
            raise ConfigError(f"inventory {path}: device {dev.serial!r} is listed twice")
        devices.append(dev)
    store = _str(farm, "lease_store", f"inventory {path} [farm]")
    return Inventory(path, tuple(devices), default, store, {k: float(v) for k, v in health.items()})


def _device(entry: Any, index: int, path: Path, default: AdbServerAddr) -> InventoryDevice:
    if not isinstance(entry, dict):
        raise ConfigError(f"inventory {path}: device #{index + 1} is not a table")
    serial = entry.get("serial")
    if not isinstance(serial, str) or not serial.strip():
        raise ConfigError(f"inventory {path}: device #{index + 1}: key 'serial' is missing or empty")
    where = f"inventory {path}: device {serial!r}"
    _unknown(entry, _DEVICE_KEYS, where)
    server = _str(entry, "adb_server", where)
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise ConfigError(f"{where}: key 'tags' must be a list of non-empty strings, got {tags!r}")
    flashable = entry.get("flashable", False)
    if not isinstance(flashable, bool):
        raise ConfigError(f"{where}: key 'flashable' must be true or false, got {flashable!r}")
    manifest = _str(entry, "manifest", where)
    manifest_path = (path.parent / manifest).resolve() if manifest else None
    if manifest_path is not None and not manifest_path.is_file():
        raise ConfigError(f"{where}: key 'manifest': no such file {manifest_path}")
    return InventoryDevice(
        serial=serial.strip(),
        server=parse_server(server, where) if server else default,
        tags=frozenset(t.strip() for t in tags),
        soc_vendor=_str(entry, "soc_vendor", where),
        soc_model=_str(entry, "soc_model", where),
        model=_str(entry, "model", where),
        flashable=flashable,
        manifest=manifest_path,
        power=_power(entry.get("power"), where),
    )


def _power(raw: Any, where: str) -> PowerCalibration | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: key 'power' must be a table")
    kinds: dict[str, type[CurrentUnit] | type[CurrentSign] | type[VoltageUnit]] = {
        "current_unit": CurrentUnit,
        "current_sign": CurrentSign,
        "voltage_unit": VoltageUnit,
    }
    _unknown(raw, set(kinds), f"{where} [power]")
    values: dict[str, Any] = {}
    for key, kind in kinds.items():
        value = raw.get(key)
        allowed = [m.value for m in kind]
        if value not in allowed:
            raise ConfigError(f"{where}: key 'power.{key}' must be one of {allowed}, got {value!r}")
        values[key] = kind(value)
    return PowerCalibration(**values)


def _unknown(table: Mapping[str, Any], known: set[str], where: str) -> None:
    extra = sorted(set(table) - known)
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {extra}; known: {sorted(known)}")


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _str(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: key {key!r} must be a non-empty string, got {value!r}")
    return value.strip()
