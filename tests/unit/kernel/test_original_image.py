"""Taking a copy of the original boot image: the manifest's factory image, else dd as root, else refuse."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.device.device import Device
from android_suite.device.fake import FakeTransport
from android_suite.kernel.flash_plan import DeviceFacts, FlashRefusedError
from android_suite.kernel.manifest import ImageEntry
from android_suite.kernel.original import original_image

RELEASE = "6.1.68-android14-11-g3e9b6c5a1d27-ab11431029"
FACTS = DeviceFacts(serial="SER1", product="rubens", kernel_release=RELEASE, slot_suffix="_a")
BLOCK = "/dev/block/by-name/boot_a"
TMP = "/data/local/tmp/android_suite-boot-original.img"
DD = ["dd", f"if={BLOCK}", f"of={TMP}", "bs=1048576"]
IMAGE = b"ANDROID!" + bytes(4088)


@pytest.fixture
def fake() -> Iterator[FakeTransport]:
    t = FakeTransport("SER1")
    yield t
    t.assert_all_consumed()


def factory_entry(tmp_path: Path, data: bytes = IMAGE, release: str = RELEASE) -> ImageEntry:
    path = tmp_path / "factory.img"
    path.write_bytes(data)
    return ImageEntry(
        name="rubens-factory",
        variant="off",
        mechanism="none",
        product="rubens",
        kernel_release=release,
        sha256=hashlib.sha256(data).hexdigest(),
        path=path,
        factory=True,
    )


def test_the_factory_image_is_used_without_touching_the_phone(fake: FakeTransport, tmp_path: Path) -> None:
    entry = factory_entry(tmp_path)
    state = original_image(Device(fake), FACTS, entry, work_dir=tmp_path / "w")
    assert (state.source, state.image, state.image_sha256, state.kernel_release) == (
        "manifest",
        entry.path,
        entry.sha256,
        RELEASE,
    )
    assert fake.calls == []


def test_a_stale_factory_image_falls_back_to_dd(fake: FakeTransport, tmp_path: Path) -> None:
    entry = factory_entry(tmp_path, release="6.1.0-some-older-build")
    fake.expect(["id", "-u"], "0\n")  # adbd runs as root
    fake.expect(["ls", BLOCK], f"{BLOCK}\n")
    fake.expect(DD, stderr="64+0 records in\n64+0 records out\n")
    fake.expect_pull(TMP, IMAGE)
    fake.expect(["rm", "-f", TMP])
    state = original_image(Device(fake), FACTS, entry, work_dir=tmp_path / "w")
    assert state.source == "pulled"
    assert state.image.parent == tmp_path / "w" and state.image.read_bytes() == IMAGE
    assert state.image_sha256 == hashlib.sha256(IMAGE).hexdigest()


def test_no_factory_and_no_root_is_refused_with_both_reasons(fake: FakeTransport, tmp_path: Path) -> None:
    fake.expect(["id", "-u"], "2000\n")
    fake.expect(["su", "0", "id", "-u"], exit_code=127, stderr="su: not found")
    fake.expect(["su", "-c", "id -u"], exit_code=127, stderr="su: not found")
    with pytest.raises(FlashRefusedError) as caught:
        original_image(Device(fake), FACTS, None, work_dir=tmp_path / "w")
    assert "no factory image for product 'rubens'" in caught.value.message
    assert "no root on this phone" in caught.value.message
    assert not (tmp_path / "w").exists()


def test_a_partition_without_a_boot_image_is_refused(fake: FakeTransport, tmp_path: Path) -> None:
    fake.expect(["id", "-u"], "0\n")
    fake.expect(["ls", BLOCK], f"{BLOCK}\n")
    fake.expect(DD)
    fake.expect_pull(TMP, bytes(4096))  # erased or encrypted: no ANDROID! magic
    fake.expect(["rm", "-f", TMP])
    with pytest.raises(FlashRefusedError, match="no ANDROID! magic"):
        original_image(Device(fake), FACTS, None, work_dir=tmp_path / "w")
    assert list((tmp_path / "w").iterdir()) == []


def test_non_ab_phone_reads_the_plain_boot_partition(fake: FakeTransport, tmp_path: Path) -> None:
    facts = dataclasses.replace(FACTS, slot_suffix=None)
    fake.expect(["id", "-u"], "0\n")
    fake.expect(["ls", "/dev/block/by-name/boot"], exit_code=1, stderr="No such file or directory")
    with pytest.raises(FlashRefusedError, match="/dev/block/by-name/boot: no such block device"):
        original_image(Device(fake), facts, None, work_dir=tmp_path / "w")
