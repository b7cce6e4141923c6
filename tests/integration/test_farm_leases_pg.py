"""Database leases on PostgreSQL (the multi-host farm store): atomic take, expiry take-over, holder killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from android_suite.farm import leases
from android_suite.results.store import ResultStore
from tests.helpers.postgres import PostgresServer, postgres_server  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys
from android_suite.farm import leases
from android_suite.results.store import ResultStore
lease = leases.take(ResultStore.open(sys.argv[1], mark_stale=False).engine, "PGSERIAL", ttl=float(sys.argv[2]))
print("won" if lease else "lost", flush=True)
if lease:
    lease.start_heartbeat()
sys.stdin.readline()
"""


def hold(url: str, ttl: float) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, url, str(ttl)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def test_pg_leases_are_exclusive_and_a_killed_holder_expires(postgres_server: PostgresServer) -> None:  # noqa: F811
    url = postgres_server.create_database("farm")
    ResultStore.open(url).close()
    a, got_a = hold(url, ttl=1.5)
    b, got_b = hold(url, ttl=1.5)
    try:
        assert sorted([got_a, got_b]) == ["lost", "won"]
        winner = a if got_a == "won" else b
        with ResultStore.open(url, mark_stale=False) as store:
            time.sleep(2.0)  # past the ttl: only the heartbeat keeps the winner's lease
            assert leases.take(store.engine, "PGSERIAL", ttl=1.5) is None
            os.kill(winner.pid, signal.SIGKILL)  # no release, no more heartbeats
            winner.wait(timeout=10)
            deadline = time.monotonic() + 10
            taken = None
            while taken is None and time.monotonic() < deadline:
                taken = leases.take(store.engine, "PGSERIAL", ttl=30)
                if taken is None:
                    time.sleep(0.2)  # polling the expiry: the condition is the lease running out
            assert taken is not None, "the dead holder's lease never expired"
            taken.release()
            assert leases.holders(store.engine) == {}
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.communicate("\n", timeout=10)
