"""Typed, path-aware reads from a parsed TOML table, for load-time validation.

Every error is a ConfigError naming the file and the key path
(``app_switch.toml: apps[2].interactions[0].count: expected an integer``),
and :meth:`Table.done` rejects keys nobody read, so a typo never passes
silently as a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from android_suite.errors import ConfigError


class Table:
    """One TOML table and where it sits (``source`` file, ``path`` inside it)."""

    def __init__(self, data: Mapping[str, Any], source: Path, path: str = "") -> None:
        self._data = data
        self._read: set[str] = set()
        self.source = source
        self.path = path

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {self.where(key)}: {message}")

    def has(self, key: str) -> bool:
        return key in self._data

    def _get(self, key: str, required: bool) -> Any:
        self._read.add(key)
        if key not in self._data and required:
            raise self.error(key, "missing (required)")
        return self._data.get(key)

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        return value

    def integer(self, key: str, default: int, *, minimum: int = 0) -> int:
        value = self._get(key, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected an integer, got {value!r}")
        if value < minimum:
            raise self.error(key, f"must be >= {minimum}, got {value}")
        return value

    def number_opt(self, key: str, lo: float, hi: float) -> float | None:
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"expected a number, got {value!r}")
        if not lo <= value <= hi:
            raise self.error(key, f"must be within {lo:g}..{hi:g}, got {value}")
        return float(value)

    def number(self, key: str, default: float, lo: float, hi: float) -> float:
        value = self.number_opt(key, lo, hi)
        return default if value is None else value

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def str_list(self, key: str) -> list[str]:
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, f"expected a list of non-empty strings, got {value!r}")
        return list(value)

    def table(self, key: str) -> Table | None:
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(key, "expected a table")
        return Table(value, self.source, self.where(key))

    def tables(self, key: str) -> list[Table]:
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "expected an array of tables ([[...]])")
        return [Table(v, self.source, f"{self.where(key)}[{i}]") for i, v in enumerate(value)]

    def done(self) -> None:
        """Reject keys that were never read (typos, options this version does not know)."""
        unknown = sorted(set(self._data) - self._read)
        if unknown:
            raise self.error(unknown[0], f"unknown key (known here: {', '.join(sorted(self._read))})")
