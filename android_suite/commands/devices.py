"""``android-suite devices [--json]``: what the adb server sees, with DeviceInfo (``--inventory``: the farm view)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from android_suite.device.adb import AdbTransport
from android_suite.device.device import Device
from android_suite.device.server import AdbServer
from android_suite.errors import DeviceError, DeviceNotFoundError
from android_suite.options import resolve_adb_port

COLUMNS = (
    "serial",
    "state",
    "model",
    "soc_vendor",
    "soc_model",
    "android_release",
    "sdk",
    "kernel_version",
    "ram_kb",
    "cores",
    "abi",
    "kind",
)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "inventory", None):
        from android_suite.commands.devices_farm import run_farm

        return run_farm(args)
    port = resolve_adb_port(args.adb_port)
    server = AdbServer(port=port)
    listed = server.devices()
    if args.serial:
        listed = [(s, st) for s, st in listed if s == args.serial]
        if not listed:
            raise DeviceNotFoundError(
                "no such device on the adb server",
                serial=args.serial,
                hint=f"check `adb -P {port} devices`; TCP devices need `adb connect HOST:PORT` first",
            )
    rows: list[dict[str, Any]] = []
    for serial, state in listed:
        row: dict[str, Any] = {"serial": serial, "state": state}
        if state == "device":
            try:
                row.update(Device(AdbTransport(serial, port=port)).info().to_dict())
            except DeviceError as exc:
                # One sick phone must not hide the others: report it in its row.
                row["error"] = str(exc)
        rows.append(row)
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    if not rows:
        print(f"no devices on the adb server at port {port} (try: android-suite virtual up)")
        return 0
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in COLUMNS}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS))
    for r in rows:
        print("  ".join(str(r.get(c, "") if r.get(c) is not None else "-").ljust(widths[c]) for c in COLUMNS))
        if "error" in r:
            print(f"  error: {r['error']}")
    return 0
