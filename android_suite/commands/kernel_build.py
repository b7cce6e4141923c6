"""``android-suite kernel-build``: build (or reuse) a real kernel for the QEMU handset.

Also ``python -m android_suite.kbuild`` with the same options.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from android_suite.kbuild import ARCHES, DEFAULT_ARCH, VARIANTS
from android_suite.kbuild.paths import DEFAULT_SOURCE


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", choices=ARCHES, default=DEFAULT_ARCH, help=f"guest architecture (default {DEFAULT_ARCH})")
    p.add_argument(
        "--variant",
        choices=(*VARIANTS, "all"),
        action="append",
        default=None,
        help="stock (unpatched), v1 (kcompressd, no knob), sysctl (vm.kcompressd); repeatable or 'all' "
        "(default: sysctl)",
    )
    p.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help=f"kernel tarball (default {DEFAULT_SOURCE})")
    p.add_argument("--jobs", type=int, default=2, help="make -j (default 2; builds run under nice -n 10)")
    p.add_argument("--keep-tree", action="store_true", help="keep the build and source trees (for debugging)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from android_suite.kbuild.build import build_kernel
    from android_suite.kbuild.package import manifest_path

    wanted = args.variant or ["sysctl"]
    variants = list(VARIANTS) if "all" in wanted else list(dict.fromkeys(wanted))
    results = [
        build_kernel(args.arch, v, source=args.source, jobs=args.jobs, keep_tree=args.keep_tree) for v in variants
    ]
    if args.json:
        print(json.dumps([{k: str(v) for k, v in asdict(r).items()} for r in results], indent=2))
        return 0
    for r in results:
        how = "cached" if r.cached else "built"
        print(f"{r.arch}/{r.variant}: {how} {r.kernel_release} (cold build {r.build_seconds:.0f} s)")
        print(f"  kernel     {r.kernel}\n  initramfs  {r.initramfs}")
        print(f"  boot image {r.boot_image}  sha256 {r.boot_sha256}")
    print(f"manifest: {manifest_path()}")
    return 0
