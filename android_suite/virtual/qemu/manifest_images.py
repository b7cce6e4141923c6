"""Manifest entries for a QEMU handset: its factory image and the stock, v1 and sysctl builds.

``kernel/images.py`` asks here for profiles with a ``[qemu]`` section, so the
kcompressd control and ``run`` flash real kernels onto the QEMU handset exactly
as they flash test kernels onto modelled ones. Builds missing from the kbuild
cache are left out with a warning (the control then falls back to the knob).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from android_suite.errors import ConfigError
from android_suite.kernel.manifest import ImageEntry
from android_suite.virtual.bootimg import parse_boot_image
from android_suite.virtual.profile import Profile, QemuSettings
from android_suite.virtual.qemu.launch import MANIFEST_VARIANTS, guest_boot_image

log = logging.getLogger(__name__)
Store = Callable[[bytes, Path], tuple[Path, str]]


def qemu_profile_images(profile: Profile, cache_dir: Path, store: Store) -> list[ImageEntry]:
    """Factory entry plus one entry per cached build; ``store`` writes an image by sha256."""
    settings = profile.qemu or QemuSettings()
    product = profile.props.get("ro.product.device") or profile.name
    entries: list[ImageEntry] = []
    for build in (settings.variant, *MANIFEST_VARIANTS):
        factory = not entries
        try:
            data = guest_boot_image(settings.arch, build)
        except ConfigError as exc:
            if factory:
                raise
            log.warning("left out of the manifest: %s", exc)
            continue
        info = parse_boot_image(data)
        path, digest = store(data, cache_dir)
        variant, mechanism = MANIFEST_VARIANTS[build]
        entries.append(
            ImageEntry(
                name=f"{profile.name}-factory" if factory else f"{profile.name}-{build}",
                variant=variant,
                mechanism=mechanism,
                product=product,
                kernel_release=(info.kernel_release if info else None) or "unknown",
                sha256=digest,
                path=path,
                factory=factory,
                description=f"Linux 6.12 {build} build for QEMU {settings.arch} (android_suite/kbuild)",
            )
        )
    return entries
