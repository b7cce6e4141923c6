"""KnobWriter: write with read-back, clear errors, restore newest first without raising."""

from __future__ import annotations

import shlex
from collections.abc import Iterator

import pytest

from android_suite.device.device import Device
from android_suite.device.fake import FakeTransport
from android_suite.errors import DeviceDisconnectedError
from android_suite.kernel.knobs import KnobError, KnobWriter

KC = "/proc/sys/vm/kcompressd"
SW = "/proc/sys/vm/swappiness"


def write_script(path: str, value: str, *, first: bool) -> list[str]:
    p, v = shlex.quote(path), shlex.quote(value)
    script = (
        f"[ -e {p} ] || {{ printf '\\n::knob:: absent\\n'; exit 0; }}; "
        + (f"printf '\\n::knob:: before\\n'; cat {p} 2>/dev/null; " if first else "")
        + f"echo {v} > {p} || printf '\\n::knob:: failed\\n'; printf '\\n::knob:: after\\n'; cat {p} 2>/dev/null"
    )
    return ["sh", "-c", script]


def reply(before: str | None = None, after: str = "", *, failed: bool = False) -> str:
    out = f"\n::knob:: before\n{before}\n" if before is not None else ""
    out += "\n::knob:: failed\n" if failed else ""
    return out + f"\n::knob:: after\n{after}\n"


@pytest.fixture
def fake() -> Iterator[FakeTransport]:
    t = FakeTransport("SER9")
    t.expect(["id", "-u"], "0\n")  # adbd runs as root: commands go as they are
    yield t
    t.assert_all_consumed()


def test_write_verifies_and_restore_goes_newest_first(fake: FakeTransport) -> None:
    fake.expect(write_script(KC, "0", first=True), reply("24", "0"))
    fake.expect(write_script(SW, "60", first=True), reply("100", "60"))
    fake.expect(write_script(KC, "8", first=False), reply(after="8"))
    w = KnobWriter(Device(fake))
    assert w.write(KC, 0) == "0"
    assert w.write(SW, 60) == "60"
    assert w.write(KC, 8) == "8"
    assert w.original(KC) == "24" and w.changed == (KC, SW)
    fake.expect(write_script(SW, "100", first=False), reply(after="100"))
    fake.expect(write_script(KC, "24", first=False), reply(after="24"))
    assert w.restore() == []
    assert [c.args[-1].count(" > ") for c in fake.calls[-2:]] == [1, 1]
    assert SW in fake.calls[-2].args[-1] and KC in fake.calls[-1].args[-1]


def test_mismatch_names_device_path_wanted_and_got(fake: FakeTransport) -> None:
    fake.expect(write_script(KC, "300", first=True), reply("24", "24"))
    with pytest.raises(KnobError) as err:
        KnobWriter(Device(fake)).write(KC, 300)
    text = str(err.value)
    assert "SER9" in text and KC in text and "'300'" in text and "'24'" in text
    assert (err.value.path, err.value.wanted, err.value.got) == (KC, "300", "24")


def test_refused_write_reports_stderr_and_needs_no_undo(fake: FakeTransport) -> None:
    fake.expect(write_script(KC, "-1", first=True), reply("24", "24", failed=True), stderr="echo: Invalid argument")
    w = KnobWriter(Device(fake))
    with pytest.raises(KnobError, match="write refused") as err:
        w.write(KC, -1)
    assert "Invalid argument" in str(err.value)
    assert w.changed == () and w.restore() == []


def test_absent_knob(fake: FakeTransport) -> None:
    fake.expect(write_script(KC, "0", first=True), "\n::knob:: absent\n")
    with pytest.raises(KnobError, match="no such knob"):
        KnobWriter(Device(fake)).write(KC, 0)


def test_expect_predicate_and_no_verify(fake: FakeTransport) -> None:
    alg = "/sys/block/zram0/comp_algorithm"
    fake.expect(write_script(alg, "zstd", first=True), reply("lzo [lz4]", "lzo lz4 [zstd]"))
    fake.expect(write_script(SW, "5", first=True), reply("100", "7"))
    w = KnobWriter(Device(fake))
    assert w.write(alg, "zstd", expect=lambda got: "[zstd]" in got) == "lzo lz4 [zstd]"
    assert w.write(SW, 5, verify=False) == "7"


def test_snapshot_reads_in_one_call(fake: FakeTransport) -> None:
    script = "; ".join(
        f"printf '\\n::knob:: {i}\\n'; cat {p} 2>/dev/null" for i, p in enumerate((KC, "/proc/sys/vm/nope"))
    )
    fake.expect(["sh", "-c", script], "\n::knob:: 0\n24\n\n::knob:: 1\n")
    w = KnobWriter(Device(fake))
    assert w.snapshot([KC, "/proc/sys/vm/nope"]) == {KC: "24", "/proc/sys/vm/nope": None}
    assert w.original(KC) == "24"


def test_restore_never_raises_and_context_manager_restores() -> None:
    fake = FakeTransport("SER9")
    fake.expect(write_script(KC, "0", first=True), reply("24", "0"))
    fake.expect(write_script(KC, "24", first=False), raises=DeviceDisconnectedError("gone", serial="SER9"))
    with KnobWriter(Device(fake), root=False) as w:
        w.write(KC, 0)
    fake.assert_all_consumed()  # __exit__ tried to restore; the drop was swallowed
    fake.expect(write_script(KC, "0", first=True), reply("24", "0"))
    fake.expect(write_script(KC, "24", first=False), raises=DeviceDisconnectedError("gone", serial="SER9"))
    w2 = KnobWriter(Device(fake), root=False)
    w2.write(KC, 0)
    (failure,) = w2.restore()
    assert KC in failure and "'24'" in failure


def test_root_through_su() -> None:
    fake = FakeTransport("SER8")
    fake.expect(["id", "-u"], "2000\n").expect(["su", "0", "id", "-u"], "0\n")
    fake.expect(["su", "0", *write_script(KC, "0", first=True)], reply("24", "0"))
    assert KnobWriter(Device(fake)).write(KC, 0) == "0"
    fake.assert_all_consumed()
