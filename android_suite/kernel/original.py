"""A copy of the phone's original boot image, taken before the first flash.

Two sources, in order: the manifest's factory image for this product (when
its kernel is the one running), or the boot partition itself, read with
``dd`` as root and pulled to the host. Without either the flash is refused:
restoring must never depend on a file we do not have.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from android_suite.device.device import Device
from android_suite.errors import DeviceError
from android_suite.kernel.cache import originals_dir
from android_suite.kernel.flash_plan import DeviceFacts, OriginalState, factory_problem, refuse_without_original
from android_suite.kernel.manifest import ImageEntry, file_sha256, verify_image

BOOT_MAGIC = b"ANDROID!"
_DEVICE_TMP = "/data/local/tmp/android_suite-boot-original.img"


def original_image(
    device: Device,
    facts: DeviceFacts,
    factory: ImageEntry | None,
    *,
    work_dir: Path | None = None,
    timeout: float = 300.0,
) -> OriginalState:
    """The original boot image as a host file (slot filled in later, from the bootloader).

    Raises:
        FlashRefusedError: neither source works; the message says why for each.
        ConfigError: the factory file is missing or has another digest.
    """
    release = facts.kernel_release or ""
    problem = factory_problem(factory, facts)
    if factory is not None and problem is None:
        verify_image(factory)
        return OriginalState(None, release, factory.path, factory.sha256, "manifest", factory.partition)
    reasons = [problem or "no factory image"]
    pulled = pull_boot_partition(device, facts, work_dir or originals_dir(), timeout=timeout)
    if isinstance(pulled, OriginalState):
        return pulled
    reasons.append(pulled)
    raise refuse_without_original(facts, reasons)


def pull_boot_partition(device: Device, facts: DeviceFacts, work_dir: Path, *, timeout: float) -> OriginalState | str:
    """Read ``/dev/block/by-name/boot<suffix>`` with dd as root and pull it; a reason string if that cannot be done."""
    suffix = facts.slot_suffix or ""
    block = f"/dev/block/by-name/boot{suffix}"
    copied = False
    try:
        if not device.is_root():
            return f"cannot read {block}: no root on this phone"
        if device.shell(["ls", block], root=True, check=False).exit_code != 0:
            return f"cannot read {block}: no such block device"
        # Toybox dd; bs=1 MiB keeps a 64 MiB partition to 64 reads.
        copied = True
        dd = device.shell(
            ["dd", f"if={block}", f"of={_DEVICE_TMP}", "bs=1048576"], root=True, check=False, timeout=timeout
        )
        if dd.exit_code != 0:
            return f"dd of {block} failed with status {dd.exit_code}: {(dd.stderr or dd.stdout).strip()[:200]}"
        work_dir.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", facts.serial)
        partial = work_dir / f".{safe}-boot{suffix}.{os.getpid()}.partial"
        device.pull(_DEVICE_TMP, partial, timeout=timeout)
    except DeviceError as exc:
        return f"reading {block} failed: {exc.message}"
    finally:
        if copied:
            # A leftover temp file is harmless; the pull result decides.
            with contextlib.suppress(DeviceError):
                device.shell(["rm", "-f", _DEVICE_TMP], root=True, check=False)
    with partial.open("rb") as f:
        if f.read(len(BOOT_MAGIC)) != BOOT_MAGIC:
            partial.unlink(missing_ok=True)
            return f"{block} does not hold an Android boot image (no ANDROID! magic)"
    digest = file_sha256(partial)
    final = work_dir / f"{safe}-boot{suffix}-{digest[:16]}.img"
    os.replace(partial, final)
    return OriginalState(None, facts.kernel_release or "", final, digest, "pulled", "boot")
