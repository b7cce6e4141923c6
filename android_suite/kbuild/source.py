"""Kernel source trees: the tarball extracted once per content hash, and a patched copy per build.

The extracted tree is shared read-only by every build (builds use ``O=``);
a patched variant gets a hard-linked copy (``cp -al``: seconds, no extra
disk) in which ``patch`` replaces only the files it changes (GNU patch writes
a new file, so the shared tree's inodes are never modified).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from android_suite.errors import ConfigError
from android_suite.kbuild.paths import kernels_dir, locked, require_file


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def extracted_source(tarball: Path, sha: str) -> Path:
    """The top directory of ``tarball`` extracted under ``kernels/src/<sha>/`` (done once)."""
    require_file(tarball, "install Debian's linux-source-6.12 (./suite setup does) or pass --source TARBALL")
    root = kernels_dir() / "src" / sha
    with locked(kernels_dir() / "src" / f"{sha}.lock", f"source {tarball.name}"):
        if not root.is_dir():
            tmp = root.with_name(sha + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            print(f"[kbuild] extracting {tarball} (once per source hash) ...", flush=True)
            done = subprocess.run(["tar", "-xf", str(tarball), "-C", str(tmp)], capture_output=True, text=True)
            if done.returncode != 0:
                raise ConfigError(f"tar -xf {tarball} failed ({done.returncode}): {done.stderr[-1000:]}")
            tmp.rename(root)
    tops = [p for p in root.iterdir() if (p / "Makefile").is_file()]
    if len(tops) != 1:
        raise ConfigError(f"{tarball}: expected one kernel tree at its top, found {[p.name for p in tops]}")
    return tops[0]


def check_patches(tree: Path, patches: list[Path]) -> list[str]:
    """Problems applying ``patches`` in order to ``tree`` (a dry run in a scratch copy; empty = all apply)."""
    problems: list[str] = []
    scratch = tree.parent / f".{tree.name}.patchcheck"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        subprocess.run(["cp", "-al", str(tree), str(scratch)], check=True)
        for patch in patches:
            done = _patch(scratch, patch, dry_run=False)
            if done.returncode != 0:
                problems.append(f"{patch.name}: {done.stdout.strip()[-800:]}")
                break
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return problems


def patched_tree(src: Path, dest: Path, patches: list[Path]) -> Path:
    """``dest``: a hard-linked copy of ``src`` with ``patches`` applied (``patch -p1``), made once."""
    if dest.is_dir():
        return dest
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(["cp", "-al", str(src), str(tmp)], check=True)
    for patch in patches:
        # --dry-run first: a patch that does not apply must leave no half-patched tree.
        for dry in (True, False):
            done = _patch(tmp, patch, dry_run=dry)
            if done.returncode != 0:
                shutil.rmtree(tmp, ignore_errors=True)
                raise ConfigError(
                    f"{patch} does not apply to {src} (patch -p1 exit {done.returncode}):\n{done.stdout[-2000:]}"
                )
    tmp.rename(dest)
    return dest


def _patch(tree: Path, patch: Path, *, dry_run: bool) -> subprocess.CompletedProcess[str]:
    argv = ["patch", "-p1", "--forward", "--batch", "--no-backup-if-mismatch", "-F0", "-i", str(patch)]
    if dry_run:
        argv.append("--dry-run")
    return subprocess.run(argv, cwd=tree, capture_output=True, text=True, check=False)
