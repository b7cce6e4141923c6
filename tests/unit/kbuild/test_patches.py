"""Our kcompressd patch series: well-formed git patches that apply with ``patch -p1`` to Linux 6.12.

No kernel build: the applying test copies only the files the series touches
(from kbuild's extracted source when cached, else straight from the tarball).
"""

from __future__ import annotations

import re
import shutil
import tarfile
from pathlib import Path

import pytest

from android_suite.errors import ConfigError
from android_suite.kbuild.build import patch_paths
from android_suite.kbuild.paths import DEFAULT_SOURCE, kernels_dir
from android_suite.kbuild.source import patched_tree

PATCHES = patch_paths("sysctl")


def _touched(patch: Path) -> list[str]:
    return re.findall(r"^\+\+\+ b/(\S+)", patch.read_text(), flags=re.M)


def test_series_is_git_format_patches() -> None:
    assert len(PATCHES) == 2
    for p in PATCHES:
        text = p.read_text()
        assert text.startswith("From ") and "\nSubject: [PATCH " in text and "\n---\n" in text
        assert "Signed-off-by" not in text or "android" in text  # our own commits, no copied trailers
    assert "mm/kcompressd.c" in _touched(PATCHES[0])
    assert "CONFIG_KCOMPRESSD_SYSCTL" in PATCHES[1].read_text() or "KCOMPRESSD_SYSCTL" in PATCHES[1].read_text()


def test_hunk_line_counts_add_up() -> None:
    """Every hunk header's counts match its body (a hand edit that breaks this fails here, not in a build)."""
    for p in PATCHES:
        lines = p.read_text().splitlines()
        i = 0
        while i < len(lines):
            m = re.match(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@", lines[i])
            i += 1
            if not m:
                continue
            old = int(m.group(1) or 1)
            new = int(m.group(2) or 1)
            while old > 0 or new > 0:
                line = lines[i]
                i += 1
                if line.startswith("-"):
                    old -= 1
                elif line.startswith("+"):
                    new -= 1
                elif line.startswith(" ") or line == "":
                    old -= 1
                    new -= 1
                elif line.startswith("\\"):
                    continue
                else:
                    pytest.fail(f"{p.name}: unexpected line in hunk: {line!r}")
            assert old == 0 and new == 0, p.name


def _source_files(dest: Path) -> Path:
    wanted = sorted({f for p in PATCHES for f in _touched(p) if f != "mm/kcompressd.c"})
    tree = dest / "tree"
    cached = sorted(kernels_dir().glob("src/*/linux-source-6.12"))
    if cached:
        for rel in wanted:
            (tree / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached[0] / rel, tree / rel)
        return tree
    if not DEFAULT_SOURCE.is_file():
        pytest.skip(f"{DEFAULT_SOURCE} not installed (./suite setup installs linux-source-6.12)")
    with tarfile.open(DEFAULT_SOURCE) as tar:
        top = "linux-source-6.12"
        members = [tar.getmember(f"{top}/{rel}") for rel in wanted]
        tar.extractall(dest, members=members, filter="data")
    (dest / top).rename(tree)
    return tree


def test_series_applies_with_patch_p1(tmp_path: Path) -> None:
    src = _source_files(tmp_path)
    done = patched_tree(src, tmp_path / "patched", PATCHES)
    assert (done / "mm" / "kcompressd.c").is_file()
    page_io = (done / "mm" / "page_io.c").read_text()
    assert page_io.index("kcompressd_store(folio)") < page_io.index("zswap_store(folio)")
    assert "kcompressd_run(nid)" in (done / "mm" / "vmscan.c").read_text()
    # The shared source stays untouched (patch replaced files, never wrote through hard links).
    assert "kcompressd" not in (src / "mm" / "page_io.c").read_text()
    # Applying again (a second variant from the same tree) still works.
    assert patched_tree(src, tmp_path / "again", PATCHES).is_dir()


def test_a_patch_that_does_not_apply_fails_loudly_and_leaves_nothing(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "mm").mkdir(parents=True)
    (src / "mm" / "page_io.c").write_text("nothing like the kernel\n")
    with pytest.raises(ConfigError, match="does not apply"):
        patched_tree(src, tmp_path / "patched", PATCHES)
    assert not (tmp_path / "patched").exists() and not (tmp_path / "patched.tmp").exists()
