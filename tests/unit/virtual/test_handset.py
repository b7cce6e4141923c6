"""VirtualHandset: banner, boot cycle, connections, device-local TCP, kernel files."""

from __future__ import annotations

import asyncio
import re

import pytest

from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.shell import BufferIO


class FakeClock:
    """An injectable monotonic clock: tests move time instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(profile: str = "mediatek", **kwargs: object) -> tuple[VirtualHandset, FakeClock]:
    clock = FakeClock()
    handset = VirtualHandset(load_profile(profile), name="vh1", clock=clock, **kwargs)  # type: ignore[arg-type]
    return handset, clock


def sh(handset: VirtualHandset, command: str) -> str:
    io = BufferIO()
    asyncio.run(handset.shell.run(command, io))
    return io.out


def test_banner_from_props_and_features() -> None:
    h, _ = make()
    assert h.banner == (
        b"device::ro.product.name=rubens;ro.product.model=22041211AC;ro.product.device=rubens;features=shell_v2,cmd"
    )
    no_v2, _ = make(features=["cmd"])
    assert no_v2.banner.endswith(b";features=cmd")
    assert no_v2.profile.adb_features == ("cmd",)


def test_name_is_the_serial() -> None:
    h, _ = make()
    assert h.props.get("ro.serialno") == "vh1"
    assert sh(h, "getprop ro.serialno") == "vh1\n"


def test_new_handset_is_booted() -> None:
    h, _ = make()
    assert h.mode == "android" and h.accepts_adb and not h.in_bootloader
    assert h.props.get("sys.boot_completed") == "1"


def test_reboot_cycle_with_injected_clock() -> None:
    h, clock = make()
    old_id = sh(h, "cat /proc/sys/kernel/random/boot_id")
    closed: list[str] = []
    h.register_connection(lambda: closed.append("a"))
    unregister = h.register_connection(lambda: closed.append("b"))
    unregister()

    h.request_reboot()
    assert closed == ["a"]
    assert h.mode == "off" and not h.accepts_adb
    assert h.props.get("sys.boot_completed") == ""

    clock.now += h.off_seconds
    assert h.mode == "android" and h.accepts_adb
    assert h.props.get("sys.boot_completed") == ""  # adbd is up before boot completes
    assert sh(h, "getprop sys.boot_completed") == "\n"
    new_id = sh(h, "cat /proc/sys/kernel/random/boot_id")
    assert new_id != old_id
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n", new_id)
    assert new_id.strip() == h.boot.boot_id
    assert sh(h, "cat /proc/uptime").startswith("0.00 ")

    clock.now += h.profile.boot_seconds
    assert h.props.get("sys.boot_completed") == "1"
    assert "[sys.boot_completed]: [1]" in sh(h, "getprop")
    assert sh(h, "cat /proc/uptime").startswith(f"{h.profile.boot_seconds:.2f} ")


def test_every_boot_gets_a_new_id_and_seeds_reproduce() -> None:
    h, clock = make()
    ids = {h.boot.boot_id}
    for _ in range(3):
        h.request_reboot()
        clock.now += 10
        ids.add(h.boot.boot_id)
    assert len(ids) == 4
    first, _ = make()
    same, _ = make()
    other, _ = make(seed=1)
    assert first.boot.boot_id == same.boot.boot_id != other.boot.boot_id


def test_reboot_to_bootloader_and_back() -> None:
    h, clock = make()
    h.request_reboot("bootloader")
    clock.now += h.off_seconds
    assert h.in_bootloader and h.mode == "bootloader" and not h.accepts_adb
    assert h.boot.mode == "bootloader"
    h.request_reboot("")
    clock.now += h.off_seconds + h.profile.boot_seconds
    assert h.mode == "android" and h.props.get("sys.boot_completed") == "1"


def test_reboot_command_from_the_shell() -> None:
    h, clock = make("generic_arm")  # shell uid may reboot too
    assert sh(h, "reboot bootloader") == ""
    clock.now += h.off_seconds
    assert h.in_bootloader
    assert h.log.shell_commands == ["reboot bootloader"]


def test_what_survives_a_reboot() -> None:
    h, clock = make()
    sh(h, "echo keep > /data/local/tmp/f; setprop debug.x 1; setprop persist.sys.x 2")
    sh(h, "echo 10 > /proc/sys/vm/swappiness")
    h.request_reboot()
    clock.now += 10
    assert h.fs.read("/data/local/tmp/f") == b"keep\n"
    assert h.props.get("debug.x") == ""
    assert h.props.get("persist.sys.x") == "2"
    assert sh(h, "cat /proc/sys/vm/swappiness") == "100\n"


def test_open_tcp_reaches_a_device_local_listener() -> None:
    h, clock = make()

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"pong:" + await reader.read(100))
        await writer.drain()
        writer.close()

    async def scenario() -> None:
        assert await h.open_tcp(9008) is None
        h.listen_tcp(9008, echo)
        for _ in range(2):
            conn = await h.open_tcp(9008)
            assert conn is not None
            reader, writer = conn
            writer.write(b"ping")
            await writer.drain()
            assert await reader.read() == b"pong:ping"
            writer.close()
        h.request_reboot()  # the server process dies with the reboot
        clock.now += 10
        assert await h.open_tcp(9008) is None

    asyncio.run(scenario())


def test_proc_files_have_real_shapes() -> None:
    h, _ = make()
    version = sh(h, "cat /proc/version")
    assert re.fullmatch(
        r"Linux version 6\.1\.\d+-android14-\d+-g[0-9a-f]+-ab\d+ "
        r"\(.+\) \(.*clang version .*\) #1 SMP PREEMPT .+\n",
        version,
    )
    cpuinfo = sh(h, "cat /proc/cpuinfo")
    blocks = [b for b in cpuinfo.split("\n\n") if b]
    assert len(blocks) == 8
    parts = [re.findall(r"CPU part\t: (0x[0-9a-f]+)", b) for b in blocks]
    assert parts == [["0xd05"]] * 4 + [["0xd41"]] * 4
    assert blocks[0].startswith("processor\t: 0\nBogoMIPS\t: 26.00\nFeatures\t: fp asimd")
    meminfo = sh(h, "cat /proc/meminfo")
    values = dict(re.findall(r"^(\S+):\s+(\d+) kB$", meminfo, re.M))
    for key in ("MemTotal", "MemFree", "MemAvailable", "Cached", "SwapTotal", "SwapFree", "AnonPages"):
        assert key in values
    assert int(values["SwapTotal"]) == h.profile.swap_total_kb
    assert meminfo.splitlines()[0] == "MemTotal:        7678148 kB"
    assert re.fullmatch(r"\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+\n", sh(h, "cat /proc/loadavg"))


@pytest.mark.parametrize(("profile", "has"), [("mediatek", True), ("generic_arm", False)])
def test_kcompressd_thread_follows_the_profile(profile: str, has: bool) -> None:
    h, _ = make(profile)
    names = {p.name for p in h.processes()}
    assert {"init", "kthreadd", "kswapd0", "adbd"} <= names
    assert ("kcompressd0" in names) is has


def test_sync_view_of_the_filesystem() -> None:
    h, _ = make()
    h.fs.write("/data/local/tmp/u2.jar", b"jar", mode=0o755, mtime=42)
    found = h.fs.stat("/data/local/tmp/u2.jar")
    assert found is not None and (found.mode, found.size, found.mtime) == (0o100755, 3, 42)
    assert "u2.jar" in [name for name, _ in h.fs.listdir("/data/local/tmp")]
