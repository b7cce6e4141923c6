"""The real guest agent (apk_workloads/guest/agent.c) built for the host and driven by GuestAgent.

The agent is plain POSIX C, so the host build checks its framing and process
handling (exec output and exit codes, kill on hang-up, detached spawn) without
booting a guest. D (power off) is not exercised here, for obvious reasons.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.virtual.qemu.agent import GuestAgent, GuestAgentTimeout

SOURCE = Path(__file__).resolve().parents[3] / "apk_workloads" / "guest" / "agent.c"


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuestAgent]:
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler on the host")
    binary = tmp_path_factory.mktemp("agent") / "asuite-agent"
    subprocess.run([cc, "-O1", "-Wall", "-Werror", "-o", str(binary), str(SOURCE)], check=True, timeout=120)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(binary), str(port)], stderr=subprocess.PIPE)
    client = GuestAgent("127.0.0.1", port, timeout=10)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping(timeout=1)
            break
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)
    yield client
    client.close()
    proc.terminate()
    proc.wait(timeout=10)


def test_files(agent: GuestAgent, tmp_path: Path) -> None:
    target = tmp_path / "knob"
    agent.write(str(target), b"256\n")
    assert target.read_bytes() == b"256\n"
    agent.write(str(target), b"0")  # O_TRUNC
    assert agent.read(str(target)) == b"0"
    (tmp_path / "b").write_bytes(os.urandom(300_000))
    assert agent.read(str(tmp_path / "b")) == (tmp_path / "b").read_bytes()
    assert agent.listdir(str(tmp_path)) == ["b", "knob"]
    with pytest.raises(FileNotFoundError):
        agent.read(str(tmp_path / "missing"))
    with pytest.raises(NotADirectoryError):
        agent.listdir(str(target))


def test_exec(agent: GuestAgent) -> None:
    assert agent.exec(["echo", "a b", ""], timeout=10) == (0, b"a b \n")
    code, out = agent.exec(["sh", "-c", "echo out; echo err >&2; exit 3"], timeout=10)
    assert code == 3 and b"out\n" in out and b"err\n" in out
    assert agent.exec(["sh", "-c", "kill -9 $$"], timeout=10)[0] == 128 + signal.SIGKILL
    code, out = agent.exec(["no-such-program-xyz"], timeout=10)
    assert code == 127 and b"No such file" in out


def test_exec_deadline_kills_the_command(agent: GuestAgent, tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    with pytest.raises(GuestAgentTimeout):
        agent.exec(["sh", "-c", f"echo $$ > {pidfile}; exec sleep 30"], timeout=0.5)
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
    agent.ping()


def test_spawn_and_kill(agent: GuestAgent, tmp_path: Path) -> None:
    log = tmp_path / "log"
    pid = agent.spawn(["sh", "-c", "echo started; exec sleep 30"], log=str(log))
    deadline = time.monotonic() + 5
    while not log.exists() or b"started" not in log.read_bytes():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert _alive(pid)
    agent.kill(pid, signal.SIGTERM)
    while _alive(pid):
        assert time.monotonic() < deadline + 5
        time.sleep(0.05)
    with pytest.raises(FileNotFoundError):
        agent.spawn(["no-such-program-xyz"])
    # (Killing it again is host-dependent: the orphan may stay a zombie of the host's init.)


def _alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (the test runner may not be its reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"
