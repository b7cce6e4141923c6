"""The virtual fastboot endpoint driven by the real Debian ``fastboot`` CLI (29.0.6).

The endpoint runs on its own asyncio loop in a background thread; every CLI
call carries a subprocess timeout because the CLI waits forever for a device
that never answers.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from android_suite.virtual.api import Faults
from android_suite.virtual.bootloader import Bootloader, build_boot_image
from android_suite.virtual.fastboot import FastbootEndpoint

FASTBOOT = shutil.which("fastboot")


def fastboot_argv(port: int, *args: str) -> list[str]:
    """The CLI's argv; skips the test (raw-socket tests still run) without the CLI."""
    if FASTBOOT is None:
        pytest.skip("needs the fastboot CLI on PATH (apt install fastboot; CI installs it)")
    return [FASTBOOT, "-s", f"tcp:127.0.0.1:{port}", *args]


CLI_TIMEOUT_S = 20.0
PARTS = {"boot": 8 << 20, "vendor_boot": 8 << 20, "dtbo": 1 << 20, "userdata": 16 << 20}
T = TypeVar("T")


class StubTarget:
    """A FastbootTarget that records reboot requests."""

    def __init__(self, bootloader: Bootloader) -> None:
        self.bootloader = bootloader
        self.in_bootloader = True
        self.faults = Faults()
        self.reboots: list[str] = []
        self._cond = threading.Condition()

    def request_reboot(self, target: str = "") -> None:
        with self._cond:
            self.reboots.append(target)
            self.in_bootloader = target == "bootloader"
            self._cond.notify_all()

    def wait_reboots(self, count: int, timeout: float = 5.0) -> list[str]:
        # The endpoint replies OKAY before requesting the reboot, so the CLI
        # may exit first: wait for the request instead of asserting at once.
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.reboots) >= count, timeout):
                raise AssertionError(f"no {count} reboot request(s) within {timeout}s: {self.reboots}")
            return list(self.reboots)


class LoopThread:
    """An asyncio loop in a daemon thread; ``run`` executes a coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fastboot-loop", daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@dataclass
class Handset:
    target: StubTarget
    port: int

    @property
    def bl(self) -> Bootloader:
        return self.target.bootloader

    def fastboot(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(fastboot_argv(self.port, *args), capture_output=True, text=True, timeout=CLI_TIMEOUT_S)

    def raw(self) -> RawClient:
        return RawClient(self.port)


@pytest.fixture
def make_fb() -> Iterator[Callable[..., Handset]]:
    loop = LoopThread()
    endpoints: list[FastbootEndpoint] = []

    def make(**bootloader_kwargs: Any) -> Handset:
        bootloader_kwargs.setdefault("partitions", PARTS)
        target = StubTarget(Bootloader("vphone", "SER123", **bootloader_kwargs))
        endpoint = FastbootEndpoint(target)
        endpoints.append(endpoint)
        return Handset(target, loop.run(endpoint.start()))

    yield make
    for endpoint in endpoints:
        loop.run(endpoint.stop())
    loop.close()


@pytest.fixture
def fb(make_fb: Callable[..., Handset]) -> Handset:
    return make_fb()


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "boot.img"
    path.write_bytes(build_boot_image(b"Linux version 6.1.75-android14-11-gtest (x)\n" * 100))
    return path


# -- getvar ---------------------------------------------------------------------


def test_getvar_product(fb: Handset) -> None:
    res = fb.fastboot("getvar", "product")
    assert res.returncode == 0
    assert "product: vphone" in res.stderr  # the CLI prints getvar results on stderr


def test_getvar_unknown_still_exits_zero(fb: Handset) -> None:
    res = fb.fastboot("getvar", "nosuchvar")
    assert res.returncode == 0
    assert "FAILED (remote: 'Unknown variable')" in res.stderr


def test_getvar_all(fb: Handset) -> None:
    res = fb.fastboot("getvar", "all")
    assert res.returncode == 0
    for line in (
        "(bootloader) product:vphone",
        "(bootloader) current-slot:a",
        "(bootloader) max-download-size:0x10000000",
        "(bootloader) has-slot:boot:yes",
        "(bootloader) partition-size:boot_b:0x800000",
        "(bootloader) slot-retry-count:b:7",
    ):
        assert line in res.stderr.splitlines()


# -- flash, erase, slots ----------------------------------------------------------------


def test_flash_boot_goes_to_the_active_slot(fb: Handset, image: Path) -> None:
    res = fb.fastboot("flash", "boot", str(image))
    assert res.returncode == 0, res.stderr
    assert "Writing 'boot_a'" in res.stderr
    assert fb.bl.contents["boot_a"] == image.read_bytes()
    assert [(e.kind, e.target) for e in fb.bl.events] == [("flash", "boot_a")]


@pytest.mark.parametrize("args", [("--slot", "b", "flash", "boot"), ("flash", "boot_b")])
def test_flash_other_slot(fb: Handset, image: Path, args: tuple[str, ...]) -> None:
    res = fb.fastboot(*args, str(image))
    assert res.returncode == 0, res.stderr
    assert fb.bl.contents["boot_b"] == image.read_bytes()
    assert fb.bl.active_slot == "a"


def test_set_active(fb: Handset) -> None:
    res = fb.fastboot("set_active", "b")
    assert res.returncode == 0, res.stderr
    assert fb.bl.active_slot == "b"
    assert "current-slot: b" in fb.fastboot("getvar", "current-slot").stderr


def test_erase_active_slot(fb: Handset) -> None:
    res = fb.fastboot("erase", "boot")
    assert res.returncode == 0, res.stderr
    assert fb.bl.contents["boot_a"] == b""
    assert fb.bl.bootable_slots() == ["b"]


def test_flash_unknown_partition_fails(fb: Handset, image: Path) -> None:
    res = fb.fastboot("flash", "nosuchpart", str(image))
    assert res.returncode != 0
    assert "FAILED (remote: 'No such file or directory')" in res.stderr
    assert not fb.bl.events


def test_flash_image_larger_than_partition_fails(fb: Handset, tmp_path: Path) -> None:
    big = tmp_path / "big.img"
    big.write_bytes(b"\1" * ((1 << 20) + 4096))
    res = fb.fastboot("flash", "dtbo", str(big))
    assert res.returncode != 0
    assert "Value too large for defined data type" in res.stderr


def test_locked_device_refuses_download(make_fb: Callable[..., Handset], image: Path) -> None:
    fb = make_fb(unlocked=False)
    res = fb.fastboot("flash", "boot", str(image))
    assert res.returncode != 0
    assert "Download is not allowed on locked devices" in res.stderr
    assert "unlocked: no" in fb.fastboot("getvar", "unlocked").stderr


def test_kernel_ab_flow(fb: Handset, tmp_path: Path) -> None:
    variant = tmp_path / "kcompressd.img"
    variant.write_bytes(build_boot_image(b"Linux version 6.1.75-android14-11-kcompressd (ci)\n"))
    assert fb.fastboot("--slot", "b", "flash", "boot", str(variant)).returncode == 0
    assert fb.fastboot("set_active", "b").returncode == 0
    assert fb.fastboot("reboot").returncode == 0
    assert fb.target.wait_reboots(1) == [""]
    info = fb.bl.boot_image()
    assert info is not None and info.kernel_release == "6.1.75-android14-11-kcompressd"
    assert fb.bl.bootable_slots() == ["b", "a"]


# -- reboots ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "target"),
    [
        (("reboot",), ""),
        (("reboot-bootloader",), "bootloader"),
        (("reboot", "bootloader"), "bootloader"),
        (("continue",), ""),
    ],
)
def test_reboot_reaches_the_target(fb: Handset, args: tuple[str, ...], target: str) -> None:
    res = fb.fastboot(*args)
    assert res.returncode == 0, res.stderr
    assert fb.target.wait_reboots(1) == [target]


# -- not in fastboot mode, faults ------------------------------------------------------------


class WaitingCli:
    """A CLI run in the background, its stderr collected line by line."""

    def __init__(self, fb: Handset, *args: str) -> None:
        self.proc = subprocess.Popen(
            fastboot_argv(fb.port, *args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()

    @property
    def stderr(self) -> str:
        with self._cond:
            return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 10.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: text in "".join(self.lines), timeout):
                raise AssertionError(f"CLI printed no {text!r} within {timeout}s: {self.lines}")

    def finish(self) -> int:
        """Exit code once the CLI ends by itself (TimeoutExpired if it does not)."""
        return self.proc.wait(timeout=CLI_TIMEOUT_S)

    def __enter__(self) -> WaitingCli:
        return self

    def __exit__(self, *exc: object) -> None:
        # Always reap it: a CLI left waiting would retry forever.
        self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=5)


@pytest.mark.parametrize("off", ["not_in_bootloader", "refuse"])
def test_cli_waits_until_the_handset_reaches_fastboot(fb: Handset, off: str) -> None:
    # Connections are reset, as with no listener: the CLI retries until the
    # handset enters fastboot mode (or the fault is cleared), then proceeds.
    if off == "refuse":
        fb.target.faults.refuse = True
    else:
        fb.target.in_bootloader = False
    with WaitingCli(fb, "getvar", "product") as cli:
        cli.wait_for(f"< waiting for tcp:127.0.0.1:{fb.port} >")
        # Which error comes first depends on when the reset lands (both observed).
        assert (
            "No initialization message received (Connection reset by peer)" in cli.stderr
            or "Failed to connect to 127.0.0.1" in cli.stderr
        )
        fb.target.faults.refuse = False
        fb.target.in_bootloader = True
        assert cli.finish() == 0
        assert "product: vphone" in cli.stderr


# -- wire details, with a raw client -----------------------------------------------------------


class RawClient:
    """A minimal fastboot-over-TCP host, to exercise framing the CLI never produces."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def recvn(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                break
            data += chunk
        return data

    def handshake(self) -> None:
        self.sock.sendall(b"FB01")
        assert self.recvn(4) == b"FB01"

    def send(self, data: bytes) -> None:
        self.sock.sendall(struct.pack(">Q", len(data)) + data)

    def recv(self) -> bytes:
        header = self.recvn(8)
        assert len(header) == 8, "connection closed"
        return self.recvn(struct.unpack(">Q", header)[0])

    def command(self, cmd: str) -> bytes:
        self.send(cmd.encode())
        return self.recv()


def test_download_payload_in_several_packets(fb: Handset) -> None:
    payload = bytes(range(256)) * 40
    with fb.raw() as c:
        c.handshake()
        assert c.command(f"download:{len(payload):08x}") == b"DATA%08x" % len(payload)
        for start in range(0, len(payload), 3000):
            c.send(payload[start : start + 3000])
        assert c.recv() == b"OKAY"
        assert c.command("flash:vendor_boot_b") == b"OKAY"
    assert fb.bl.contents["vendor_boot_b"] == payload


def test_command_split_across_tcp_writes(fb: Handset) -> None:
    with fb.raw() as c:
        c.handshake()
        body = b"getvar:serialno"
        c.sock.sendall(struct.pack(">Q", len(body))[:3])
        c.sock.sendall(struct.pack(">Q", len(body))[3:] + body[:5])
        c.sock.sendall(body[5:])
        assert c.recv() == b"OKAYSER123"


def test_oversize_download_is_refused_before_data(make_fb: Callable[..., Handset]) -> None:
    fb = make_fb(max_download=4096)
    with fb.raw() as c:
        c.handshake()
        assert c.command("download:00001001") == b"FAILInvalid size"
        assert c.command("getvar:max-download-size") == b"OKAY0x1000"


def test_unknown_command(fb: Handset) -> None:
    with fb.raw() as c:
        c.handshake()
        assert c.command("oem unlock") == b"FAILunknown command"
        assert c.command("flash:") == b"FAILunknown command"


def test_bad_handshake_drops_the_connection(fb: Handset) -> None:
    with fb.raw() as c:
        c.sock.sendall(b"HELO")
        assert c.recvn(4) == b""


def test_hang_fault_stops_answering_until_cleared(fb: Handset) -> None:
    fb.target.faults.hang = True
    with fb.raw() as c:
        c.sock.sendall(b"FB01")
        c.sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            c.sock.recv(4)  # a hung bootloader says nothing
        fb.target.faults.hang = False
        c.sock.settimeout(5)
        assert c.recvn(4) == b"FB01"
        assert c.command("getvar:product") == b"OKAYvphone"


def test_stop_drops_live_connections() -> None:
    loop = LoopThread()
    try:
        target = StubTarget(Bootloader("vphone", "SER123", partitions=PARTS))
        endpoint = FastbootEndpoint(target)
        port = loop.run(endpoint.start())
        with RawClient(port) as c:
            c.handshake()
            started = time.monotonic()
            loop.run(endpoint.stop())
            assert c.recvn(8) == b""  # EOF, not a hang
            assert time.monotonic() - started < 5
    finally:
        loop.close()
