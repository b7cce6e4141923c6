#!/usr/bin/env python3
"""Build the virtual handsets' boot images (kcompressd on/off/sysctl + factory) and their manifest.

    .venv/bin/python kernel_config/build_virtual_images.py [--cache-dir DIR] [--profile NAME ...]

Images go to ~/.cache/android_suite/images/blobs/<sha256>.img (or --cache-dir),
the manifest to <cache-dir>/virtual.toml; its path is printed last.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from android_suite.errors import SuiteError
from android_suite.kernel.images import build_virtual_images
from android_suite.options import DEFAULT_PROFILES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=None, help="where images and manifest go")
    parser.add_argument(
        "--fragments-dir", type=Path, default=None, help="config fragments (default: kernel_config/fragments)"
    )
    parser.add_argument(
        "--profile",
        action="append",
        default=None,
        help=f"virtual profile (repeatable; default: {', '.join(DEFAULT_PROFILES)})",
    )
    args = parser.parse_args(argv)
    try:
        manifest = build_virtual_images(
            tuple(args.profile or DEFAULT_PROFILES), cache_dir=args.cache_dir, fragments_dir=args.fragments_dir
        )
    except SuiteError as exc:
        print(f"build_virtual_images: error: {exc}", file=sys.stderr)
        return 2
    for e in manifest.entries:
        print(f"{e.name:32} {e.variant:3} {e.mechanism:6} {e.product:8} {e.kernel_release}")
    print(manifest.path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
