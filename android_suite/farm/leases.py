"""Cross-host leases in the shared results store (SQLite or PostgreSQL), with expiry and a heartbeat.

File locks (locks.py) cannot span hosts; a farm with phones on several hosts
shares one store instead. A lease is one row keyed by serial:

- take: INSERT (the primary key makes a second taker fail), else a conditional
  UPDATE that succeeds only if the row's lease has expired (its holder died
  without releasing, e.g. SIGKILL or a lost host) or is already ours;
- keep: a heartbeat thread moves ``expires_at`` forward every ttl/3; if the
  row is no longer ours (taken over after we stalled past the ttl) the lease
  is marked lost and the health gate stops using the device;
- give back: DELETE where the holder is us.

Expiry compares host wall clocks: keep the ttl (default 60 s) well above the
hosts' clock skew (NTP keeps it under a second).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from android_suite.results.engine import WRITE_OPTION
from android_suite.results.schema import leases

DEFAULT_TTL_S = 60.0
log = logging.getLogger(__name__)


def holder_id() -> str:
    """This process's holder name: host, pid and a random token (a pid can be reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DbLease:
    """A held lease on one serial. Use :func:`take`; :meth:`start_heartbeat` keeps it."""

    def __init__(self, engine: Engine, serial: str, holder: str, ttl: float, clock: Callable[[], float]) -> None:
        self.engine = engine
        self.serial = serial
        self.holder = holder
        self.ttl = ttl
        self._clock = clock
        self.lost = ""  # why the lease is no longer ours ("" while held)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def renew(self) -> bool:
        """Push the expiry forward; False (and ``lost`` set) when the row is no longer ours."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            done = conn.execute(
                update(leases)
                .where(leases.c.serial == self.serial, leases.c.holder == self.holder)
                .values(expires_at=self._clock() + self.ttl)
            ).rowcount
        if not done:
            self.lost = f"lease on {self.serial} was taken over (holder stalled past its {self.ttl:g} s ttl)"
        return bool(done)

    def start_heartbeat(self) -> None:
        def beat() -> None:
            while not self._stop.wait(self.ttl / 3):
                try:
                    if not self.renew():
                        return
                except Exception as exc:  # a store hiccup: try again next beat, the ttl has slack
                    log.warning("lease heartbeat on %s failed (will retry): %s", self.serial, exc)

        self._thread = threading.Thread(target=beat, name=f"lease-{self.serial}", daemon=True)
        self._thread.start()

    def release(self) -> None:
        """Stop the heartbeat and delete our row; never raises (teardown)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        try:
            with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
                conn.execute(delete(leases).where(leases.c.serial == self.serial, leases.c.holder == self.holder))
        except Exception:  # noqa: S110 - the row expires on its own
            pass


def take(
    engine: Engine,
    serial: str,
    *,
    holder: str | None = None,
    ttl: float = DEFAULT_TTL_S,
    clock: Callable[[], float] = time.time,
) -> DbLease | None:
    """Take the lease on ``serial`` if free or expired; None if someone else holds it (atomic)."""
    me = holder or holder_id()
    now = clock()
    row = {"serial": serial, "holder": me, "host": socket.gethostname(), "pid": os.getpid()}
    try:
        with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            conn.execute(insert(leases).values(**row, acquired_at=now, expires_at=now + ttl))
        return DbLease(engine, serial, me, ttl, clock)
    except IntegrityError:
        pass  # a row exists: take it over only if its lease has run out
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        taken = conn.execute(
            update(leases)
            .where(leases.c.serial == serial, (leases.c.expires_at < now) | (leases.c.holder == me))
            .values(**row, acquired_at=now, expires_at=now + ttl)
        ).rowcount
    return DbLease(engine, serial, me, ttl, clock) if taken else None


def take_any(engine: Engine, serials: Sequence[str], *, ttl: float = DEFAULT_TTL_S) -> DbLease | None:
    """The first serial whose lease can be taken, in order; None if all are held."""
    for serial in serials:
        lease = take(engine, serial, ttl=ttl)
        if lease is not None:
            return lease
    return None


def holders(engine: Engine) -> dict[str, tuple[str, float]]:
    """serial -> (holder, expires_at) of every lease row (for messages and `devices`)."""
    with engine.connect() as conn:
        return {r.serial: (r.holder, r.expires_at) for r in conn.execute(select(leases))}
