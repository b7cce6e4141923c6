"""The health gate run before each farm test: one shell round trip, pure parsing, thresholds.

:data:`HEALTH_ARGV` prints, as marked sections, ``sys.boot_completed``, the
battery's capacity (%) and temperature (tenths of °C, the power_supply ABI)
and ``df -k /data``. The round trip itself is the "adb responsive" check: it
runs with a deadline, and a timeout or a dropped link makes the device
unhealthy with that reason. A fact the device cannot give (no battery node on
a dev board, no ``df``) is "unknown" and does not fail the gate; it is listed
in the result's ``unknown`` so a report can say what was not checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

from android_suite.errors import ConfigError

_MARK = "@@android_suite_health:"
_COMMANDS = (
    ("boot", "getprop sys.boot_completed"),
    ("level", "cat /sys/class/power_supply/battery/capacity 2>/dev/null"),
    ("temp", "cat /sys/class/power_supply/battery/temp 2>/dev/null"),
    ("df", "df -k /data 2>/dev/null"),
)
HEALTH_ARGV: tuple[str, ...] = (
    "sh",
    "-c",
    "; ".join(f"echo {_MARK}{name}; {cmd}" for name, cmd in _COMMANDS) + f"; echo {_MARK}end",
)


@dataclass(frozen=True)
class Thresholds:
    """Limits of the health gate (inventory ``[health]`` table, same keys).

    Attributes:
        min_battery_pct: below this the device is quarantined (a flat battery
            throttles and then powers off mid-run).
        max_temp_c: battery temperature above this (thermal throttling skews
            every timing; most phones start throttling around 40-45 °C).
        min_free_data_mb: free space on /data (APK installs, memory-eater
            binaries, pulled traces).
        timeout_s: deadline of the health round trip (the "adb responsive" check).
    """

    min_battery_pct: float = 20.0
    max_temp_c: float = 45.0
    min_free_data_mb: float = 500.0
    timeout_s: float = 10.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, float], where: str = "[health]") -> Thresholds:
        known = {f.name for f in fields(cls)}
        extra = sorted(set(values) - known)
        if extra:
            raise ConfigError(f"{where}: unknown key(s) {extra}; known: {sorted(known)}")
        return cls(**{k: float(v) for k, v in values.items()})


@dataclass(frozen=True)
class HealthReading:
    """What the health round trip returned (None: the device could not say)."""

    boot_completed: bool
    battery_pct: float | None
    temp_c: float | None
    free_data_mb: float | None


def parse_health(text: str) -> HealthReading:
    """Parse the output of :data:`HEALTH_ARGV` (pure). A cut-off output counts as boot not completed."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(_MARK):
            current = sections.setdefault(line[len(_MARK) :].strip(), [])
        elif current is not None and line.strip():
            current.append(line.strip())
    complete = "end" in sections
    boot = complete and sections.get("boot", [""])[:1] == ["1"]
    return HealthReading(
        boot_completed=boot,
        battery_pct=_number(sections.get("level")),
        temp_c=(t / 10.0) if (t := _number(sections.get("temp"))) is not None else None,
        free_data_mb=_df_free_mb(sections.get("df", [])),
    )


def _number(lines: list[str] | None) -> float | None:
    if not lines:
        return None
    try:
        return float(lines[0])
    except ValueError:
        return None


def _df_free_mb(lines: list[str]) -> float | None:
    """``df -k``: header, then "Filesystem 1K-blocks Used Available Use% Mounted"; toybox and
    busybox both; a long device name may wrap the row onto two lines (old busybox)."""
    rows = [ln for ln in lines if not ln.lower().startswith("filesystem")]
    numbers = [int(x) for x in re.findall(r"(?<!\S)(\d+)(?!\S)", " ".join(rows))]
    # 1K-blocks, Used, Available: the third number of the row is what is free.
    return numbers[2] / 1024.0 if len(numbers) >= 3 else None


def problems(reading: HealthReading, limits: Thresholds) -> list[str]:
    """Why the device is unhealthy (empty: healthy). Unknown facts are not problems."""
    out: list[str] = []
    if not reading.boot_completed:
        out.append("boot not completed (sys.boot_completed != 1)")
    if reading.battery_pct is not None and reading.battery_pct < limits.min_battery_pct:
        out.append(f"battery {reading.battery_pct:g}% < {limits.min_battery_pct:g}%")
    if reading.temp_c is not None and reading.temp_c > limits.max_temp_c:
        out.append(f"battery temperature {reading.temp_c:g} °C > {limits.max_temp_c:g} °C")
    if reading.free_data_mb is not None and reading.free_data_mb < limits.min_free_data_mb:
        out.append(f"free /data {reading.free_data_mb:.0f} MB < {limits.min_free_data_mb:g} MB")
    return out


def unknown(reading: HealthReading) -> list[str]:
    """The facts the device did not give (reported, not failed)."""
    names = {"battery_pct": "battery level", "temp_c": "battery temperature", "free_data_mb": "free /data"}
    return [label for attr, label in names.items() if getattr(reading, attr) is None]
