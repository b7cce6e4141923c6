"""``android-suite devices --inventory FILE [--json]``: the inventory merged with the adb servers and getprop.

One row per device: inventory devices first (``ready``, ``missing``, or the
adb state such as ``offline``/``unauthorized``), then devices attached to the
inventory's servers that it does not list (``unlisted``); with selection
options (``--vendor``, ``--tags``...) each row also says whether a farm run
would use it, or why not.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from android_suite.farm.discovery import discover
from android_suite.farm.inventory import AdbServerAddr, load_inventory
from android_suite.farm.planning import mechanism_of
from android_suite.farm.select import Selection, csv_set, select

COLUMNS = ("serial", "adb_server", "status", "model", "soc_vendor", "soc_model", "tags", "flashable", "selected")


def run_farm(args: argparse.Namespace) -> int:
    inventory = load_inventory(args.inventory)
    extra = [AdbServerAddr("127.0.0.1", args.adb_port)] if args.adb_port else []
    rows = discover(inventory, extra)
    sel = Selection(
        serials=frozenset([args.serial]) if args.serial else frozenset(),
        vendors=csv_set(args.vendor),
        models=csv_set(args.model),
        tags=csv_set(args.tags),
        mechanisms=csv_set(args.kcompressd_mechanism),
    )
    listed = [d for d in rows if d.entry is not None]
    _, left_out = select(listed, sel, mechanism_of if sel.mechanisms else None)
    out: list[dict[str, Any]] = []
    for d in rows:
        row = d.to_dict()
        row["selected"] = d.entry is not None and d.serial not in left_out
        if not row["selected"]:
            row["why_not"] = left_out.get(d.serial, "not in the inventory")
        out.append(row)
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        print()
        return 0
    servers = ", ".join(map(str, inventory.servers))
    print(f"inventory {inventory.path}: {len(inventory.devices)} device(s); servers {servers}")
    cells = [{c: _cell(r.get(c)) for c in COLUMNS} for r in out]
    widths = {c: max(len(c), *(len(r[c]) for r in cells)) if cells else len(c) for c in COLUMNS}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS))
    for r, full in zip(cells, out, strict=True):
        print("  ".join(r[c].ljust(widths[c]) for c in COLUMNS))
        for problem in full["problems"]:
            print(f"  problem: {problem}")
        if not full["selected"] and full["status"] == "ready":
            print(f"  not selected: {full['why_not']}")
    return 0


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(map(str, value)) or "-"
    return str(value)
