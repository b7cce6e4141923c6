"""Farm inventory over a second adb server (another loopback port stands in for another host):
discovery, `devices --inventory`, leasing between sessions, the health gate's quarantine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from android_suite.device.server import AdbServer
from android_suite.farm import locks
from android_suite.farm.discovery import discover
from android_suite.farm.inventory import AdbServerAddr, load_inventory
from android_suite.results.schema import quarantine
from android_suite.results.store import ResultStore
from android_suite.virtual.manager import Fleet, start_fleet, stop_fleet

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
def test_probe(device, handset):
    assert device.info().kind == "virtual-sim"
    assert handset.serial == device.serial
"""


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AdbServer, Fleet]]:
    """Two handsets on their own adb server (the "remote host"); only the first is in the inventory."""
    fleet = start_fleet(["mediatek", "generic_arm"], tmp_path_factory.mktemp("remote-fleet"))
    server = AdbServer().start()
    try:
        for ref in fleet.handsets:
            server.connect(ref.serial)
            server.wait_for_state(ref.serial, "device", timeout=30)
        yield server, fleet
    finally:
        stop_fleet(fleet)
        server.stop()


def inventory(tmp_path: Path, server: AdbServer, fleet: Fleet, health: str = "") -> Path:
    p = tmp_path / "farm.toml"
    p.write_text(
        f"""{health}
[[device]]
serial = "{fleet.handsets[0].serial}"
adb_server = "127.0.0.1:{server.port}"
tags = ["nightly"]
soc_vendor = "MediaTek"

[[device]]
serial = "UNPLUGGED01"
adb_server = "127.0.0.1:{server.port}"
"""
    )
    return p


def run(tmp_path: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANDROID_SUITE_LEASE_DIR": str(tmp_path / "leases")}
    env.pop("ANDROID_SERIAL", None)
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180)


def pytest_argv(tmp_path: Path, *args: str) -> list[str]:
    (tmp_path / "test_probe.py").write_text(PROBE)
    return [sys.executable, "-m", "pytest", str(tmp_path / "test_probe.py"), "-p", "no:cacheprovider", "-q", "-rs",
            "--rootdir", str(tmp_path), *args]  # fmt: skip


def test_discovery_merges_inventory_and_the_remote_server(remote: tuple[AdbServer, Fleet], tmp_path: Path) -> None:
    server, fleet = remote
    rows = {d.serial: d for d in discover(load_inventory(inventory(tmp_path, server, fleet)))}
    first, second = fleet.handsets[0].serial, fleet.handsets[1].serial
    assert rows[first].status == "ready" and rows[first].server == AdbServerAddr("127.0.0.1", server.port)
    assert rows[first].info is not None and rows[first].info.soc_vendor == "MediaTek" and not rows[first].problems
    assert rows["UNPLUGGED01"].status == "missing"
    assert rows[second].status == "unlisted" and rows[second].info is not None
    done = run(tmp_path, [sys.executable, "-m", "android_suite.cli", "devices", "--inventory", "farm.toml", "--json"])
    assert done.returncode == 0, done.stderr
    by_serial = {r["serial"]: r for r in json.loads(done.stdout)}
    assert by_serial[first]["selected"] and by_serial[first]["soc_model"]
    assert by_serial["UNPLUGGED01"]["status"] == "missing" and by_serial[second]["status"] == "unlisted"


def test_a_session_uses_the_remote_device_and_a_second_one_finds_it_leased(
    remote: tuple[AdbServer, Fleet], tmp_path: Path
) -> None:
    server, fleet = remote
    inv = inventory(tmp_path, server, fleet)
    done = run(tmp_path, pytest_argv(tmp_path, "--inventory", str(inv), "--vendor", "mediatek", "--tags", "nightly"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"main -> {fleet.handsets[0].serial}" in done.stdout
    # Another session holds it (this process, through the same lock directory): the run fails clearly.
    held = locks.try_lock(fleet.handsets[0].serial, tmp_path / "leases")
    assert held is not None
    try:
        done = run(tmp_path, pytest_argv(tmp_path, "--inventory", str(inv), "--lease-timeout", "0.5"))
    finally:
        held.release()
    assert done.returncode != 0
    assert "no free farm device within 0.5 s" in done.stdout


def test_an_unhealthy_device_is_quarantined_recorded_and_reported(
    remote: tuple[AdbServer, Fleet], tmp_path: Path
) -> None:
    server, fleet = remote
    inv = inventory(tmp_path, server, fleet, health="[health]\nmin_battery_pct = 101\n")
    store = tmp_path / "results.db"
    done = run(tmp_path, pytest_argv(tmp_path, "--inventory", str(inv), "--results", str(store)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout and "quarantined" in done.stdout
    assert f"QUARANTINED {fleet.handsets[0].serial}: battery" in done.stdout
    with ResultStore.open(store) as s, s.engine.connect() as conn:
        rows = conn.execute(select(quarantine)).all()
    assert [r.serial for r in rows] == [fleet.handsets[0].serial]
    assert "< 101%" in rows[0].reason and rows[0].test.endswith("test_probe[farm0]")


def test_a_phone_named_by_serial_is_not_shared_between_sessions(
    remote: tuple[AdbServer, Fleet], tmp_path: Path
) -> None:
    server, fleet = remote
    serial = fleet.handsets[1].serial
    argv = pytest_argv(tmp_path, "--serial", serial, "--adb-port", str(server.port), "--lease-timeout", "0.3")
    held = locks.try_lock(serial, tmp_path / "leases")
    assert held is not None
    try:
        done = run(tmp_path, argv)
    finally:
        held.release()
    assert done.returncode != 0 and f"{serial} is in use by another session" in done.stdout
    done = run(tmp_path, argv)
    assert done.returncode == 0, done.stdout + done.stderr


def test_phones_named_by_serial_are_split_over_xdist_workers(remote: tuple[AdbServer, Fleet], tmp_path: Path) -> None:
    server, fleet = remote
    a, b = (h.serial for h in fleet.handsets)
    done = run(tmp_path, pytest_argv(tmp_path, "-n", "2", "--serial", a, "--serial", b, "--adb-port", str(server.port)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mode serials, 2 slot(s)" in done.stdout
    leased = dict(pair.split(" -> ") for pair in done.stdout.split("leased: ")[1].splitlines()[0].split(", "))
    assert set(leased) == {"gw0", "gw1"} and sorted(leased.values()) == sorted([a, b])
