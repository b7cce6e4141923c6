"""GuestAgent (the host client) against a fake agent speaking the same framing."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from android_suite.errors import SuiteError
from android_suite.virtual.qemu.agent import GuestAgent, GuestAgentError, GuestAgentTimeout
from tests.unit.kbuild.fake_agent import FakeAgent


@pytest.fixture
def fake() -> FakeAgent:
    with FakeAgent() as agent:
        yield agent


def test_ping_read_write_listdir(fake: FakeAgent) -> None:
    with GuestAgent("127.0.0.1", fake.port, timeout=5) as agent:
        agent.ping()
        assert agent.read("/proc/version").startswith(b"Linux version 6.12")
        agent.write("/tmp/x", b"256\n")
        assert fake.files["/tmp/x"] == b"256\n"
        assert agent.listdir("/proc/sys/vm") == ["kcompressd", "swappiness"]
    # One persistent connection carried every request, framed "<WORD> <LEN>\n<payload>".
    assert [w for w, _ in fake.requests] == ["P", "R", "W", "L"]
    assert fake.requests[2][1] == b"/tmp/x\x00256\n"


def test_errno_becomes_oserror_subclass(fake: FakeAgent) -> None:
    agent = GuestAgent("127.0.0.1", fake.port)
    with pytest.raises(FileNotFoundError) as info:
        agent.read("/nope")
    assert info.value.filename == "/nope"
    with pytest.raises(PermissionError):
        agent.write("/proc/sys/vm/nope", b"1")
    with pytest.raises(NotADirectoryError):
        agent.listdir("/proc/version")
    agent.ping()  # an errno reply keeps the connection usable
    agent.close()


def test_exec_spawn_kill(fake: FakeAgent) -> None:
    agent = GuestAgent("127.0.0.1", fake.port)
    assert agent.exec(["uname", "-r"], timeout=5) == (0, b"6.12.0\n")
    code, out = agent.exec(["nosuch"], timeout=5)
    assert code == 127 and b"not found" in out
    assert agent.spawn(["memeater", "--size-mb", "64"], log="/tmp/m.log") == 4242
    assert fake.requests[-1][1] == b"--log=/tmp/m.log\x00memeater\x00--size-mb\x0064"
    with pytest.raises(FileNotFoundError):
        agent.spawn(["missing"])
    agent.kill(4242, 9)
    with pytest.raises(ProcessLookupError):
        agent.kill(1234)
    assert fake.killed == [(4242, 9), (1234, 15)]
    with pytest.raises(ValueError):
        agent.exec([], timeout=1)


def test_exec_deadline_closes_and_reconnects(fake: FakeAgent) -> None:
    agent = GuestAgent("127.0.0.1", fake.port)
    started = time.monotonic()
    with pytest.raises(GuestAgentTimeout) as info:
        agent.exec(["hang"], timeout=0.3)
    assert time.monotonic() - started < 2
    assert isinstance(info.value, SuiteError)
    assert f"127.0.0.1:{fake.port}" in str(info.value) and "op X" in str(info.value)
    agent.ping()  # a fresh connection


def test_shutdown_acknowledged(fake: FakeAgent) -> None:
    agent = GuestAgent("127.0.0.1", fake.port)
    agent.shutdown()
    assert fake.shut_down.is_set()


def test_garbled_reply_and_refused_port(fake: FakeAgent) -> None:
    fake.garble = True
    with pytest.raises(GuestAgentError, match="bad reply header"):
        GuestAgent("127.0.0.1", fake.port).ping()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    with pytest.raises(GuestAgentError, match="what to do"):
        GuestAgent("127.0.0.1", free, timeout=1).ping()


def test_thread_safe_on_one_connection(fake: FakeAgent) -> None:
    agent = GuestAgent("127.0.0.1", fake.port)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(20):
                assert agent.read("/proc/version").startswith(b"Linux")
        except BaseException as exc:  # collected for the assert below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    agent.close()
