"""Which of a workload's apps a handset can run: its packages against the app list and fallbacks.

Handsets differ: a Xiaomi has ``com.android.camera``, a Pixel
``com.google.android.GoogleCamera``; Chinese ROMs ship no Google apps. Each
app resolves to its first installed candidate (the package, then its
fallbacks in order), or to installing its APK, or is dropped with the reason,
so a report can say exactly which apps a run used and why others are missing.
:func:`resolve_apps` and :func:`parse_package_list` are pure; only
:func:`resolve_on_device` talks to the handset (one ``pm list packages``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from android_suite.errors import ConfigError, ParseError
from android_suite.parsers.text import as_text, split_lines
from android_suite.workloads.definition import AppSpec, Workload

if TYPE_CHECKING:  # the pure part (and build.sh, via the package) must not need adbutils
    from android_suite.device.device import Device


@dataclass(frozen=True)
class ResolvedApp:
    """An app the run will use.

    Attributes:
        spec: the workload's entry.
        package: the package chosen (the spec's own or a fallback).
        activity: its launch activity (None: use the launcher intent).
        fallback: True when ``package`` is one of the spec's fallbacks.
        install: the APK to install first (no candidate was installed), else None.
    """

    spec: AppSpec
    package: str
    activity: str | None
    fallback: bool
    install: Path | None = None


@dataclass(frozen=True)
class DroppedApp:
    """An app the run cannot use, and why (for the report)."""

    spec: AppSpec
    reason: str


@dataclass(frozen=True)
class Resolution:
    """The outcome for one handset: apps in the workload's order, plus the dropped ones."""

    apps: tuple[ResolvedApp, ...]
    dropped: tuple[DroppedApp, ...]

    def require(self, workload: Workload) -> Resolution:
        """Self, or ConfigError when fewer than ``workload.min_apps`` resolved."""
        if len(self.apps) < workload.min_apps:
            why = "; ".join(f"{d.spec.label}: {d.reason}" for d in self.dropped)
            raise ConfigError(
                f"{workload.source}: only {len(self.apps)} of {len(workload.apps)} apps are available on this "
                f"handset, {workload.min_apps} needed ({why})"
            )
        return self


def parse_package_list(text: str | bytes) -> frozenset[str]:
    """Package names from ``pm list packages`` (``package:NAME`` lines; ``-f`` and ``-i`` forms too)."""
    lines, truncated = split_lines(as_text(text))
    if truncated:
        lines = lines[:-1]  # a name cut short would look like another package
    names: set[str] = set()
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        if not line.startswith("package:"):
            raise ParseError("pm list packages", f"unexpected line {line[:80]!r}", number)
        entry = line.removeprefix("package:").split()[0]  # drop "  installer=..." (-i)
        names.add(entry.rsplit("=", 1)[-1])  # "-f": /data/app/.../base.apk=NAME
    return frozenset(names)


def resolve_apps(workload: Workload, installed: Collection[str]) -> Resolution:
    """Pick a package for every app of ``workload`` given the handset's ``installed`` packages."""
    chosen: list[ResolvedApp] = []
    dropped: list[DroppedApp] = []
    taken: dict[str, str] = {}  # package -> label of the app that uses it
    for spec in workload.apps:
        free = [c for c in spec.candidates if c.package in installed and c.package not in taken]
        if free:
            pick = free[0]
            chosen.append(ResolvedApp(spec, pick.package, pick.activity, pick.package != spec.package))
        elif spec.apk is not None and spec.package not in taken:
            chosen.append(ResolvedApp(spec, spec.package, spec.activity, False, install=spec.apk))
        else:
            dropped.append(DroppedApp(spec, _why(spec, installed, taken)))
            continue
        taken[chosen[-1].package] = spec.label
    return Resolution(tuple(chosen), tuple(dropped))


def _why(spec: AppSpec, installed: Collection[str], taken: dict[str, str]) -> str:
    used = [f"{c.package} (already used by {taken[c.package]})" for c in spec.candidates if c.package in taken]
    if used:
        return "its only installed candidates are taken: " + ", ".join(used)
    names = ", ".join(c.package for c in spec.candidates)
    return f"not installed: {names}" + ("" if spec.apk is None else "; APK already claimed")


def installed_packages(device: Device) -> frozenset[str]:
    """Every package on the handset (``pm list packages``, all users' system and third-party apps)."""
    return parse_package_list(device.shell(["pm", "list", "packages"]).stdout)


def resolve_on_device(device: Device, workload: Workload) -> Resolution:
    """:func:`resolve_apps` against ``device``'s packages."""
    return resolve_apps(workload, installed_packages(device))
