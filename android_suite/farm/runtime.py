"""One pytest process's part of a farm run: lease one device, wrap it in a session, gate each test.

A process (an xdist worker, or the only process) holds at most one device:
the first free candidate by file lock (this host) and, with a lease store, by
database lease (all hosts). The lease lives until the process ends; the OS
drops the file lock even on SIGKILL, and a dead holder's database lease expires.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from android_suite.errors import DeviceError
from android_suite.farm import health, locks
from android_suite.farm.inventory import AdbServerAddr
from android_suite.farm.plan import POOL, Candidate, FarmPlan
from android_suite.farm.pool import PoolSpec, ensure_pool

if TYPE_CHECKING:
    from android_suite.farm.leases import DbLease
    from android_suite.session import HandsetSession, Target


class NoFreeDevice(DeviceError):
    """Every candidate stayed leased by others until the lease timeout."""


@dataclass
class Lease:
    """What this process holds."""

    candidate: Candidate
    file_lock: locks.FileLease
    db_lease: DbLease | None = None

    def release(self) -> None:
        if self.db_lease is not None:
            self.db_lease.release()
        self.file_lock.release()


@dataclass
class FarmRuntime:
    plan: FarmPlan
    lease: Lease | None = None
    session: HandsetSession | None = None
    quarantined: dict[str, str] = field(default_factory=dict)  # serial -> reason (latest)
    thresholds: health.Thresholds = field(default_factory=health.Thresholds)

    def __post_init__(self) -> None:
        self.thresholds = health.Thresholds.from_mapping(self.plan.health, "inventory [health]")

    @property
    def server(self) -> AdbServerAddr | None:
        return self.lease.candidate.server if self.lease else None

    def start_session(self) -> HandsetSession:
        """Lease a device (starting the pool first in pool mode) and wrap it in a started HandsetSession."""
        from android_suite.farm.remote import point_default_client
        from android_suite.session import HandsetSession, Target

        if self.session is not None:
            return self.session
        targets: dict[str, Target] = {}
        candidates = list(self.plan.candidates)
        if self.plan.mode == POOL:
            assert self.plan.pool is not None
            spec = PoolSpec.from_dict(self.plan.pool)
            fleet = ensure_pool(spec)
            candidates = [Candidate(r.serial, "127.0.0.1", spec.adb_port, flashable=True) for r in fleet.handsets]
            targets = {
                r.serial: Target(r.serial, r.name, "virtual-sim", virtual=r, control=fleet.control)
                for r in fleet.handsets
            }
        self.lease = self._take(candidates)
        c = self.lease.candidate
        point_default_client(c.server)
        if c.serial in targets:
            target = targets[c.serial]
            assert target.virtual is not None
            # Every pool profile, not just this handset's: run_once builds the boot-image
            # manifest for the session's profiles into ONE shared cache file, and workers
            # writing different profile sets would overwrite each other's entries.
            profiles = tuple(dict.fromkeys(h.profile for h in fleet.handsets))
            session = HandsetSession(serial=None, adb_port=c.port, profiles=profiles, external=(target,))
        else:
            session = HandsetSession(serial=c.serial, adb_port=c.port, adb_host=c.host)
        session.start()
        self.session = session
        return session

    def _take(self, candidates: list[Candidate]) -> Lease:
        """The first candidate free here (file lock) and, with a lease store, on every host (db lease)."""
        import threading

        take_db = None
        if self.plan.lease_store:
            from android_suite.farm.leases import take
            from android_suite.results.store import ResultStore

            engine = ResultStore.open(self.plan.lease_store, mark_stale=False).engine

            def take_db(serial: str) -> DbLease | None:
                return take(engine, serial)

        deadline = time.monotonic() + self.plan.lease_timeout
        pause = threading.Event()  # never set: an interruptible pause between polls
        while True:
            for c in candidates:
                file_lock = locks.try_lock(c.serial)
                if file_lock is None:
                    continue  # another process on this host has it
                if take_db is None:
                    return Lease(c, file_lock)
                db = take_db(c.serial)
                if db is not None:
                    db.start_heartbeat()
                    return Lease(c, file_lock, db)
                file_lock.release()  # leased from another host
            left = deadline - time.monotonic()
            if left <= 0:
                held = "; ".join(f"{c.serial} ({locks.holder_of(c.serial) or 'another host'})" for c in candidates)
                raise NoFreeDevice(
                    f"no free farm device within {self.plan.lease_timeout:g} s; all leased: {held}",
                    hint="wait for the other runs, add devices, or raise --lease-timeout",
                )
            pause.wait(min(0.2, left))

    def release(self) -> None:
        """Give the device back; never raises."""
        if self.session is not None:
            self.session.stop()
            self.session = None
        if self.lease is not None:
            self.lease.release()
            self.lease = None

    def check(self, test: str) -> list[str]:
        """Run the health gate on the leased device: the reasons it is unhealthy (empty: go)."""
        from android_suite.device.adb import AdbTransport
        from android_suite.device.device import Device

        assert self.lease is not None
        if self.lease.db_lease is not None and self.lease.db_lease.lost:
            return [self.lease.db_lease.lost]
        c = self.lease.candidate
        device = Device(AdbTransport(c.serial, host=c.host, port=c.port))
        try:
            out = device.shell(list(health.HEALTH_ARGV), timeout=self.thresholds.timeout_s, check=False)
        except DeviceError as exc:
            return [f"adb unresponsive: {type(exc).__name__}: {str(exc).splitlines()[0]}"]
        return health.problems(health.parse_health(out.stdout), self.thresholds)

    def quarantine(self, reasons: list[str], test: str, store_url: str | None) -> str:
        """Record the device as quarantined (in the store when one is given); returns the reason line."""
        assert self.lease is not None
        serial = self.lease.candidate.serial
        reason = "; ".join(reasons)
        first = self.quarantined.get(serial) != reason  # one store row per change, not per skipped test
        self.quarantined[serial] = reason
        if store_url and first:
            record_quarantine(store_url, serial, reason, test)
        return reason


def record_quarantine(store_url: str, serial: str, reason: str, test: str) -> None:
    from sqlalchemy import insert

    from android_suite.results.engine import WRITE_OPTION
    from android_suite.results.schema import quarantine
    from android_suite.results.store import ResultStore

    row = {"serial": serial, "reason": reason, "at": time.time(), "host": socket.gethostname(), "test": test}
    with (
        ResultStore.open(store_url, mark_stale=False) as store,
        store.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn,
        conn.begin(),
    ):
        conn.execute(insert(quarantine).values(**row))
