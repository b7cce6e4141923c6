"""The handset's restorable state before and after a fault, and what the store holds.

"Restored" means what the suite changes or starts is back as it was: the
kcompressd knob and whether offload is active, the kernel running and the
boot slot and image the bootloader would boot, and none of our helpers left:
no sampler loop or memory eater still running, no eater binary left in
/data/local/tmp. Helpers die when their adb stream closes, which the adb
server does a moment after the host side goes away, so :func:`settle` polls.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, fields
from typing import Any

from android_suite.device.device import Device
from android_suite.errors import DeviceError
from android_suite.kernel.detect import detect_reclaim
from android_suite.results.store import ResultStore
from android_suite.virtual.control import ControlClient
from android_suite.workloads.memeater import REMOTE_PATH

_SAMPLER = re.compile(r"\bN=[0-9a-f]{8}; P=\d+")  # collect/script.py's loop header


@dataclass(frozen=True)
class Snapshot:
    knob: int | None  # vm.kcompressd (None: no knob)
    offload_active: bool | None
    proc_version: str | None
    active_slot: str | None
    boot_sha256: str | None
    helpers: tuple[str, ...]  # our sampler loops and eaters still running
    eater_file: bool

    def brief(self) -> str:
        slot = f"slot {self.active_slot} {self.boot_sha256[:8]}" if self.boot_sha256 else "slot ?"
        running = f"{len(self.helpers)} helper(s) running" if self.helpers else "no helpers running"
        return f"vm.kcompressd={self.knob}, offload={self.offload_active}, {slot}, {running}"


def _status(control: ControlClient, name: str) -> dict[str, Any]:
    return next(h for h in control.status() if h["name"] == name)


def snapshot(device: Device, control: ControlClient, name: str) -> Snapshot:
    setup = detect_reclaim(device, with_config=False)
    eater_file = device.shell(["ls", REMOTE_PATH], timeout=10, check=False).exit_code == 0
    status = _status(control, name)  # after our own commands: they are not in its list
    helpers = tuple(c for c in status.get("running", ()) if _SAMPLER.search(c) or "memeater" in c)
    return Snapshot(
        knob=setup.sysctl_value,
        offload_active=setup.offload_active,
        proc_version=setup.proc_version,
        active_slot=status.get("active_slot"),
        boot_sha256=status.get("boot_sha256"),
        helpers=helpers,
        eater_file=eater_file,
    )


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    out = []
    for f in fields(Snapshot):
        if f.name == "helpers":
            continue
        a, b = getattr(before, f.name), getattr(after, f.name)
        if a != b:
            out.append(f"{f.name}: {a!r} before, {b!r} after")
    out += [f"still running: {c[:80]}" for c in after.helpers]
    return out


def settle(device: Device, control: ControlClient, name: str, before: Snapshot, timeout: float = 20.0) -> Snapshot:
    """The handset's state once it matches ``before`` or ``timeout`` passes (the last one read)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            device.wait_for_boot(timeout=max(1.0, deadline - time.monotonic()))
            now = snapshot(device, control, name)
        except DeviceError:
            if time.monotonic() >= deadline:
                raise
            continue
        if not differences(before, now) or time.monotonic() >= deadline:
            return now
        time.sleep(0.25)  # polling a condition, with a deadline


@dataclass(frozen=True)
class StoreCounts:
    status: str
    reason: str
    iterations: int
    samples: int
    launches: int

    def brief(self) -> str:
        return f"{self.iterations} iterations, {self.samples} samples, {self.launches} launches, run {self.status}"


def counts(url: str, run_id: str | None = None, *, mark_stale: bool = True) -> tuple[StoreCounts, Any]:
    """Counts of one run (the latest when ``run_id`` is None) and its RunData."""
    with ResultStore.open(url, mark_stale=mark_stale) as store:
        if run_id is None:
            latest = store.latest_run()
            if latest is None:
                raise LookupError(f"no run in {url}")
            run_id = latest.run_id
        run = store.load_run(run_id)
    n = StoreCounts(
        str(run.status), str(run.status_reason or ""), len(run.iterations), len(run.samples), len(run.launches)
    )
    return n, run
