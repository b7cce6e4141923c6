"""Device facade over the strict FakeTransport (no sleeping, no adb)."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.device.device import BOOT_ID_PATH, Device
from android_suite.device.fake import FakeClock, FakeTransport, UnexpectedCall
from android_suite.device.info import INFO_ARGV
from android_suite.device.waits import Poller
from android_suite.errors import (
    CommandError,
    DeviceDisconnectedError,
    DeviceNotFoundError,
    DeviceTimeoutError,
    PermanentDeviceError,
)

BOOT = ["cat", BOOT_ID_PATH]


def test_shell_returns_result_and_records_call(fake: FakeTransport) -> None:
    fake.expect(["echo", "a b"], "a b\n")
    r = Device(fake).shell(["echo", "a b"])
    assert r.stdout == "a b\n" and r.exit_code == 0 and r.v2
    assert fake.calls[0].args == ("echo", "a b")


def test_shell_rejects_strings(fake: FakeTransport) -> None:
    with pytest.raises(TypeError):
        Device(fake).shell("ls -l")


def test_shell_check_raises_command_error_with_everything(fake: FakeTransport) -> None:
    fake.expect(["ls", "/nope dir"], "", exit_code=1, stderr="ls: /nope dir: No such file or directory\n")
    with pytest.raises(CommandError) as err:
        Device(fake).shell(["ls", "/nope dir"])
    e = err.value
    assert (e.serial, e.argv, e.exit_code) == ("SER123", ["ls", "/nope dir"], 1)
    assert "No such file" in e.stderr
    assert "adb -s SER123 shell" in e.hint
    assert not e.transient


def test_shell_check_false_returns_nonzero(fake: FakeTransport) -> None:
    fake.expect(["false"], exit_code=1)
    assert Device(fake).shell(["false"], check=False).exit_code == 1


def test_strict_fake_rejects_unscripted_and_reports_leftovers() -> None:
    t = FakeTransport("S").expect(["id", "-u"], "2000\n")
    with pytest.raises(UnexpectedCall, match="id -u"):
        Device(t).shell(["whoami"])
    with pytest.raises(AssertionError, match="never called"):
        t.assert_all_consumed()


def test_props_cached_one_getprop_call(fake: FakeTransport) -> None:
    fake.expect(BOOT, "boot-1\n").expect(["getprop"], "[ro.product.model]: [Pixel 6]\n[ro.x]: [1]\n")
    d = Device(fake)
    assert d.getprop("ro.product.model") == "Pixel 6"
    assert d.props()["ro.x"] == "1"
    assert d.getprop("ro.missing", "dflt") == "dflt"
    assert [c.args for c in fake.calls] == [tuple(BOOT), ("getprop",)]


def test_non_ro_props_are_read_live(fake: FakeTransport) -> None:
    fake.expect(["getprop", "sys.boot_completed"], "1\n").expect(["getprop", "sys.boot_completed"], "\n")
    d = Device(fake)
    assert d.getprop("sys.boot_completed") == "1"
    assert d.getprop("sys.boot_completed") is None


def test_refresh_props_reads_again(fake: FakeTransport) -> None:
    fake.expect(BOOT, "b1\n").expect(["getprop"], "[ro.a]: [1]\n").expect(["getprop"], "[ro.a]: [2]\n")
    d = Device(fake)
    assert d.getprop("ro.a") == "1"
    assert d.refresh_props()["ro.a"] == "2"


def test_boot_id_change_drops_cache(fake: FakeTransport) -> None:
    fake.expect(BOOT, "b1\n").expect(["getprop"], "[ro.a]: [old]\n")
    fake.expect(BOOT, "b2\n").expect(["getprop"], "[ro.a]: [new]\n")
    d = Device(fake)
    assert d.getprop("ro.a") == "old"
    assert d.boot_id() == "b2"
    assert d.getprop("ro.a") == "new"


def test_same_boot_id_keeps_cache(fake: FakeTransport) -> None:
    fake.expect(BOOT, "b1\n", times=2).expect(["getprop"], "[ro.a]: [1]\n")
    d = Device(fake)
    d.props()
    assert d.boot_id() == "b1"
    assert d.getprop("ro.a") == "1"  # no second getprop


def test_disconnect_makes_props_recheck_boot_id(fake: FakeTransport) -> None:
    fake.expect(BOOT, "b1\n").expect(["getprop"], "[ro.a]: [1]\n")
    fake.expect(["true"], raises=DeviceDisconnectedError("gone", serial="SER123"))
    fake.expect(BOOT, "b2\n").expect(["getprop"], "[ro.a]: [2]\n")
    d = Device(fake)
    assert d.getprop("ro.a") == "1"
    with pytest.raises(DeviceDisconnectedError):
        d.shell(["true"])
    assert d.getprop("ro.a") == "2"


def test_truncated_getprop_is_an_error(fake: FakeTransport) -> None:
    fake.expect(BOOT, "b1\n").expect(["getprop"], "[ro.a]: [1]\n[ro.b]: [cut")
    with pytest.raises(Exception, match="cut off"):
        Device(fake).props()


def test_reboot_waits_for_new_boot_id_and_boot_completed(fake: FakeTransport, poller: Poller, clock: FakeClock) -> None:
    fake.expect(BOOT, "old\n")
    fake.expect_reboot("")
    # The link is still up for a moment (same boot_id), then gone, then back.
    fake.expect_state("device")
    fake.expect(BOOT, "old\n")
    fake.expect_state("offline", "absent", DeviceNotFoundError("no device", serial="SER123"), "device")
    fake.expect(BOOT, "new\n")
    fake.expect(["getprop", "sys.boot_completed"], raises=DeviceDisconnectedError("adbd restarting"))
    fake.expect(["getprop", "sys.boot_completed"], "\n")
    fake.expect(["getprop", "sys.boot_completed"], "1\n")
    d = Device(fake, poller=poller)
    start = clock.now
    d.reboot(timeout=120)
    assert clock.now - start < 120
    assert clock.sleeps and all(s <= 1.0 for s in clock.sleeps)  # polled, not one long sleep


def test_reboot_cache_dropped(fake: FakeTransport, poller: Poller) -> None:
    fake.expect(BOOT, "b1\n").expect(["getprop"], "[ro.a]: [1]\n")
    fake.expect(BOOT, "b1\n").expect_reboot("bootloader")
    d = Device(fake, poller=poller)
    assert d.getprop("ro.a") == "1"
    d.reboot("bootloader")  # no Android boot to wait for
    fake.expect(BOOT, "b2\n").expect(["getprop"], "[ro.a]: [2]\n")
    assert d.getprop("ro.a") == "2"


def test_reboot_that_never_happens_times_out_naming_what_was_seen(fake: FakeTransport, poller: Poller) -> None:
    fake.expect(BOOT, "same\n")
    fake.expect_reboot("")
    for _ in range(10):
        fake.expect_state("device")
        fake.expect(BOOT, "same\n")
    d = Device(fake, poller=poller)
    with pytest.raises(DeviceTimeoutError) as err:
        d.reboot(timeout=10)
    assert "new boot_id" in str(err.value)
    assert "unchanged" in str(err.value)
    assert err.value.serial == "SER123"


def test_wait_for_boot_timeout_reports_last_value(fake: FakeTransport, poller: Poller) -> None:
    fake.expect(["getprop", "sys.boot_completed"], "0\n", times=5)
    with pytest.raises(DeviceTimeoutError) as err:
        Device(fake, poller=poller).wait_for_boot(timeout=5)
    assert "sys.boot_completed='0'" in str(err.value)
    assert err.value.hint


def test_wait_for_boot_does_not_swallow_permanent_errors(fake: FakeTransport, poller: Poller) -> None:
    fake.expect(["getprop", "sys.boot_completed"], raises=PermanentDeviceError("unauthorized"))
    with pytest.raises(PermanentDeviceError):
        Device(fake, poller=poller).wait_for_boot(timeout=5)


@pytest.mark.parametrize(
    ("replies", "wrapped"),
    [
        ([("0\n", 0)], ["cat", "/x y"]),
        ([("2000\n", 0), ("0\n", 0)], ["su", "0", "cat", "/x y"]),
        ([("2000\n", 0), ("", 1), ("Magisk granted\n0\n", 0)], ["su", "-c", "cat '/x y'"]),
    ],
    ids=["adbd-root", "su-uid", "su-c"],
)
def test_root_forms(fake: FakeTransport, replies: list[tuple[str, int]], wrapped: list[str]) -> None:
    probes = [["id", "-u"], ["su", "0", "id", "-u"], ["su", "-c", "id -u"]]
    for argv, (out, code) in zip(probes, replies, strict=False):
        fake.expect(argv, out, exit_code=code)
    fake.expect(wrapped, "secret\n")
    d = Device(fake)
    assert d.is_root()
    assert d.shell(["cat", "/x y"], root=True).stdout == "secret\n"


def test_no_root(fake: FakeTransport) -> None:
    fake.expect(["id", "-u"], "2000\n").expect(["su", "0", "id", "-u"], exit_code=127)
    fake.expect(["su", "-c", "id -u"], "su: not found\n", exit_code=127)
    d = Device(fake)
    assert not d.is_root()
    with pytest.raises(PermanentDeviceError, match="root is required"):
        d.shell(["cat", "/proc/kmsg"], root=True)


def test_info_is_one_call_and_primes_cache(fake: FakeTransport) -> None:
    data = Path(__file__).parents[2] / "data" / "getprop" / "mediatek_helio_p60_android9.txt"
    out = (
        "@@android_suite:boot_id\nb1\n@@android_suite:getprop\n"
        + data.read_text()
        + "@@android_suite:version\nLinux version 4.4.146+ (x@y) #1\n"
        "@@android_suite:uname\n4.4.146+\n@@android_suite:meminfo\nMemTotal:        3809876 kB\n"
        "@@android_suite:cpu_possible\n0-7\n@@android_suite:nproc\n8\n@@android_suite:end\n"
    )
    fake.expect(list(INFO_ARGV), out)
    d = Device(fake)
    info = d.info()
    assert (info.serial, info.soc_vendor, info.soc_model) == ("SER123", "MediaTek", "MT6771")
    assert (info.ram_kb, info.cores, info.kernel_version) == (3809876, 8, "4.4.146+")
    assert d.getprop("ro.product.model") == "CPH1859"  # from the primed cache
    assert len(fake.calls) == 1


def test_push_pull_delegate(fake: FakeTransport, tmp_path: Path) -> None:
    src = tmp_path / "a.bin"
    src.write_bytes(b"12345")
    fake.expect_push("/data/local/tmp/a.bin").expect_pull("/data/local/tmp/a.bin", b"12345")
    d = Device(fake)
    assert d.push(src, "/data/local/tmp/a.bin") == 5
    assert d.pull("/data/local/tmp/a.bin", tmp_path / "b.bin") == 5
    assert (tmp_path / "b.bin").read_bytes() == b"12345"
