"""Build a :class:`FarmPlan` from the pytest options (controller side: may discover devices over adb)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from android_suite.errors import ConfigError
from android_suite.farm.plan import INVENTORY, POOL, SERIALS, Candidate, FarmPlan
from android_suite.farm.pool import PoolSpec, cycled
from android_suite.farm.select import Selection, csv_set


def selection_from(get: Any, serials: tuple[str, ...]) -> Selection:
    """The selection options (``get`` is ``config.getoption`` or an argparse namespace getter)."""
    return Selection(
        serials=frozenset(serials),
        vendors=csv_set(get("android_suite_vendor")),
        models=csv_set(get("android_suite_model")),
        tags=csv_set(get("android_suite_tags")),
        mechanisms=csv_set(get("android_suite_kcompressd_mechanism")),
    )


def mechanism_of(d: Any) -> str | None:
    """The kcompressd mechanism a discovered device's kernel offers (one detect round trip)."""
    from android_suite.device.adb import AdbTransport
    from android_suite.device.device import Device
    from android_suite.kernel.detect import detect_reclaim

    device = Device(AdbTransport(d.serial, host=d.server.host, port=d.server.port))
    found: str | None = detect_reclaim(device, with_config=False).mechanism
    return found


def inventory_plan(path: str, sel: Selection, workers: int, lease_store: str | None, timeout: float) -> FarmPlan:
    """Load, discover and select; one slot per worker that can have a device."""
    from android_suite.farm.discovery import discover
    from android_suite.farm.inventory import load_inventory
    from android_suite.farm.select import select

    inventory = load_inventory(path)
    rows = discover(inventory)
    listed = [d for d in rows if d.entry is not None]  # an inventory run uses only what it lists
    chosen, left_out = select(listed, sel, mechanism_of if sel.mechanisms else None)
    if not chosen:
        why = "; ".join(f"{s}: {w}" for s, w in left_out.items()) or "the inventory lists no device"
        raise ConfigError(f"inventory {path}: no device selected ({why})")
    candidates = tuple(
        Candidate(
            d.serial,
            d.server.host,
            d.server.port,
            bool(d.entry and d.entry.flashable),
            str(d.entry.manifest) if d.entry and d.entry.manifest else None,
        )
        for d in chosen
    )
    return FarmPlan(
        INVENTORY,
        min(max(workers, 1), len(candidates)),
        candidates,
        lease_store=lease_store or inventory.lease_store,
        lease_timeout=timeout,
        health=dict(inventory.health),
        left_out=left_out,
    )


def serials_plan(
    serials: tuple[str, ...], port: int, workers: int, lease_store: str | None, timeout: float
) -> FarmPlan:
    """Phones named by --serial under xdist: each worker leases one of them."""
    candidates = tuple(Candidate(s, "127.0.0.1", port) for s in serials)
    return FarmPlan(SERIALS, min(workers, len(candidates)), candidates, lease_store=lease_store, lease_timeout=timeout)


def pool_plan(profiles: tuple[str, ...], port: int, workers: int, timeout: float) -> FarmPlan:
    """No phone, no inventory, xdist: one virtual handset per worker from one shared pool."""
    directory = Path(tempfile.mkdtemp(prefix="android_suite-pool-"))
    spec = PoolSpec(directory, port, cycled(profiles, workers))
    return FarmPlan(POOL, workers, pool=spec.to_dict(), lease_timeout=timeout)
