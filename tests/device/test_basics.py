"""What a user checks first on a phone (or, with no phone, on virtual handsets)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from android_suite.device.device import Device


def test_device_info_is_complete(device: Device) -> None:
    info = device.info()
    assert info.serial == device.serial
    assert info.model
    assert info.soc_vendor != "unknown"
    assert info.sdk is not None and info.sdk >= 23
    assert info.kernel_version
    assert info.ram_kb is not None and info.ram_kb > 0
    assert info.cores is not None and info.cores > 0


def test_boot_id_is_stable_without_reboot(device: Device) -> None:
    assert device.boot_id() == device.boot_id()


def test_push_pull_round_trip(device: Device, tmp_path: Path) -> None:
    src = tmp_path / "payload.bin"
    src.write_bytes(os.urandom(1024 * 1024))
    remote = "/data/local/tmp/android_suite_payload.bin"
    device.push(src, remote)
    try:
        back = tmp_path / "back.bin"
        device.pull(remote, back)
        assert hashlib.sha256(back.read_bytes()).hexdigest() == hashlib.sha256(src.read_bytes()).hexdigest()
    finally:
        device.shell(["rm", "-f", remote], check=False)
