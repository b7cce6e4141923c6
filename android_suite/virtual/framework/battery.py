"""The battery: level, charger, current; ``/sys/class/power_supply/battery`` and ``dumpsys battery``.

Current follows what the handset does: a screen-on base load, the
foreground app's activity (high for a few seconds after an interaction) and
CPU time spent in reclaim (``MemoryBackend.cpu_busy``). The sysfs files use
the kernel's sign convention (``Documentation/ABI/testing/sysfs-class-power``):
``current_now`` is in µA, negative while discharging, positive while charging.

A real phone keeps charging after ``dumpsys battery unplug`` (only the
framework's view changes). Here the charger follows the framework's view, as
power tests get on phones with a vendor charge-disable knob: after
``unplug`` (or ``set ac 0`` / ``set usb 0``) the battery discharges.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

CAPACITY_MAH = 4500
BASE_MA = 190.0  # screen on at mid brightness, radios idle
RECLAIM_MA_PER_CORE = 210.0  # a big core busy in reclaim (kswapd/kcompressd/direct)
USB_CHARGE_MA = 1400.0
AC_CHARGE_MA = 3000.0
ACTIVE_WINDOW_S = 5.0  # an interaction keeps the app's power draw up this long
STATUS = {"charging": 2, "discharging": 3, "not charging": 4, "full": 5}
SYSFS_STATUS = {2: "Charging", 3: "Discharging", 4: "Not charging", 5: "Full"}


@dataclass
class Overrides:
    """What ``dumpsys battery set ...`` changed (None = follow the hardware)."""

    ac: bool | None = None
    usb: bool | None = None
    wireless: bool | None = None
    level: int | None = None
    status: int | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.ac, self.usb, self.wireless, self.level, self.status))


class Battery:
    """A 4500 mAh Li-ion cell with a USB charger attached at boot.

    Args:
        now: seconds since boot.
        load_ma: the handset's current draw apart from the base load (app activity, reclaim).
        level: starting charge in percent.
    """

    def __init__(self, now: Callable[[], float], load_ma: Callable[[], float], level: float = 78.0) -> None:
        self._now = now
        self._load_ma = load_ma
        self._level = level
        self._t = now()
        self._rng = random.Random(7)
        self.overrides = Overrides()

    # -- the physical cell -------------------------------------------------------
    @property
    def usb_online(self) -> bool:
        return self.overrides.usb if self.overrides.usb is not None else self.overrides.ac is None

    @property
    def ac_online(self) -> bool:
        return bool(self.overrides.ac)

    @property
    def charger_ma(self) -> float:
        if self.ac_online:
            return AC_CHARGE_MA
        return USB_CHARGE_MA if self.usb_online else 0.0

    def draw_ma(self) -> float:
        return BASE_MA + self._load_ma()

    def net_ma(self) -> float:
        """Into the cell (positive) or out of it (negative)."""
        charge = self.charger_ma
        if charge and self._level >= 100.0:
            charge = self.draw_ma()  # full: the charger only carries the load
        return charge - self.draw_ma()

    def _advance(self) -> None:
        t = self._now()
        dt, self._t = max(0.0, t - self._t), t
        self._level = min(100.0, max(0.0, self._level + self.net_ma() * dt / 3600.0 / CAPACITY_MAH * 100.0))

    @property
    def level(self) -> int:
        self._advance()
        return int(self._level)

    def status(self) -> int:
        self._advance()
        if not self.charger_ma:
            return STATUS["discharging"]
        return STATUS["full"] if self._level >= 100.0 else STATUS["charging"]

    def current_ua(self) -> int:
        self._advance()
        noise = self._rng.uniform(-0.03, 0.03) * self.draw_ma()
        return int((self.net_ma() + noise) * 1000)

    def voltage_uv(self) -> int:
        # A Li-ion open-circuit curve, roughly linear over 20-90 %, plus IR drop/rise with current.
        self._advance()
        ocv = 3.55 + 0.0085 * self._level
        return int((ocv + 0.00012 * self.net_ma()) * 1_000_000)

    # -- sysfs -------------------------------------------------------------------
    def sysfs(self) -> dict[str, Callable[[], bytes]]:
        """Renderers for ``/sys/class/power_supply/battery/*``."""
        return {
            "uevent": lambda: self._uevent().encode(),
            "current_now": lambda: f"{self.current_ua()}\n".encode(),
            "voltage_now": lambda: f"{self.voltage_uv()}\n".encode(),
            "capacity": lambda: f"{self.level}\n".encode(),
            "status": lambda: f"{SYSFS_STATUS[self.status()]}\n".encode(),
            "present": lambda: b"1\n",
            "technology": lambda: b"Li-ion\n",
            "temp": lambda: b"295\n",
            "charge_full": lambda: f"{CAPACITY_MAH * 1000}\n".encode(),
            "charge_counter": lambda: f"{int(self._level * CAPACITY_MAH * 10)}\n".encode(),
        }

    def _uevent(self) -> str:
        rows = [
            ("NAME", "battery"), ("TYPE", "Battery"), ("STATUS", SYSFS_STATUS[self.status()]),
            ("HEALTH", "Good"), ("PRESENT", "1"), ("TECHNOLOGY", "Li-ion"),
            ("VOLTAGE_NOW", str(self.voltage_uv())), ("CURRENT_NOW", str(self.current_ua())),
            ("CAPACITY", str(self.level)), ("TEMP", "295"), ("CHARGE_FULL", str(CAPACITY_MAH * 1000)),
            ("CHARGE_COUNTER", str(int(self._level * CAPACITY_MAH * 10))),
        ]  # fmt: skip
        return "".join(f"POWER_SUPPLY_{k}={v}\n" for k, v in rows)

    # -- dumpsys battery -----------------------------------------------------------
    def dumpsys(self) -> str:
        o = self.overrides
        status = o.status if o.status is not None else self.status()
        level = o.level if o.level is not None else self.level
        lines = ["Current Battery Service state:"]
        if o.active:
            lines.append("  (UPDATES STOPPED -- use 'reset' to restart)")
        lines += [
            f"  AC powered: {_b(self.ac_online)}",
            f"  USB powered: {_b(self.usb_online)}",
            f"  Wireless powered: {_b(bool(o.wireless))}",
            "  Dock powered: false",
            f"  Max charging current: {3000000 if self.ac_online else 1500000 if self.usb_online else 0}",
            f"  Max charging voltage: {9000000 if self.ac_online else 5000000 if self.usb_online else 0}",
            f"  Charge counter: {int(self._level * CAPACITY_MAH * 10)}",
            f"  status: {status}",
            "  health: 2",
            "  present: true",
            f"  level: {level}",
            "  scale: 100",
            f"  voltage: {self.voltage_uv() // 1000}",
            "  temperature: 295",
            "  technology: Li-ion",
        ]
        return "\n".join(lines) + "\n"

    def unplug(self) -> None:
        self.overrides.ac = self.overrides.usb = self.overrides.wireless = False

    def reset(self) -> None:
        self.overrides = Overrides()

    def set(self, key: str, value: str) -> bool:
        """``dumpsys battery set KEY VALUE``; False for an unknown key or a bad value."""
        if not value.lstrip("-").isdigit():
            return False
        number = int(value)
        if key in ("ac", "usb", "wireless"):
            setattr(self.overrides, key, number != 0)
        elif key in ("level", "status"):
            setattr(self.overrides, key, number)
        else:
            return False
        return True


def _b(value: bool) -> str:
    return "true" if value else "false"
