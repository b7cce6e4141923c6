"""Boot images for the virtual handsets, built from the config fragments, plus their manifest.

Per profile: the factory image (byte-identical to what the virtual handset's
slots carry at start, so it can stand in as the original), and test kernels
for kcompressd on (v1 build), off, the sysctl build and the RFC (module) build. Each test kernel's
config is the profile's GKI-like base with ``kernel_config/fragments``
merged on top, and is embedded as IKCONFIG, so ``kernel-check`` on a flashed
handset reads back exactly these fragments.

Images go to a cache outside the clone, named by sha256, and are only
written when missing; the build is deterministic (gzip with mtime 0), so
the same clone always yields the same digests.

This module imports the virtual handsets' pure image helpers
(``sim.kimage``, ``bootimg``); nothing here talks to a handset.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from android_suite.kernel.cache import images_dir
from android_suite.kernel.fragments import load_fragment
from android_suite.kernel.manifest import ImageEntry, Manifest
from android_suite.kernel.manifest_write import write_manifest
from android_suite.options import DEFAULT_PROFILES
from android_suite.virtual.bootimg import build_boot_image
from android_suite.virtual.profile import Profile, load_profile
from android_suite.virtual.sim.kimage import build_kernel_image, default_config, profile_kernel

MANIFEST_NAME = "virtual.toml"
# What every test kernel carries besides its kcompressd fragment.
BASE_FRAGMENTS = ("zram-lz4", "psi", "ikconfig")
# The sim's variant names (sim.kimage) -> (manifest variant, mechanism).
_SIM_VARIANTS = {
    "none": ("off", "none"),
    "v1": ("on", "build"),
    "unofficial": ("on", "sysctl"),
    "rfc": ("on", "module"),
}


@dataclass(frozen=True)
class Recipe:
    """One test kernel: its name suffix, manifest variant/mechanism, and kcompressd fragment."""

    suffix: str
    variant: str
    mechanism: str
    fragment: str


RECIPES = (
    Recipe("kcompressd-on", "on", "build", "kcompressd-on"),
    Recipe("kcompressd-off", "off", "none", "kcompressd-off"),
    Recipe("kcompressd-sysctl", "on", "sysctl", "kcompressd-sysctl"),
    Recipe("kcompressd-module", "on", "module", "kcompressd-module"),
)


def recipe_config(recipe: Recipe, fragments_dir: Path | None = None) -> dict[str, str]:
    """The ``.config`` of a recipe's kernel: GKI-like base, then the fragments in order."""
    config = default_config("none")
    for name in (*BASE_FRAGMENTS, recipe.fragment):
        config.update(load_fragment(name, fragments_dir).as_config())
    return config


def _store(data: bytes, cache_dir: Path) -> tuple[Path, str]:
    """Write ``data`` under its sha256 unless already there; (path, digest)."""
    digest = hashlib.sha256(data).hexdigest()
    blobs = cache_dir / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    path = blobs / f"{digest}.img"
    if not path.is_file() or path.stat().st_size != len(data):
        tmp = blobs / f".{digest}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, path)  # atomic: concurrent builders write identical bytes
    return path, digest


def profile_images(profile: Profile, cache_dir: Path, fragments_dir: Path | None = None) -> list[ImageEntry]:
    """The factory image and every :data:`RECIPES` kernel for ``profile``, stored in ``cache_dir``."""
    if profile.qemu is not None:  # a real kernel under QEMU: kbuild's builds, not modelled images
        from android_suite.virtual.qemu.manifest_images import qemu_profile_images

        return qemu_profile_images(profile, cache_dir, _store)
    product = profile.props.get("ro.product.device") or profile.name
    k = profile.kernel
    variant, mechanism = _SIM_VARIANTS[k.kcompressd_variant]
    path, digest = _store(build_boot_image(profile_kernel(profile)), cache_dir)
    entries = [
        ImageEntry(
            name=f"{profile.name}-factory",
            variant=variant,
            mechanism=mechanism,
            product=product,
            kernel_release=k.release,
            sha256=digest,
            path=path,
            factory=True,
            description=f"{profile.name}'s factory boot image (kcompressd variant {k.kcompressd_variant!r})",
        )
    ]
    for recipe in RECIPES:
        release = f"{k.release}-{recipe.suffix}"
        kernel = build_kernel_image(release, recipe_config(recipe, fragments_dir), build=k.build, version=k.version)
        path, digest = _store(build_boot_image(kernel), cache_dir)
        fragments = ", ".join((*BASE_FRAGMENTS, recipe.fragment))
        entries.append(
            ImageEntry(
                name=f"{profile.name}-{recipe.suffix}",
                variant=recipe.variant,
                mechanism=recipe.mechanism,
                product=product,
                kernel_release=release,
                sha256=digest,
                path=path,
                description=f"test kernel for {profile.name}: base config + {fragments}",
            )
        )
    return entries


def build_virtual_images(
    profiles: Sequence[str] = DEFAULT_PROFILES,
    *,
    cache_dir: Path | None = None,
    fragments_dir: Path | None = None,
    manifest_name: str | None = None,
) -> Manifest:
    """Build (or reuse) every profile's images and write ``<cache_dir>/<manifest_name>``.

    Args:
        profiles: virtual profile names or TOML paths.
        cache_dir: default ``~/.cache/android_suite/images`` (see :mod:`cache`).
        fragments_dir: default the clone's ``kernel_config/fragments``.
        manifest_name: file name of the manifest inside ``cache_dir``; default
            ``virtual.toml`` for the default profiles, else one named by the profile
            set, so that concurrent sessions with other profiles never overwrite the
            manifest a flash in progress reads back (flash.py re-reads it).

    Returns:
        The manifest, as read back from disk (so it is known to validate).
    """
    folder = cache_dir or images_dir()
    entries: list[ImageEntry] = []
    for name in profiles:
        entries += profile_images(load_profile(name), folder, fragments_dir)
    if manifest_name is None:
        manifest_name = manifest_name_for(profiles)
    return write_manifest(folder / manifest_name, entries)


def manifest_name_for(profiles: Sequence[str]) -> str:
    """The manifest file of a profile set (the same set always shares one, identical, file)."""
    if set(profiles) == set(DEFAULT_PROFILES):
        return MANIFEST_NAME
    key = hashlib.sha256("\0".join(sorted(set(profiles))).encode()).hexdigest()[:12]
    return f"virtual-{key}.toml"
