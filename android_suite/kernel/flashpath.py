"""The flash path of :mod:`android_suite.kernel.control`, against the flashing modules' API.

``android_suite.kernel.flash`` (``flash_variant(device, fastboot, entry, *,
timeout) -> FlashRecord`` and ``restore(device, fastboot, record)``) and
``android_suite.kernel.manifest`` (``load_manifest(path)``; entries with
``variant``, ``product``, ``sha256``, ``kernel_release``, ``path``) are
imported by name at call time: when they are missing the flash path is
reported unavailable instead of breaking the import of this package.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FLASH_MODULE = "android_suite.kernel.flash"
MANIFEST_MODULE = "android_suite.kernel.manifest"


@dataclass(frozen=True)
class FlashPlan:
    """What to flash: the manifest entry and the two functions that flash and undo it."""

    entry: Any
    flash_variant: Callable[..., Any]
    restore: Callable[..., Any]


_MECHANISM_ORDER = {"build": 0, "none": 0, "sysctl": 1, "module": 2}


def plan_flash(
    *, flashable: bool, manifest: Any, fastboot: Any, wanted: str, product: str | None, prefer: str | None = None
) -> FlashPlan | str:
    """A :class:`FlashPlan`, or one line saying why the flash path cannot run.

    ``prefer`` is a mechanism to try first (the handset's own, so that "on again"
    on an RFC handset flashes an RFC kernel, not the upstream build).
    """
    if not flashable:
        return "flash: handset not flashable (locked bootloader, or flashing not allowed in this run)"
    if manifest is None:
        return "flash: no boot-image manifest given"
    if fastboot is None:
        return "flash: no fastboot link given"
    try:
        flash = importlib.import_module(FLASH_MODULE)
        manifests = importlib.import_module(MANIFEST_MODULE)
        flash_variant, restore = flash.flash_variant, flash.restore
    except (ImportError, AttributeError) as exc:
        return f"flash: {FLASH_MODULE} is not available yet ({exc})"
    loaded = manifests.load_manifest(manifest) if isinstance(manifest, str | Path) else manifest
    entries = getattr(loaded, "entries", loaded)
    # Factory entries are restore targets, not test images, even when their kernel
    # carries the wanted variant. Among test images prefer the handset's own
    # mechanism, then the upstream build-time variant (the one the claims are
    # about), then the runtime knobs.
    found = sorted(
        (
            e
            for e in entries
            if getattr(e, "variant", None) == wanted
            and getattr(e, "product", None) == product
            and not getattr(e, "factory", False)
        ),
        key=lambda e: (
            getattr(e, "mechanism", None) != prefer,
            _MECHANISM_ORDER.get(str(getattr(e, "mechanism", "")), 9),
        ),
    )
    if not found:
        return f"flash: the manifest has no kcompressd={wanted} image for product {product!r}"
    return FlashPlan(found[0], flash_variant, restore)


def as_dict(record: Any) -> dict[str, Any]:
    """A flash record as JSON-safe data for results (paths and other objects as strings)."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(record).items()}
    return {"record": repr(record)}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
