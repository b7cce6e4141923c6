"""Compare a kernel's config (``/proc/config.gz``) with ``kernel_config`` fragments.

The config is pulled to the host and decompressed there: phones may lack
``zcat``, and binary data through ``adb shell`` is unsafe on old adbd
(shell v1 runs under a PTY, which turns LF into CRLF). ``/proc/config.gz``
exists only with ``CONFIG_IKCONFIG_PROC=y`` (GKI has it; some vendor kernels
build it as ``configs.ko``).

An option a fragment sets to ``n`` ("is not set") matches a kernel that
lacks the symbol altogether: that is how a kernel without the feature looks.
"""

from __future__ import annotations

import gzip
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from android_suite.device.device import Device
from android_suite.errors import ConfigError, ParseError, PermanentDeviceError
from android_suite.kernel.fragments import Fragment
from android_suite.kernel.kconfig import parse_kernel_config

CONFIG_GZ = "/proc/config.gz"
STATUSES = ("match", "mismatch", "missing")


@dataclass(frozen=True)
class CheckRow:
    """One fragment setting against the kernel.

    Attributes:
        fragment, symbol, expected: from the fragment (``n`` for "is not set").
        actual: the kernel's value; None when the kernel's config lacks the symbol.
        status: "match", "mismatch" or "missing" (wanted set, kernel lacks it).
        marker: a project marker, not an upstream Kconfig symbol.
    """

    fragment: str
    symbol: str
    expected: str
    actual: str | None
    status: str
    marker: bool = False


@dataclass(frozen=True)
class CheckReport:
    source: str
    symbols: int
    rows: tuple[CheckRow, ...]

    @property
    def ok(self) -> bool:
        return all(r.status == "match" for r in self.rows)

    def counts(self, fragment: str | None = None) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for r in self.rows:
            if fragment is None or r.fragment == fragment:
                out[r.status] += 1
        return out


def status_of(expected: str, actual: str | None) -> str:
    if expected == "n":
        return "match" if actual in (None, "n") else "mismatch"
    if actual is None:
        return "missing"
    return "match" if actual.strip() == expected.strip() else "mismatch"


def compare(fragments: Sequence[Fragment], config: Mapping[str, str], source: str) -> CheckReport:
    """Every setting of every fragment against ``config`` (pure)."""
    rows = tuple(
        CheckRow(f.name, s.symbol, s.value, config.get(s.symbol), status_of(s.value, config.get(s.symbol)), s.marker)
        for f in fragments
        for s in f.settings
    )
    return CheckReport(source, len(config), rows)


def decode_config(data: bytes, source: str = CONFIG_GZ) -> dict[str, str]:
    """``.config`` from gzip bytes (``config.gz``) or plain text; pure.

    Raises:
        ParseError: corrupt gzip (e.g. a pull cut short) or a line that is not config.
    """
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ParseError(source, f"not a complete gzip stream: {exc}") from exc
    return parse_kernel_config(data)


def read_config_file(path: Path) -> dict[str, str]:
    """A ``.config`` or ``config.gz`` on the host (e.g. from a kernel build tree)."""
    try:
        return decode_config(path.read_bytes(), str(path))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such kernel config file") from None


def read_device_config(device: Device, *, timeout: float = 60.0) -> dict[str, str]:
    """Pull ``/proc/config.gz`` and decode it on the host.

    Raises:
        PermanentDeviceError: the kernel serves no ``/proc/config.gz``.
        ParseError: the file is not a complete config.
    """
    with tempfile.TemporaryDirectory(prefix="android_suite-config-") as tmp:
        local = Path(tmp) / "config.gz"
        try:
            device.pull(CONFIG_GZ, local, timeout=timeout)
        except PermanentDeviceError as exc:
            raise PermanentDeviceError(
                f"cannot read {CONFIG_GZ}: {exc.message}",
                serial=device.serial,
                argv=exc.argv,
                hint="the kernel needs CONFIG_IKCONFIG_PROC=y (or `modprobe configs` where IKCONFIG is a module); "
                "or check a build's .config with --config FILE",
            ) from exc
        return decode_config(local.read_bytes(), f"{CONFIG_GZ} on {device.serial}")


def format_report(report: CheckReport) -> str:
    """A readable table, one row per setting, then a per-fragment summary."""
    header = ("fragment", "symbol", "expected", "actual", "status")
    cells = [
        (r.fragment, r.symbol + (" *" if r.marker else ""), _show(r.expected), _show(r.actual), r.status)
        for r in report.rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header)]
    lines = [f"kernel config: {report.source} ({report.symbols} symbols)", ""]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in (header, *cells)]
    lines.append("")
    for name in dict.fromkeys(r.fragment for r in report.rows):
        c = report.counts(name)
        total = sum(c.values())
        verdict = "satisfied" if c["match"] == total else f"{c['mismatch']} mismatch, {c['missing']} missing"
        lines.append(f"{name}: {c['match']}/{total} match ({verdict})")
    if any(r.marker for r in report.rows):
        lines.append(
            "* project marker, not an upstream Kconfig symbol (kcompressd v1 and Kcompressd-Unofficial have "
            "none): a kernel with the patch but without the marker shows it missing"
        )
    return "\n".join(lines)


def _show(value: str | None) -> str:
    if value is None:
        return "(absent)"
    return "is not set" if value == "n" else value
