"""Option definitions shared by the pytest plugin and the CLI.

Both ``pytest``'s ``parser.addoption`` and argparse's ``add_argument`` accept
the same keywords, so one function defines each option once (the way
pytest-benchmark shares its options between plugin and CLI).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from android_suite.errors import ConfigError

DEFAULT_PROFILES = ("mediatek", "generic_arm")

AddOption = Callable[..., Any]


def profile_list(text: str) -> list[str]:
    """``"mediatek,generic_arm"`` -> ``["mediatek", "generic_arm"]``; rejects empty items."""
    items = [p.strip() for p in text.split(",")]
    if not items or any(not p for p in items):
        raise argparse.ArgumentTypeError(f"bad profile list {text!r}: expected NAME[,NAME...]")
    return items


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range: {port}")
    return port


def add_device_options(add: AddOption, *, dest_prefix: str = "", multi_serial: bool = False) -> None:
    """Options that choose the handset(s) and the adb server.

    ``multi_serial`` makes ``--serial`` repeatable (a list; the pytest plugin);
    the CLI keeps one serial.
    """
    add(
        "--serial",
        dest=f"{dest_prefix}serial",
        default=None,
        **({"action": "append"} if multi_serial else {}),
        help="adb serial of the phone to use"
        + ("; repeat for several phones" if multi_serial else "")
        + " (default: $ANDROID_SERIAL; without either, virtual handsets are started)",
    )
    add(
        "--adb-port",
        dest=f"{dest_prefix}adb_port",
        type=port_number,
        default=None,
        help="adb server port (default: $ANDROID_ADB_SERVER_PORT or 5037 for a phone; "
        "a private server on a free port for virtual handsets)",
    )
    add(
        "--virtual-profiles",
        dest=f"{dest_prefix}virtual_profiles",
        type=profile_list,
        default=None,
        help=f"virtual handset profiles to start when no phone is given (default: {','.join(DEFAULT_PROFILES)}; "
        "qemu_arm64: a real Linux kernel under QEMU, see android-suite kernel-build)",
    )


KCOMPRESSD_STATES = ("on", "off")


def state_list(text: str) -> list[str]:
    """``"on,off"`` -> ``["on", "off"]``; only on/off, each once."""
    items = [s.strip() for s in text.split(",")]
    if not items or any(s not in KCOMPRESSD_STATES for s in items) or len(set(items)) != len(items):
        raise argparse.ArgumentTypeError(f"bad kcompressd state list {text!r}: expected on, off or on,off")
    return items


def add_kcompressd_options(add: AddOption, *, dest_prefix: str = "") -> None:
    """Options for the kcompressd state under test (android_suite.kernel)."""
    add(
        "--kcompressd",
        dest=f"{dest_prefix}kcompressd",
        type=state_list,
        default=None,
        help="kcompressd states to run tests using the `kcompressd` fixture in (default: on,off)",
    )
    add(
        "--kcompressd-manifest",
        dest=f"{dest_prefix}kcompressd_manifest",
        default=None,
        help="boot-image manifest (TOML) that allows reaching a state by flashing, on unlocked handsets",
    )


def resolve_serial(option: str | None) -> str | None:
    """The phone to use: the option, else $ANDROID_SERIAL, else None (virtual)."""
    serial = option or os.environ.get("ANDROID_SERIAL") or None
    if serial is not None and not serial.strip():
        raise ConfigError("empty --serial / ANDROID_SERIAL")
    return serial


def resolve_serials(option: str | list[str] | None) -> tuple[str, ...]:
    """The phones to use: every ``--serial`` given (duplicates dropped), else $ANDROID_SERIAL, else ()."""
    given = [option] if isinstance(option, str) else list(option or [])
    if any(not s.strip() for s in given):
        raise ConfigError("empty --serial")
    if not given:
        env = resolve_serial(None)
        return (env,) if env is not None else ()
    return tuple(dict.fromkeys(s.strip() for s in given))


def resolve_adb_port(option: int | None) -> int:
    """The user's adb server port: the option, else $ANDROID_ADB_SERVER_PORT, else 5037."""
    if option is not None:
        return option
    env = os.environ.get("ANDROID_ADB_SERVER_PORT")
    if env:
        try:
            return port_number(env)
        except argparse.ArgumentTypeError as exc:
            raise ConfigError(f"ANDROID_ADB_SERVER_PORT: {exc}") from None
    return 5037


DEFAULT_ITERATIONS = 3
VIRTUAL_ITERATIONS = 3  # the analysis needs >= 3 per arm for an interval (stats.MIN_ITERATIONS)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {value}")
    return value


def add_scenario_options(add: AddOption, *, dest_prefix: str = "") -> None:
    """Options of the device scenarios (tests/device): the A/B job they share, and what they may do."""
    add(
        "--iterations",
        dest=f"{dest_prefix}iterations",
        type=positive_int,
        default=None,
        help=f"measured iterations per kcompressd arm of the scenarios' A/B run (default {DEFAULT_ITERATIONS}; "
        "on virtual handsets each iteration is also shortened to 1 round of 1 s dwells)",
    )
    add(
        "--workload",
        dest=f"{dest_prefix}workload",
        default=None,
        help="workload TOML of the A/B run and the app_switch fixture (default apk_workloads/app_switch.toml)",
    )
    add(
        "--results",
        dest=f"{dest_prefix}results",
        default=None,
        help="results store of the A/B run: a directory (results.db inside), SQLite file or database URL "
        "(default: results.db under pytest's basetemp, kept with the last few runs)",
    )
    add(
        "--allow-flash",
        dest=f"{dest_prefix}allow_flash",
        action="store_true",
        default=False,
        help="let tests marked `flashes` flash a phone's boot image (virtual handsets are always flashable)",
    )


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0: {value}")
    return value


def add_farm_options(add: AddOption, *, dest_prefix: str = "", pytest_only: bool = True) -> None:
    """Device-farm options (android_suite/farm): the inventory and the selection; leases for pytest."""
    add(
        "--inventory",
        "--farm",
        dest=f"{dest_prefix}inventory",
        default=None,
        help="device-farm inventory (TOML, see farm.example.toml): the devices, their adb servers and tags",
    )
    add("--vendor", dest=f"{dest_prefix}vendor", default=None, help="only SoC vendors in this list (MediaTek,Qualcomm)")
    add("--model", dest=f"{dest_prefix}model", default=None, help="only these ro.product.model values (comma list)")
    add("--tags", dest=f"{dest_prefix}tags", default=None, help="only inventory devices having ALL these tags")
    add(
        "--kcompressd-mechanism",
        dest=f"{dest_prefix}kcompressd_mechanism",
        default=None,
        help="only devices whose kernel offers this kcompressd mechanism (none,build,sysctl,module); "
        "read from each device",
    )
    if not pytest_only:
        return
    add(
        "--lease-timeout",
        dest=f"{dest_prefix}lease_timeout",
        type=non_negative_float,
        default=None,
        help="how long to wait for a free farm device, or for a --serial phone another session holds (default 60 s)",
    )
    add(
        "--lease-store",
        dest=f"{dest_prefix}lease_store",
        default=None,
        help="farm runs across hosts: results-store URL holding the device leases "
        "(default: the inventory's [farm] lease_store; without either, file locks on this host only)",
    )
