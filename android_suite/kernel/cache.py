"""Where built and pulled boot images live: a cache outside the clone.

Images are tens of MiB on a phone and differ per machine, so they stay out of
the repository: ``$XDG_CACHE_HOME/android_suite`` (default
``~/.cache/android_suite``), or ``$ANDROID_SUITE_CACHE`` when set.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The suite's cache directory (not created here)."""
    explicit = os.environ.get("ANDROID_SUITE_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "android_suite"


def images_dir() -> Path:
    """Boot images built for virtual handsets, by content hash, plus their manifest."""
    return cache_root() / "images"


def originals_dir() -> Path:
    """Original boot images pulled from phones before a flash (kept for restore)."""
    return cache_root() / "originals"
