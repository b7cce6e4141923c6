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


def add_device_options(add: AddOption, *, dest_prefix: str = "") -> None:
    """Options that choose the handset(s) and the adb server."""
    add(
        "--serial",
        dest=f"{dest_prefix}serial",
        default=None,
        help="adb serial of the phone to use (default: $ANDROID_SERIAL; without either, virtual handsets are started)",
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
        help=f"virtual handset profiles to start when no phone is given (default: {','.join(DEFAULT_PROFILES)})",
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
