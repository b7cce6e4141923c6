"""The virtual-handset pool of an xdist run: ONE handset process with N handsets on ONE adb server.

Why one process for the whole run rather than one per worker: a farm is one
adb server with many devices, and that is what the pool reproduces (workers
lease handsets from it exactly as from phones); it also pays the handset
process's start-up (profile load, lz4 zram calibration) and the adb server's
once instead of N times on a 2-core machine. The cost is that the N
handsets' modelled kernels share one Python process; benchmarks/farm_scaling.py
measures what that gives.

Started lazily by the first worker that needs a handset (under a flock on the
pool directory, so concurrent workers start it once and the others join), and
stopped by the xdist controller at the end of the run (:func:`stop_pool`), so
a run that needs no handset (``-n 8 tests/unit``) starts nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from android_suite.virtual.manager import Fleet, read_fleet, start_fleet, stop_fleet

STATE = "pool.json"


@dataclass(frozen=True)
class PoolSpec:
    """What the controller decided (sent to workers through ``workerinput``)."""

    directory: Path
    adb_port: int
    profiles: tuple[str, ...]  # one handset each, in order

    def to_dict(self) -> dict[str, object]:
        return {"directory": str(self.directory), "adb_port": self.adb_port, "profiles": list(self.profiles)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> PoolSpec:
        profiles = data["profiles"]
        assert isinstance(profiles, list)
        return cls(Path(str(data["directory"])), int(str(data["adb_port"])), tuple(str(p) for p in profiles))


def cycled(profiles: tuple[str, ...], count: int) -> tuple[str, ...]:
    """``count`` profiles taken round-robin: (mediatek, generic_arm) x 3 -> m, g, m."""
    return tuple(itertools.islice(itertools.cycle(profiles), count))


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[int]:
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / "pool.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # held only while the pool starts (seconds)
        yield fd
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def ensure_pool(spec: PoolSpec, timeout: float = 60.0) -> Fleet:
    """The pool's fleet, started (adb server, handset process, `adb connect`s) if no worker has yet."""
    from android_suite.device.server import AdbServer

    with _locked(spec.directory):
        state = spec.directory / STATE
        if state.exists():
            return read_fleet(Path(json.loads(state.read_text())["fleet"]))
        server = AdbServer(port=spec.adb_port).start()
        fleet = start_fleet(list(spec.profiles), spec.directory)
        try:
            for ref in fleet.handsets:
                server.connect(ref.serial)
            for ref in fleet.handsets:
                server.wait_for_state(ref.serial, "device", timeout=timeout)
        except BaseException:
            stop_fleet(fleet)
            server.stop()
            raise
        state.write_text(json.dumps({"fleet": str(fleet.state_file), "adb_port": spec.adb_port}))
        return fleet


def stop_pool(spec: PoolSpec) -> bool:
    """Stop the pool's handsets and adb server if a worker started them; True if there was one. Never raises."""
    state = spec.directory / STATE
    started = state.exists()
    if started:
        from android_suite.device.server import AdbServer

        with contextlib.suppress(Exception):
            stop_fleet(read_fleet(Path(json.loads(state.read_text())["fleet"])))
        AdbServer(port=spec.adb_port).stop()
    shutil.rmtree(spec.directory, ignore_errors=True)
    return started
