"""Database leases (SQLite store): atomic take between processes, expiry take-over, heartbeat, release."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from android_suite.farm import leases
from android_suite.results.store import ResultStore

RACE = """
import sys
from android_suite.farm import leases
from android_suite.results.store import ResultStore
store = ResultStore.open(sys.argv[1], mark_stale=False)
start = float(sys.argv[2])
import time
time.sleep(max(0.0, start - time.time()))  # line the racers up (a start gun, not a wait for a condition)
lease = leases.take(store.engine, "SERIAL1", ttl=60)
print("won" if lease else "lost", flush=True)
"""


def test_only_one_of_several_racing_processes_takes_the_lease(tmp_path: Path) -> None:
    import time

    url = str(tmp_path / "store.db")
    ResultStore.open(url).close()
    start = time.time() + 2.0  # every racer is imported and waiting by then
    procs = [
        subprocess.Popen([sys.executable, "-c", RACE, url, str(start)], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outcomes = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert outcomes == ["lost", "lost", "lost", "won"]


def test_expired_lease_is_taken_over_and_the_old_holder_learns_it(tmp_path: Path) -> None:
    now = [1000.0]
    with ResultStore.open(tmp_path / "s.db") as store:
        first = leases.take(store.engine, "S", holder="host-a:1:x", ttl=30, clock=lambda: now[0])
        assert first is not None
        assert leases.take(store.engine, "S", holder="host-b:2:y", ttl=30, clock=lambda: now[0] + 10) is None
        now[0] += 31  # host-a stopped renewing (SIGKILL, lost host): the lease ran out
        second = leases.take(store.engine, "S", holder="host-b:2:y", ttl=30, clock=lambda: now[0])
        assert second is not None
        assert leases.holders(store.engine)["S"][0] == "host-b:2:y"
        assert not first.renew() and "taken over" in first.lost
        first.release()  # must not delete host-b's row
        assert "S" in leases.holders(store.engine)
        assert second.renew()
        second.release()
        assert leases.holders(store.engine) == {}


def test_heartbeat_keeps_the_lease_alive(tmp_path: Path) -> None:
    import threading

    with ResultStore.open(tmp_path / "s.db") as store:
        lease = leases.take(store.engine, "S", ttl=0.3)
        assert lease is not None
        before = leases.holders(store.engine)["S"][1]
        lease.start_heartbeat()
        threading.Event().wait(0.5)  # two beats at ttl/3
        assert leases.holders(store.engine)["S"][1] > before
        assert leases.take(store.engine, "S", ttl=0.3) is None  # still held: renewed in time
        lease.release()


def test_a_version_1_store_is_upgraded_with_the_farm_tables(tmp_path: Path) -> None:
    from sqlalchemy import text

    url = tmp_path / "old.db"
    with ResultStore.open(url) as store, store.engine.begin() as conn:
        conn.execute(text("DROP TABLE leases"))
        conn.execute(text("DROP TABLE quarantine"))
        conn.execute(text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
    with ResultStore.open(url) as store:
        assert store.found_version == 1
        assert {"leases", "quarantine"} <= set(inspect(store.engine).get_table_names())
