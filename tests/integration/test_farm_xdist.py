"""Farm runs under pytest-xdist: one pool of virtual handsets, one leased handset per worker, no sharing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A test module for the child pytest: every worker records which handset it was given.
PROBE = """
import json, os
from pathlib import Path

def test_probe(device, handset, handset_session):
    out = Path(os.environ["FARM_PROBE_DIR"]) / (os.environ.get("PYTEST_XDIST_WORKER", "main") + ".json")
    info = device.info()
    out.write_text(json.dumps({"serial": device.serial, "name": handset.name, "kind": info.kind,
                               "port": handset_session.adb_port, "fleet_pid": os.getpid()}))
"""


def run_pytest(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_probe.py").write_text(PROBE)
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "FARM_PROBE_DIR": str(tmp_path),
                "ANDROID_SUITE_LEASE_DIR": str(tmp_path / "leases"), **(env or {})}  # fmt: skip
    full_env.pop("ANDROID_SERIAL", None)
    argv = [sys.executable, "-m", "pytest", str(tmp_path / "test_probe.py"), "-p", "no:cacheprovider",
            "-q", "--rootdir", str(tmp_path), *args]  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, env=full_env, cwd=tmp_path, timeout=240)


def test_three_workers_lease_three_handsets_of_one_pool(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, "-n", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    seen = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("gw*.json"))]
    assert len(seen) == 3, done.stdout
    assert len({s["serial"] for s in seen}) == 3  # nobody shared a handset
    assert len({s["port"] for s in seen}) == 1  # one shared adb server
    assert {s["kind"] for s in seen} == {"virtual-sim"}
    assert {s["name"].split("-")[0] for s in seen} == {"mediatek", "generic_arm"}  # profiles cycled
    assert "android_suite farm" in done.stdout and "mode pool, 3 slot(s)" in done.stdout
    # The controller stopped the pool: nothing answers on the pool's adb server any more.
    import socket

    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", seen[0]["port"])) != 0


def test_without_inventory_or_n_nothing_changes(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, "--virtual-profiles", "mediatek")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "android_suite farm" not in done.stdout
    assert json.loads((tmp_path / "main.json").read_text())["name"] == "mediatek-0"
