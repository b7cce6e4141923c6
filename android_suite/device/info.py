"""What handset a result came from: :class:`DeviceInfo` and its (pure) parsing.

All facts come from ONE shell call (:data:`INFO_ARGV`): boot_id, getprop,
/proc/version, uname -r, /proc/meminfo and the CPU count print as marked
sections, so gathering info costs one round trip (~20 ms on the virtual
handset, more over USB) however many fields we add. Each ``cat`` discards
stderr because old adbd merges it into stdout, where it would corrupt a
section. A missing fact becomes None, never 0: a 0 MB handset in a report
looks like data, None looks like what it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from android_suite.device.soc import classify_soc
from android_suite.errors import ParseError
from android_suite.parsers.getprop import GetpropResult, parse_getprop

__all__ = [
    "INFO_ARGV",
    "KIND_PROP",
    "DeviceInfo",
    "InfoDump",
    "classify_soc",
    "device_info",
    "parse_info_dump",
]

# Virtual handsets set this prop to "virtual-sim" (modelled kernel) or
# "virtual-qemu" (real kernel under QEMU); phones do not have it.
KIND_PROP = "ro.android_suite.kind"

_MARK = "@@android_suite:"
_SECTIONS = ("boot_id", "getprop", "version", "uname", "meminfo", "cpu_possible", "nproc")
_COMMANDS = {
    "boot_id": "cat /proc/sys/kernel/random/boot_id 2>/dev/null",
    "getprop": "getprop 2>/dev/null",
    "version": "cat /proc/version 2>/dev/null",
    "uname": "uname -r 2>/dev/null",
    "meminfo": "cat /proc/meminfo 2>/dev/null",
    # "possible" counts cores hotplug has taken offline; nproc (online cores
    # only) is the fallback for kernels without the file.
    "cpu_possible": "cat /sys/devices/system/cpu/possible 2>/dev/null",
    "nproc": "nproc 2>/dev/null",
}
_SCRIPT = "; ".join(f"echo {_MARK}{name}; {_COMMANDS[name]}" for name in _SECTIONS) + f"; echo {_MARK}end"
INFO_ARGV: tuple[str, ...] = ("sh", "-c", _SCRIPT)


@dataclass(frozen=True)
class DeviceInfo:
    """Identity of one handset, attached to every result record."""

    serial: str
    model: str | None
    brand: str | None
    device: str | None  # ro.product.device, the codename ("oriole")
    soc_vendor: str  # "MediaTek", "Qualcomm", "Google", "Samsung", "Unisoc", ... or "unknown"
    soc_model: str  # "MT6771", "SM8450", "GS101", ... or "unknown"
    android_release: str | None
    sdk: int | None
    kernel_version: str | None  # "5.10.198-android12-9-g1234abcd"
    ram_kb: int | None  # MemTotal
    cores: int | None
    abi: str | None
    build_fingerprint: str | None
    kind: str  # "physical", "virtual-sim" or "virtual-qemu"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON result records."""
        return asdict(self)


@dataclass(frozen=True)
class InfoDump:
    """The sections of one :data:`INFO_ARGV` run, parsed."""

    boot_id: str | None
    getprop: GetpropResult
    kernel_version: str | None
    ram_kb: int | None
    cores: int | None


def _int(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


def _count_cpus(possible: str) -> int | None:
    """'0-7' -> 8, '0-3,6' -> 5; None if unreadable."""
    total = 0
    for part in possible.strip().split(","):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part.strip())
        if m is None:
            return None
        total += int(m.group(2) or m.group(1)) - int(m.group(1)) + 1
    return total or None


def parse_info_dump(text: str) -> InfoDump:
    """Split and parse the output of :data:`INFO_ARGV`.

    Raises:
        ParseError: the end marker is missing (the output was cut off), or
            the getprop section is malformed.
    """
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(_MARK):
            current = sections.setdefault(line[len(_MARK) :].strip(), [])
        elif current is not None:
            current.append(line)
    if "end" not in sections:
        raise ParseError("device-info", "output ended before the end marker (cut off?)")
    body = {name: "\n".join(lines).strip() for name, lines in sections.items()}
    version = re.match(r"Linux version (\S+)", body.get("version", ""))
    mem = re.search(r"^MemTotal:\s+(\d+)\s*kB", body.get("meminfo", ""), re.MULTILINE)
    cores = _count_cpus(body["cpu_possible"]) if body.get("cpu_possible") else None
    return InfoDump(
        boot_id=body.get("boot_id") or None,
        getprop=parse_getprop(body.get("getprop", "") + "\n"),
        kernel_version=version.group(1) if version else (body.get("uname") or None),
        ram_kb=int(mem.group(1)) if mem else None,
        cores=cores if cores is not None else _int(body.get("nproc")),
    )


def device_info(
    serial: str,
    props: Mapping[str, str],
    *,
    kernel_version: str | None = None,
    ram_kb: int | None = None,
    cores: int | None = None,
) -> DeviceInfo:
    """Build a :class:`DeviceInfo` from properties plus /proc facts."""

    def prop(*names: str) -> str | None:
        # First non-empty value: several props moved partitions across
        # Android versions (ro.build.fingerprint -> ro.system.build.fingerprint).
        return next((v for n in names if (v := props.get(n, "").strip())), None)

    vendor, model = classify_soc(props)
    kind = props.get(KIND_PROP, "").strip()
    return DeviceInfo(
        serial=serial,
        model=prop("ro.product.model", "ro.product.vendor.model"),
        brand=prop("ro.product.brand", "ro.product.vendor.brand"),
        device=prop("ro.product.device", "ro.product.vendor.device"),
        soc_vendor=vendor,
        soc_model=model,
        android_release=prop("ro.build.version.release", "ro.build.version.release_or_codename"),
        sdk=_int(prop("ro.build.version.sdk")),
        kernel_version=kernel_version,
        ram_kb=ram_kb,
        cores=cores,
        abi=prop("ro.product.cpu.abi"),
        build_fingerprint=prop("ro.build.fingerprint", "ro.system.build.fingerprint", "ro.vendor.build.fingerprint"),
        kind=kind if kind.startswith("virtual-") else "physical",
    )
