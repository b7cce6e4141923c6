"""kcompressd on and off by flashing boot images with the real fastboot client.

The virtual handset boots whatever kernel its active slot carries; the
kernel's embedded config decides the kcompressd variant (see
android_suite.virtual.sim.kimage). Every test puts the factory image back.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from android_suite.device.device import Device
from android_suite.session import Target
from android_suite.virtual.bootimg import build_boot_image
from android_suite.virtual.profile import load_profile
from android_suite.virtual.sim.kimage import build_kernel_image, default_config, profile_kernel

pytestmark = pytest.mark.virtual_only


def fastboot(handset: Target, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert handset.virtual is not None
    argv = ["fastboot", "-s", f"tcp:127.0.0.1:{handset.virtual.fastboot_port}", *args]
    # The CLI waits forever for a target that never appears: always bound it.
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def flash_and_boot(device: Device, handset: Target, image: Path) -> subprocess.CompletedProcess[str]:
    device.reboot(target="bootloader", wait=False)
    flashed = fastboot(handset, "flash", "boot", str(image))
    rebooted = fastboot(handset, "reboot")
    assert rebooted.returncode == 0, rebooted.stderr
    device.wait_for_boot(timeout=60)
    return flashed


def kernel_threads(device: Device) -> set[str]:
    out = device.shell(["ps", "-A"]).stdout
    return {line.split()[-1].strip("[]") for line in out.splitlines()[1:] if line.strip()}


@pytest.fixture
def images(handset: Target, device: Device, tmp_path: Path) -> Iterator[dict[str, Path]]:
    assert handset.virtual is not None
    profile = load_profile(handset.virtual.profile)
    release = f"{profile.kernel.release}-kcompressd-test"
    paths = {}
    for name, variant in (("on", "v1"), ("off", "none")):
        path = tmp_path / f"boot-{name}.img"
        path.write_bytes(build_boot_image(build_kernel_image(release, default_config(variant))))
        paths[name] = path
    paths["corrupt"] = tmp_path / "boot-corrupt.img"
    paths["corrupt"].write_bytes(b"ANDROID!" + b"\x00" * 64)
    paths["factory"] = tmp_path / "boot-factory.img"
    paths["factory"].write_bytes(build_boot_image(profile_kernel(profile)))
    yield paths
    flash_and_boot(device, handset, paths["factory"])  # restore, whatever happened


def test_flash_on_then_off_toggles_kcompressd0(device: Device, handset: Target, images: dict[str, Path]) -> None:
    r = flash_and_boot(device, handset, images["on"])
    assert r.returncode == 0, r.stderr
    assert "kcompressd-test" in device.shell(["cat", "/proc/version"]).stdout
    assert "kcompressd0" in kernel_threads(device)
    assert "kswapd0" in kernel_threads(device)

    r = flash_and_boot(device, handset, images["off"])
    assert r.returncode == 0, r.stderr
    assert "kcompressd0" not in kernel_threads(device)
    assert "kswapd0" in kernel_threads(device)


def test_corrupt_image_is_refused_and_handset_stays_usable(
    device: Device, handset: Target, images: dict[str, Path]
) -> None:
    before = device.shell(["cat", "/proc/version"]).stdout
    r = flash_and_boot(device, handset, images["corrupt"])
    assert r.returncode != 0
    assert "invalid boot image" in r.stderr
    assert device.shell(["cat", "/proc/version"]).stdout == before
