"""KcompressdControl: cheapest means first (already, knob, flash, pool), verified, undone."""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from android_suite.device.device import Device
from android_suite.device.fake import FakeTransport
from android_suite.errors import DeviceDisconnectedError
from android_suite.kernel import flashpath
from android_suite.kernel.control import KcompressdControl
from android_suite.kernel.detect import DETECT_ARGV, parse_reclaim_dump
from android_suite.kernel.state import PoolCandidate, StateUnavailable, StateVerificationError
from tests.unit.kernel.dumps import VERSION, phone, ps
from tests.unit.kernel.test_knobs import KC, reply, write_script

NONE = {"sysctl": None, "ps": ps("kswapd0")}
V1 = {"sysctl": None}


@pytest.fixture
def fake() -> Iterator[FakeTransport]:
    t = FakeTransport("SER1")
    yield t
    t.assert_all_consumed()


def detect(fake: FakeTransport, **overrides: str | None) -> None:
    fake.expect(list(DETECT_ARGV), stdout=phone(**overrides))


def test_already_on_writes_nothing(fake: FakeTransport) -> None:
    detect(fake)
    with KcompressdControl(Device(fake)) as control:
        record = control.set_state("on")
    assert (record.how, record.mechanism, record.knob_value, record.threads) == (
        "already",
        "sysctl",
        "24",
        ("kcompressd0",),
    )
    assert record.proc_version == VERSION.strip() and record.reasons == ()
    assert control.records == [record]


def test_off_then_on_by_knob_then_restore(fake: FakeTransport) -> None:
    fake.expect(["id", "-u"], "0\n")
    detect(fake, sysctl="32\n")
    fake.expect(write_script(KC, "0", first=True), reply("32", "0"))
    detect(fake, sysctl="0\n")
    control = KcompressdControl(Device(fake))
    off = control.set_state("off")
    assert (off.how, off.knob_path, off.knob_before, off.knob_value, off.offload_active) == (
        "knob",
        KC,
        "32",
        "0",
        False,
    )
    assert off.setup["sysctl_value"] == 0 and off.setup["kernel_config"] is None
    detect(fake, sysctl="0\n")
    fake.expect(write_script(KC, "32", first=False), reply(after="32"))  # the depth seen before, not 24
    detect(fake, sysctl="32\n")
    on = control.set_state("on")
    assert (on.how, on.knob_before, on.knob_value, on.offload_possible) == ("knob", "0", "32", True)
    fake.expect(write_script(KC, "32", first=False), reply(after="32"))
    assert control.restore() == []
    assert control.restore() == []  # nothing left to undo


def test_on_from_zero_uses_the_unofficial_default(fake: FakeTransport) -> None:
    fake.expect(["id", "-u"], "0\n")
    detect(fake, sysctl="0\n")
    fake.expect(write_script(KC, "24", first=True), reply("0", "24"))
    detect(fake)
    assert KcompressdControl(Device(fake)).set_state("on").knob_value == "24"


def test_knob_write_that_does_not_show_in_the_threads_fails(fake: FakeTransport) -> None:
    fake.expect(["id", "-u"], "0\n")
    detect(fake, sysctl="0\n")
    fake.expect(write_script(KC, "24", first=True), reply("0", "24"))
    detect(fake, ps=ps("kswapd0"))
    control = KcompressdControl(Device(fake))
    with pytest.raises(StateVerificationError, match="no kcompressd thread"):
        control.set_state("on")
    fake.expect(write_script(KC, "0", first=False), reply(after="0"))
    assert control.restore() == []


def test_no_kcompressd_is_unavailable_with_every_reason(fake: FakeTransport) -> None:
    detect(fake, **NONE)
    with pytest.raises(StateUnavailable) as err:
        KcompressdControl(Device(fake)).set_state("on")
    reasons = err.value.reasons
    assert [r.split(":")[0] for r in reasons] == ["knob", "flash", "pool"]
    assert "no kcompressd" in reasons[0] and "not flashable" in reasons[1]
    assert err.value.reason.startswith("kcompressd=on unavailable on SER1: ")
    detect(fake, **NONE)
    assert KcompressdControl(Device(fake)).set_state("off").how == "already"


def test_on_without_swap_falls_through(fake: FakeTransport) -> None:
    detect(fake, sysctl="0\n", swaps="Filename\tType\tSize\tUsed\tPriority\n")
    with pytest.raises(StateUnavailable, match="neither zram swap nor zswap"):
        KcompressdControl(Device(fake)).set_state("on")


def test_knob_refused_without_root_falls_through(fake: FakeTransport) -> None:
    detect(fake)
    fake.expect(["id", "-u"], "2000\n").expect(["su", "0", "id", "-u"], exit_code=127)
    fake.expect(["su", "-c", "id -u"], exit_code=127)
    # Without root the write is tried as the shell user; Android refuses it.
    fake.expect(write_script(KC, "0", first=True), reply("24", "24", failed=True), stderr="Permission denied")
    with pytest.raises(StateUnavailable, match=r"vm\.kcompressd=0 not written: .*write refused"):
        KcompressdControl(Device(fake)).set_state("off")


def test_rfc_and_v1_have_no_knob_so_the_pool_answers(fake: FakeTransport) -> None:
    rfc = {"sysctl": None, "nr_kcompressd": "4\n", "queue_size_per_kcompressd": "4096\n"}
    off_twin = parse_reclaim_dump("TWIN", phone(**NONE))
    other_model = parse_reclaim_dump("OTHER", phone(product="fuxi\n", **NONE))
    pool = [
        PoolCandidate("OTHER", other_model),
        PoolCandidate("SER1", off_twin),
        PoolCandidate("TWIN", off_twin, "lab-7"),
    ]
    detect(fake, **rfc)
    record = KcompressdControl(Device(fake), pool=pool).set_state("off")
    assert (record.how, record.serial, record.handset, record.mechanism) == ("pool", "TWIN", "lab-7", "none")
    assert "RFC" in record.reasons[0]
    detect(fake, **V1)
    with pytest.raises(StateUnavailable) as err:
        KcompressdControl(Device(fake), pool=pool[:1]).set_state("off")
    assert "v1" in err.value.reasons[0] and "product 'rubens'" in err.value.reasons[2]
    detect(fake, **V1)
    any_model = KcompressdControl(Device(fake), pool=pool[:1], same_product=False).set_state("off")
    assert any_model.serial == "OTHER"


@dataclass(frozen=True)
class Entry:
    name: str
    variant: str
    product: str
    kernel_release: str
    sha256: str = "0" * 64


@dataclass(frozen=True)
class FlashRecord:
    entry: str
    slot: str


@pytest.fixture
def flash_module(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    calls: list[tuple[str, Any]] = []
    module = types.ModuleType("fake_flash")

    def flash_variant(device: Device, fastboot: Any, entry: Entry, *, timeout: float) -> FlashRecord:
        calls.append(("flash", entry.name))
        return FlashRecord(entry.name, "b")

    def restore(device: Device, fastboot: Any, record: FlashRecord) -> None:
        calls.append(("restore", record))

    module.flash_variant = flash_variant  # type: ignore[attr-defined]
    module.restore = restore  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "fake_flash", module)
    monkeypatch.setattr(flashpath, "FLASH_MODULE", "fake_flash")
    monkeypatch.setattr(flashpath, "MANIFEST_MODULE", "fake_flash")
    return calls


MANIFEST = types.SimpleNamespace(
    entries=(Entry("rubens-on", "on", "rubens", "6.1.99-on"), Entry("rubens-off", "off", "rubens", "6.1.99-off"))
)


def test_flash_when_the_manifest_has_the_image(fake: FakeTransport, flash_module: list[tuple[str, Any]]) -> None:
    detect(fake, **V1)
    detect(fake, version="Linux version 6.1.99-off (b@h) #1 SMP PREEMPT\n", **NONE)
    control = KcompressdControl(Device(fake), fastboot=object(), manifest=MANIFEST, flashable=True)
    record = control.set_state("off")
    assert (record.how, record.mechanism, record.flash) == ("flash", "none", {"entry": "rubens-off", "slot": "b"})
    assert control.restore() == []
    assert flash_module == [("flash", "rubens-off"), ("restore", FlashRecord("rubens-off", "b"))]


def test_flashed_kernel_must_be_the_manifests(fake: FakeTransport, flash_module: list[tuple[str, Any]]) -> None:
    detect(fake, **V1)
    detect(fake, **NONE)  # still the old banner: the flash did not take
    control = KcompressdControl(Device(fake), fastboot=object(), manifest=MANIFEST, flashable=True)
    with pytest.raises(StateVerificationError, match=re.escape("expected '6.1.99-off'")):
        control.set_state("off")
    control.restore()
    assert flash_module[-1][0] == "restore"


def test_flash_path_unavailable_reasons(fake: FakeTransport, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flashpath, "FLASH_MODULE", "android_suite.kernel.no_such_flash_module")
    detect(fake, **V1)
    with pytest.raises(StateUnavailable, match=r"flash: android_suite\.kernel\.no_such_flash_module is not available"):
        KcompressdControl(Device(fake), fastboot=object(), manifest=MANIFEST, flashable=True).set_state("off")
    detect(fake, **V1)
    with pytest.raises(StateUnavailable, match="flash: no boot-image manifest"):
        KcompressdControl(Device(fake), fastboot=object(), flashable=True).set_state("off")


def test_restore_never_raises(fake: FakeTransport, flash_module: list[tuple[str, Any]]) -> None:
    fake.expect(["id", "-u"], "0\n")
    detect(fake)
    fake.expect(write_script(KC, "0", first=True), reply("24", "0"))
    detect(fake, sysctl="0\n")
    control = KcompressdControl(Device(fake))
    control.set_state("off")
    fake.expect(write_script(KC, "24", first=False), raises=DeviceDisconnectedError("gone", serial="SER1"))
    (failure,) = control.restore()
    assert KC in failure


def test_bad_state_name(fake: FakeTransport) -> None:
    with pytest.raises(ValueError, match="on"):
        KcompressdControl(Device(fake)).set_state("maybe")  # type: ignore[arg-type]
