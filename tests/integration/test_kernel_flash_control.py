"""The flash path (android_suite.kernel.flash) on virtual handsets, through the real adb server and fastboot CLI.

Images come from android_suite.kernel.images (built once per session into a
temporary cache); every test leaves the handset on its factory kernel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.device.device import Device
from android_suite.device.fastboot import FastbootClient
from android_suite.errors import ConfigError
from android_suite.kernel.flash import FlashRecord, flash_variant, restore
from android_suite.kernel.flash_plan import FlashFailedError, FlashRefusedError, kernel_release
from android_suite.kernel.images import build_virtual_images
from android_suite.kernel.manifest import ImageEntry, Manifest
from android_suite.session import Target

pytestmark = pytest.mark.virtual_only

TIMEOUT = 90.0


@pytest.fixture(scope="session")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    return build_virtual_images(cache_dir=tmp_path_factory.mktemp("images"))


@pytest.fixture
def fastboot(handset: Target) -> FastbootClient:
    assert handset.virtual is not None
    return FastbootClient(f"tcp:127.0.0.1:{handset.virtual.fastboot_port}")


@pytest.fixture
def product(device: Device) -> str:
    value = device.getprop("ro.product.device")
    assert value
    return value


@pytest.fixture
def factory(manifest: Manifest, product: str, device: Device) -> Iterator[ImageEntry]:
    entry = manifest.factory(product)
    assert entry is not None
    assert running_release(device) == entry.kernel_release, "a previous test left a test kernel behind"
    yield entry
    assert running_release(device) == entry.kernel_release, "the test did not restore the factory kernel"


def running_release(device: Device) -> str | None:
    return kernel_release(device.shell(["cat", "/proc/version"]).stdout)


def threads(device: Device) -> set[str]:
    out = device.shell(["ps", "-A"]).stdout
    return {line.split()[-1].strip("[]") for line in out.splitlines()[1:] if line.strip()}


def test_flash_on_then_off_then_restore(
    device: Device, fastboot: FastbootClient, manifest: Manifest, product: str, factory: ImageEntry
) -> None:
    on = manifest.find(product, "on", "build")
    rec_on = flash_variant(device, fastboot, on, timeout=TIMEOUT)
    assert (rec_on.original.slot, rec_on.slot) == ("a", "b")  # the original slot is never written
    assert rec_on.original.source == "manifest"
    assert rec_on.kcompressd0 and "kcompressd0" in threads(device)
    assert running_release(device) == on.kernel_release

    off = manifest.find(product, "off")
    rec_off = flash_variant(device, fastboot, off, timeout=TIMEOUT, previous=rec_on)
    assert rec_off.original == rec_on.original
    assert rec_off.slot == "b"
    assert not rec_off.kcompressd0 and "kcompressd0" not in threads(device)
    assert "kswapd0" in threads(device)
    assert running_release(device) == off.kernel_release

    restore(device, fastboot, rec_off, timeout=TIMEOUT)
    assert running_release(device) == factory.kernel_release


def test_product_mismatch_is_refused_before_anything_is_written(
    device: Device, fastboot: FastbootClient, manifest: Manifest, product: str, factory: ImageEntry
) -> None:
    boot_id = device.boot_id()
    foreign = dataclasses.replace(manifest.find(product, "on", "build"), product="some-other-phone")
    with pytest.raises(FlashRefusedError, match="some-other-phone"):
        flash_variant(device, fastboot, foreign, timeout=TIMEOUT)
    # No reboot happened, so the bootloader was never reached and wrote nothing.
    assert device.boot_id() == boot_id


def test_altered_image_is_refused_before_anything_is_written(
    device: Device, fastboot: FastbootClient, manifest: Manifest, product: str, factory: ImageEntry, tmp_path: Path
) -> None:
    entry = manifest.find(product, "on", "build")
    copy = tmp_path / "boot.img"
    copy.write_bytes(entry.path.read_bytes() + b"\0")
    boot_id = device.boot_id()
    with pytest.raises(ConfigError, match="sha256"):
        flash_variant(device, fastboot, dataclasses.replace(entry, path=copy), timeout=TIMEOUT)
    assert device.boot_id() == boot_id


def test_failed_flash_is_retried_then_the_original_restored(
    device: Device, handset: Target, fastboot: FastbootClient, manifest: Manifest, product: str, factory: ImageEntry
) -> None:
    assert handset.control is not None and handset.virtual is not None
    handset.control.set_faults(handset.virtual.name, fail_flash="boot")
    with pytest.raises(FlashFailedError, match="Flash write failure") as failed:
        flash_variant(device, fastboot, manifest.find(product, "on", "build"), timeout=TIMEOUT, attempts=2)
    assert failed.value.restored
    assert "after 2 attempt(s)" in str(failed.value)
    assert device.getprop("sys.boot_completed") == "1"
    assert running_release(device) == factory.kernel_release


def test_writing_the_original_slot_restores_by_reflashing(
    device: Device, fastboot: FastbootClient, manifest: Manifest, product: str, factory: ImageEntry
) -> None:
    entry = dataclasses.replace(manifest.find(product, "off"), slot_policy="active")
    record: FlashRecord = flash_variant(device, fastboot, entry, timeout=TIMEOUT)
    assert record.slot == record.original.slot == "a"
    assert running_release(device) == entry.kernel_release
    restore(device, fastboot, record, timeout=TIMEOUT)  # must write the factory image back to slot a
    assert running_release(device) == factory.kernel_release


def test_control_on_off_on_by_flashing_then_restores_the_factory_kernel(
    device: Device, handset: Target, manifest: Manifest, fastboot: FastbootClient, factory: ImageEntry
) -> None:
    """KcompressdControl on a handset with no knob: each state reached by flashing, each verified."""
    from android_suite.kernel.control import KcompressdControl

    control = KcompressdControl(device, target=handset, fastboot=fastboot, manifest=manifest, flashable=True)
    try:
        seen = []
        for wanted in ("on", "off", "on"):
            record = control.set_state(wanted)
            seen.append((wanted, record.how))
            assert ("kcompressd0" in threads(device)) == (wanted == "on") or record.mechanism == "sysctl"
        # mediatek reaches both states through its vm.kcompressd knob; generic_arm only by flashing.
        hows = {how for _, how in seen}
        assert handset.virtual is not None
        assert hows == ({"flash"} if handset.virtual.profile == "generic_arm" else {"knob", "already"} & hows), seen
    finally:
        assert control.restore() == []


def test_rfc_handset_on_off_on_each_verified_then_restored(
    device: Device, handset: Target, manifest: Manifest, fastboot: FastbootClient, product: str, factory: ImageEntry
) -> None:
    """A handset running the RFC (module) kernel: on is already there, off and on again are flashed.

    The RFC has no sound runtime off switch, so both changes go through fastboot;
    "on again" flashes the RFC kernel back (the handset's own mechanism), not v1.
    """
    from android_suite.kernel.control import KcompressdControl
    from android_suite.kernel.detect import detect_reclaim

    rfc = manifest.find(product, "on", "module")
    to_rfc = flash_variant(device, fastboot, rfc, timeout=TIMEOUT)
    try:
        assert running_release(device) == rfc.kernel_release
        setup = detect_reclaim(device, with_config=False)
        assert setup.mechanism == "module" and setup.offload_possible is True
        control = KcompressdControl(device, target=handset, fastboot=fastboot, manifest=manifest, flashable=True)
        try:
            on = control.set_state("on")
            assert (on.how, on.mechanism) == ("already", "module")
            off = control.set_state("off")
            assert (off.how, off.mechanism, off.offload_active) == ("flash", "none", False)
            assert not any(t.startswith("kcompressd") for t in threads(device))
            again = control.set_state("on")
            assert (again.how, again.mechanism) == ("flash", "module")
            assert running_release(device) == rfc.kernel_release
        finally:
            assert control.restore() == []
        assert running_release(device) == rfc.kernel_release  # the control's own original
    finally:
        restore(device, fastboot, to_rfc, timeout=TIMEOUT)
