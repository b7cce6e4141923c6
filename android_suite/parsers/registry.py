"""Every parser by kind name, for ``android-suite parse KIND FILE`` and collectors.

Modules are imported only when a parser is used, so listing the kinds (for
``--help``) imports nothing, and a kind whose module is still being written
fails only when it is actually asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from android_suite.errors import ConfigError

_P = "android_suite.parsers."


@dataclass(frozen=True)
class ParserSpec:
    """Where a parser lives and what it reads.

    Attributes:
        module: dotted module path.
        function: the parser's name in that module; it takes ``str | bytes``.
        description: one line for ``--help``.
    """

    module: str
    function: str
    description: str

    def load(self) -> Callable[[str | bytes], Any]:
        """Import the module and return the parser.

        Raises:
            ConfigError: the module or function does not exist (yet).
        """
        try:
            mod = importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            raise ConfigError(f"parser module {self.module} is not available: {exc}") from exc
        fn = getattr(mod, self.function, None)
        if not callable(fn):
            raise ConfigError(f"{self.module} has no parser function {self.function!r}")
        return fn  # type: ignore[no-any-return]


KINDS: dict[str, ParserSpec] = {
    "getprop": ParserSpec(_P + "getprop", "parse_getprop", "`getprop` property dump"),
    "vmstat": ParserSpec(_P + "vmstat", "parse_vmstat", "/proc/vmstat counters"),
    "mm_stat": ParserSpec(_P + "zram", "parse_mm_stat", "/sys/block/zramN/mm_stat"),
    "io_stat": ParserSpec(_P + "zram", "parse_io_stat", "/sys/block/zramN/io_stat"),
    "bd_stat": ParserSpec(_P + "zram", "parse_bd_stat", "/sys/block/zramN/bd_stat (writeback)"),
    "comp_algorithm": ParserSpec(_P + "zram", "parse_comp_algorithm", "/sys/block/zramN/comp_algorithm"),
    "disksize": ParserSpec(_P + "zram", "parse_disksize", "/sys/block/zramN/disksize"),
    "max_comp_streams": ParserSpec(_P + "zram", "parse_max_comp_streams", "/sys/block/zramN/max_comp_streams"),
    "swaps": ParserSpec(_P + "swaps", "parse_swaps", "/proc/swaps"),
    "meminfo": ParserSpec(_P + "meminfo", "parse_meminfo", "/proc/meminfo"),
    "psi": ParserSpec(_P + "psi", "parse_psi", "/proc/pressure/{cpu,memory,io}"),
    "proc_stat": ParserSpec(_P + "procstat", "parse_proc_stat", "/proc/<pid>/stat: one task's comm, state, CPU times"),
    "ps": ParserSpec(_P + "ps", "parse_ps", "`ps -A` / `ps -eo ...` process table"),
    "gfxinfo": ParserSpec(_P + "gfxinfo", "parse_gfxinfo", "`dumpsys gfxinfo PKG` jank summary"),
    "framestats": ParserSpec(_P + "framestats", "parse_framestats", "`dumpsys gfxinfo PKG framestats` frame rows"),
    "am_start": ParserSpec(_P + "am_start", "parse_am_start", "`am start -W` launch result"),
    "dumpsys_meminfo": ParserSpec(_P + "dumpsys_meminfo", "parse_meminfo_package", "`dumpsys meminfo PKG`"),
    "dumpsys_meminfo_summary": ParserSpec(
        _P + "dumpsys_meminfo_summary", "parse_meminfo_summary", "system-wide `dumpsys meminfo` (RAM, ZRAM)"
    ),
    "dumpsys_battery": ParserSpec(_P + "battery", "parse_dumpsys_battery", "`dumpsys battery`"),
    "power_supply_uevent": ParserSpec(
        _P + "battery", "parse_power_supply_uevent", "/sys/class/power_supply/NAME/uevent"
    ),
    "sysfs_int": ParserSpec(_P + "battery", "parse_sysfs_int", "one-integer sysfs file (current_now, voltage_now)"),
    "lmkd": ParserSpec(_P + "lmkd", "parse_lmkd_kills", "lmkd / lowmemorykiller kills in logcat"),
    "testapp_log": ParserSpec(_P + "testapp_log", "parse_testapp_log", "the suite's test app's ASuiteApp lines"),
}


def get_parser(kind: str) -> Callable[[str | bytes], Any]:
    """The parser for ``kind``.

    Raises:
        ConfigError: unknown kind, or its module/function is missing.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ConfigError(f"unknown parser kind {kind!r} (known: {', '.join(sorted(KINDS))})")
    return spec.load()
