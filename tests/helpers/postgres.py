"""A throwaway PostgreSQL server for tests: Debian's binaries, a temporary cluster, 127.0.0.1 only.

``initdb`` refuses to run as root, so as root the cluster is made and run by
the ``postgres`` system user (created by Debian's package) through
``runuser``. The server listens on a free loopback port with trust
authentication and ``fsync=off`` (a test cluster is thrown away anyway).

Use the ``postgres_server`` fixture (import it into the test module), or
:func:`start_server` / :meth:`PostgresServer.stop` directly (benchmarks).
Every test module that imports the fixture shares one server per session.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_ROOT = Path("/usr/lib/postgresql")
_START_TIMEOUT_S = 60


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries (or no user to run them as)."""


def find_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<major>/bin`` that has initdb and pg_ctl."""
    candidates = []
    for d in PG_ROOT.glob("*/bin") if PG_ROOT.is_dir() else []:
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file() and d.parent.name.isdigit():
            candidates.append((int(d.parent.name), d))
    if not candidates:
        raise PostgresUnavailable(
            f"no PostgreSQL server binaries under {PG_ROOT} (apt-get install postgresql; ./suite setup does it)"
        )
    return max(candidates)[1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """One running test cluster."""

    bin_dir: Path
    root: Path  # temporary directory holding the cluster, its socket and its log
    port: int
    run_as: list[str]  # argv prefix: [] or ["runuser", "-u", "postgres", "--"]

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for ``database`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its files."""
        pg_ctl = [*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]
        subprocess.run(pg_ctl, capture_output=True, timeout=_START_TIMEOUT_S, check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        """The server log (for failure messages)."""
        try:
            return (self.root / "server.log").read_text(errors="replace")
        except OSError:
            return ""


def _run_as() -> tuple[list[str], int | None, int | None]:
    if os.geteuid() != 0:
        return [], None, None
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError as e:
        raise PostgresUnavailable("running as root and there is no 'postgres' user to run initdb as") from e
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root and runuser(1) is missing")
    return ["runuser", "-u", "postgres", "--"], pw.pw_uid, pw.pw_gid


def start_server() -> PostgresServer:
    """initdb a temporary cluster and start it on a free loopback port.

    Raises:
        PostgresUnavailable: no binaries, or no unprivileged user to run them as.
        RuntimeError: initdb or the start failed (the message holds their output).
    """
    bin_dir = find_bin_dir()
    run_as, uid, gid = _run_as()
    root = Path(tempfile.mkdtemp(prefix="android-suite-pg-"))
    if uid is not None and gid is not None:
        os.chown(root, uid, gid)
    server = PostgresServer(bin_dir, root, _free_port(), run_as)
    initdb = [*run_as, str(bin_dir / "initdb"), "-D", str(server.data_dir), "-U", "postgres"]
    initdb += ["--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]
    _check(subprocess.run(initdb, capture_output=True, text=True, timeout=_START_TIMEOUT_S, check=False), server)
    opts = f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    start = [*run_as, str(bin_dir / "pg_ctl"), "-D", str(server.data_dir), "-l", str(root / "server.log")]
    start += ["-o", opts, "-w", "-t", str(_START_TIMEOUT_S), "start"]
    _check(subprocess.run(start, capture_output=True, text=True, timeout=_START_TIMEOUT_S + 10, check=False), server)
    return server


def _check(done: subprocess.CompletedProcess[str], server: PostgresServer) -> None:
    if done.returncode != 0:
        log = server.log()
        shutil.rmtree(server.root, ignore_errors=True)
        raise RuntimeError(
            f"{done.args[-1]} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}\nserver log:\n{log}"
        )


_shared: PostgresServer | None = None
_users = 0


@contextlib.contextmanager
def shared_server() -> Iterator[PostgresServer]:
    """One server for every user in this process; stopped when the last one leaves."""
    global _shared, _users
    if _shared is None:
        _shared = start_server()
    _users += 1
    try:
        yield _shared
    finally:
        _users -= 1
        if _users == 0 and _shared is not None:
            _shared.stop()
            _shared = None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running PostgreSQL server for the session; skips (fails under CI=true) without binaries."""
    try:
        with shared_server() as server:
            yield server
    except PostgresUnavailable as e:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {e}")
        pytest.skip(str(e))
