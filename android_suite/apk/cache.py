"""Where APK build outputs are cached (outside the clone) and how their keys are made."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

TESTAPP_DIR = Path(__file__).resolve().parents[2] / "apk_workloads" / "testapp"


def cache_root() -> Path:
    """``${ANDROID_SUITE_CACHE:-${XDG_CACHE_HOME:-~/.cache}/android_suite}/apk``."""
    if root := os.environ.get("ANDROID_SUITE_CACHE"):
        return Path(root) / "apk"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "android_suite" / "apk"


def digest(parts: Iterable[bytes | str]) -> str:
    """A short sha256 over length-prefixed parts (so "ab"+"c" differs from "a"+"bc")."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()[:24]


def tree_parts(root: Path, patterns: Iterable[str]) -> list[bytes | str]:
    """Relative names and contents of the files under ``root`` matching ``patterns``, sorted."""
    files = sorted({p for pat in patterns for p in root.glob(pat) if p.is_file()})
    out: list[bytes | str] = []
    for path in files:
        out += [path.relative_to(root).as_posix(), path.read_bytes()]
    return out


def cached_dir(key: str, make: Callable[[Path], None], *, root: Path | None = None) -> Path:
    """The directory for ``key``, made by ``make(tmpdir)`` unless it exists already.

    ``make`` fills a private temporary directory that is renamed into place at
    the end, so concurrent builders (pytest-xdist workers, two shells) never see
    half an output: the loser of the rename race just discards its copy.
    """
    target = (root or cache_root()) / key
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        make(tmp)
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
