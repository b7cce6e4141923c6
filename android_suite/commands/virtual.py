"""``android-suite virtual up|down|status``."""

from __future__ import annotations

import argparse
import json
import sys

from android_suite.device.server import AdbServer
from android_suite.options import DEFAULT_PROFILES, resolve_adb_port
from android_suite.virtual.manager import list_fleets, start_fleet, stop_fleet


def up(args: argparse.Namespace) -> int:
    if args.count < 1:
        raise SystemExit("android-suite virtual up: --count must be at least 1")
    kernel = getattr(args, "kernel", "auto")
    default = ("qemu_arm64",) if kernel == "qemu" else DEFAULT_PROFILES  # --kernel qemu: the real-kernel profile
    profiles = [p for p in (args.profile or default) for _ in range(args.count)]
    server = AdbServer(port=resolve_adb_port(args.adb_port))
    server.start()  # idempotent: an already running server is kept as it is
    # Progress to stderr: stdout carries one line per handset, for scripts.
    print(f"starting {len(profiles)} virtual handset(s): {', '.join(profiles)}", file=sys.stderr, flush=True)
    fleet = start_fleet(profiles, no_shell_v2=args.no_shell_v2, kernel=kernel)
    try:
        for ref in fleet.handsets:
            server.connect(ref.serial)
        for ref in fleet.handsets:
            server.wait_for_state(ref.serial, "device", timeout=20.0)
    except BaseException:
        stop_fleet(fleet)
        raise
    for ref in fleet.handsets:
        print(f"{ref.serial}\t{ref.name}\t{ref.model}\tfastboot tcp:127.0.0.1:{ref.fastboot_port}\t{ref.kind}")
    print(f"adb server port {server.port}; stop them with: android-suite virtual down", file=sys.stderr)
    return 0


def down(args: argparse.Namespace) -> int:
    fleets = list_fleets()
    if not fleets:
        print("no virtual handsets running")
        return 0
    server = AdbServer(port=resolve_adb_port(args.adb_port))
    for fleet in fleets:
        for ref in fleet.handsets:
            server.disconnect(ref.serial)  # never raises: the server may be gone already
        stop_fleet(fleet)
        print(f"stopped {', '.join(h.serial for h in fleet.handsets)} (pid {fleet.pid})")
    return 0


def status(args: argparse.Namespace) -> int:
    rows = [
        {
            "pid": f.pid,
            "serial": h.serial,
            "name": h.name,
            "profile": h.profile,
            "model": h.model,
            "fastboot": f"tcp:127.0.0.1:{h.fastboot_port}",
            "control_port": f.control_port,
        }
        for f in list_fleets()
        for h in f.handsets
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("no virtual handsets running")
    else:
        for r in rows:
            print(f"{r['serial']}\t{r['name']}\t{r['model']}\t{r['fastboot']}\tpid {r['pid']}")
    return 0
