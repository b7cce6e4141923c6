"""Write boot-image manifests (the format :mod:`android_suite.kernel.manifest` reads)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from android_suite.kernel.manifest import FORMAT, ImageEntry, Manifest, load_manifest


def render_manifest(entries: Iterable[ImageEntry], directory: Path) -> str:
    """TOML text for ``entries``; paths are written relative to ``directory`` when possible."""
    lines = [f"format = {FORMAT}"]
    for e in entries:
        try:
            path = os.path.relpath(e.path, directory)
        except ValueError:  # another drive (Windows): keep it absolute
            path = str(e.path)
        fields: dict[str, str | bool] = {
            "name": e.name,
            "variant": e.variant,
            "mechanism": e.mechanism,
            "product": e.product,
            "kernel_release": e.kernel_release,
            "sha256": e.sha256,
            "path": path,
            "slot_policy": e.slot_policy,
            "partition": e.partition,
            "factory": e.factory,
        }
        if e.description:
            fields["description"] = e.description
        lines.append("\n[[image]]")
        # json.dumps of str/bool is valid TOML (basic strings use the same escapes).
        lines += [f"{k} = {json.dumps(v)}" for k, v in fields.items()]
    return "\n".join(lines) + "\n"


def write_manifest(path: Path, entries: Iterable[ImageEntry]) -> Manifest:
    """Write atomically (temp file + rename) and return the manifest as read back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(render_manifest(entries, path.parent), encoding="utf-8")
    os.replace(tmp, path)
    return load_manifest(path)
