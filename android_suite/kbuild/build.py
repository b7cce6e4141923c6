"""Build (or find in the cache) one kernel variant for one guest arch, and package it.

Cache key: sha256 over the source tarball's hash, every fragment and patch
(names and bytes), arch, variant and :data:`SCRIPT_VERSION`. A build lives in
``kernels/<key>/`` (kernel, .config, build.log, build.json, boot image) under
a lock; the work trees are deleted after a successful build. Then the
initramfs is (re)built, the pair wrapped into an Android boot image, and the
index (``kernels/index/<arch>-<variant>.json``, read by ``machine.find_image``)
and the manifest (``kernels/qemu.toml``) are updated.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from android_suite.errors import ConfigError
from android_suite.kbuild import ARCHES, SCRIPT_VERSION, VARIANTS, guest, make
from android_suite.kbuild.initramfs import build_initramfs
from android_suite.kbuild.kconfig import Settings, merge
from android_suite.kbuild.package import package
from android_suite.kbuild.paths import DEFAULT_SOURCE, FRAGMENTS, PATCHES, kernels_dir, locked
from android_suite.kbuild.source import extracted_source, file_sha256, patched_tree

CMDLINE = {"arm64": "console=ttyAMA0 panic=-1", "x86_64": "console=ttyS0 reboot=t panic=-1"}
# Files our patches touch: a compiler warning in one of them fails the build.
PATCHED_FILES = {"mm/kcompressd.c", "mm/page_io.c", "mm/vmscan.c", "mm/swap.h"}


@dataclass(frozen=True)
class KernelBuild:
    arch: str
    variant: str
    key: str
    kernel: Path
    initramfs: Path
    boot_image: Path
    boot_sha256: str
    kernel_release: str
    cmdline: str
    build_seconds: float  # of the cold build (kept from when it was built)
    cached: bool  # True when nothing was compiled this time


def fragment_paths(arch: str, variant: str, fragments_dir: Path = FRAGMENTS) -> list[Path]:
    return [fragments_dir / "base.config", fragments_dir / f"{arch}.config", fragments_dir / f"{variant}.config"]


def patch_paths(variant: str, patches_dir: Path = PATCHES) -> list[Path]:
    return [] if variant == "stock" else sorted(patches_dir.glob("*.patch"))


def requested_settings(fragment_texts: Sequence[str], variant: str) -> Settings:
    settings = merge(fragment_texts)
    # uname -r names the variant: the flash path checks the release after a reboot.
    settings["CONFIG_LOCALVERSION"] = f'"-asuite-{variant}"'
    settings["CONFIG_LOCALVERSION_AUTO"] = None
    return settings


def cache_key(
    *,
    source_sha256: str,
    fragments: Sequence[tuple[str, bytes]],
    patches: Sequence[tuple[str, bytes]],
    arch: str,
    variant: str,
    script_version: str = SCRIPT_VERSION,
) -> str:
    """sha256 over every input of a build, each length-prefixed (so no two input lists collide)."""
    digest = hashlib.sha256()
    parts: list[bytes] = [b"kbuild", script_version.encode(), source_sha256.encode(), arch.encode(), variant.encode()]
    for kind, items in ((b"fragment", fragments), (b"patch", patches)):
        for name, data in items:
            parts += [kind, name.encode(), data]
    for part in parts:
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def build_kernel(
    arch: str, variant: str, *, source: Path = DEFAULT_SOURCE, jobs: int = 2, keep_tree: bool = False
) -> KernelBuild:
    if arch not in ARCHES or variant not in VARIANTS:
        raise ConfigError(f"unknown arch/variant {arch}/{variant}; arches: {ARCHES}, variants: {VARIANTS}")
    frags = fragment_paths(arch, variant)
    patches = patch_paths(variant)
    source_sha = file_sha256(source) if source.is_file() else ""
    key = cache_key(
        source_sha256=source_sha,
        fragments=[(p.name, p.read_bytes()) for p in frags],
        patches=[(p.name, p.read_bytes()) for p in patches],
        arch=arch,
        variant=variant,
    )
    label = f"{arch}/{variant}"
    root = kernels_dir() / key
    with locked(kernels_dir() / f"{key}.lock", label):
        info_path = root / "build.json"
        cached = info_path.is_file()
        if not cached:
            print(f"[kbuild] {label}: building into {root} (key {key[:16]})", flush=True)
            _compile(arch, variant, source, source_sha, frags, patches, root, jobs, keep_tree, label)
        info = json.loads(info_path.read_text())
    kernel = root / info["kernel"]
    initramfs = build_initramfs(arch)
    boot, boot_sha = package(
        arch=arch, variant=variant, root=root, kernel=kernel, initramfs=initramfs,
        cmdline=CMDLINE[arch], release=info["kernel_release"],
    )  # fmt: skip
    result = KernelBuild(
        arch, variant, key, kernel, initramfs, boot, boot_sha, info["kernel_release"], CMDLINE[arch],
        float(info["seconds"]), cached,
    )  # fmt: skip
    _write_index(result)
    return result


def _compile(
    arch: str, variant: str, source: Path, source_sha: str, frags: list[Path], patches: list[Path],
    root: Path, jobs: int, keep_tree: bool, label: str,
) -> None:  # fmt: skip
    started = time.monotonic()
    if not source_sha:
        raise ConfigError(f"{source}: kernel source tarball not found; install linux-source-6.12 or pass --source")
    src = extracted_source(source, source_sha)
    root.mkdir(parents=True, exist_ok=True)
    log = root / "build.log"
    log.write_text(f"# kbuild {label}, source {source} ({source_sha})\n")
    tree = patched_tree(src, root / "tree", patches) if patches else src
    out = root / "out"
    cross = guest.cross_prefix(arch)
    settings = requested_settings([p.read_text() for p in frags], variant)
    make.configure(tree, out, arch, cross, settings, log)
    image = make.build_image(tree, out, arch, cross, jobs, log, label)
    if patches and (warned := make.warnings_in(log, PATCHED_FILES)):
        raise ConfigError(f"{label}: compiler warnings in patched files (log {log}):\n  " + "\n  ".join(warned))
    release = make.kernel_release(tree, out, arch, cross)
    shutil.copyfile(image, root / image.name)
    shutil.copyfile(out / ".config", root / "config")
    seconds = time.monotonic() - started
    info = {"arch": arch, "variant": variant, "kernel": image.name, "kernel_release": release,
            "seconds": round(seconds, 1), "source": str(source), "source_sha256": source_sha,
            "fragments": [p.name for p in frags], "patches": [p.name for p in patches]}  # fmt: skip
    (root / "build.json").write_text(json.dumps(info, indent=2) + "\n")
    print(f"[kbuild] {label}: built {release} in {seconds:.0f} s -> {root / image.name}", flush=True)
    if not keep_tree:
        shutil.rmtree(out, ignore_errors=True)
        if tree != src:
            shutil.rmtree(tree, ignore_errors=True)


def _write_index(build: KernelBuild) -> None:
    index = kernels_dir() / "index" / f"{build.arch}-{build.variant}.json"
    index.parent.mkdir(parents=True, exist_ok=True)
    data = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(build).items()}
    tmp = index.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(index)
