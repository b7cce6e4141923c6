"""Wrap a built kernel + initramfs into an Android boot image and list it in the kbuild manifest.

The boot image is what the existing fastboot flash path writes; the manifest
(``kernels/qemu.toml``, format of :mod:`android_suite.kernel.manifest`) pins
it by sha256 to the product ``asuite_qemu_<arch>``. The bytes are a pure
function of kernel, ramdisk and cmdline (``bootimg.build_boot_image``), so
the QEMU handset's own wrapping of the same build gives the same sha256.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from android_suite.kbuild.paths import atomic_write, kernels_dir, locked
from android_suite.kernel.manifest import ImageEntry, load_manifest
from android_suite.kernel.manifest_write import write_manifest
from android_suite.virtual.bootimg import build_boot_image

# kbuild variant -> manifest (variant, mechanism), as kernel_config/README.md defines them.
MANIFEST_VARIANTS = {"stock": ("off", "none"), "v1": ("on", "build"), "sysctl": ("on", "sysctl")}


def product(arch: str) -> str:
    return f"asuite_qemu_{arch}"


def manifest_path() -> Path:
    return kernels_dir() / "qemu.toml"


def package(
    *, arch: str, variant: str, root: Path, kernel: Path, initramfs: Path, cmdline: str, release: str
) -> tuple[Path, str]:
    """Write ``root/boot-<sha>.img`` (if new) and its manifest entry; returns (path, sha256)."""
    data = build_boot_image(kernel.read_bytes(), initramfs.read_bytes(), cmdline=cmdline)
    digest = hashlib.sha256(data).hexdigest()
    path = root / f"boot-{digest[:16]}.img"
    if not path.is_file():
        atomic_write(path, data)
    mvariant, mechanism = MANIFEST_VARIANTS[variant]
    entry = ImageEntry(
        name=f"qemu-{arch}-{variant}",
        variant=mvariant,
        mechanism=mechanism,
        product=product(arch),
        kernel_release=release,
        sha256=digest,
        path=path,
        description=f"Linux {release} ({variant}) + busybox initramfs for QEMU {arch}, built by android_suite.kbuild",
    )
    with locked(kernels_dir() / "qemu.toml.lock", "the kbuild manifest"):
        target = manifest_path()
        entries = list(load_manifest(target).entries) if target.is_file() else []
        entries = [e for e in entries if e.name != entry.name] + [entry]
        write_manifest(target, sorted(entries, key=lambda e: e.name))
    return path, digest
