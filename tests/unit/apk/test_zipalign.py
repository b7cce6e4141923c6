"""Our zip rewrite: order, fixed timestamps, 4-byte and 16 KiB alignment, and its checker."""

from __future__ import annotations

import zipfile
from pathlib import Path

from android_suite.apk.zipalign import FIXED_TIME, LIB_ALIGN, check_alignment, entry_order, rewrite


def _source(path: Path, odd_name: str = "x") -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("lib/arm64-v8a/libasuiteapp.so", (2020, 5, 5, 1, 2, 3)), b"\x7fELF" * 999)
        zf.writestr(zipfile.ZipInfo("assets/asuite.conf" + odd_name, (2021, 1, 1, 0, 0, 0)), b"anon_mb=1\n")
        info = zipfile.ZipInfo("AndroidManifest.xml", (2022, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, b"<manifest/>" * 50)
        zf.writestr(zipfile.ZipInfo("resources.arsc", (2022, 1, 1, 0, 0, 0)), b"\x02\x00" * 33)


def test_rewrite_aligns_orders_and_fixes_times(tmp_path: Path) -> None:
    _source(tmp_path / "in.zip")
    assert check_alignment(tmp_path / "in.zip")  # the plain zip is not aligned
    rewrite(tmp_path / "in.zip", tmp_path / "out.zip")
    assert check_alignment(tmp_path / "out.zip") == []
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos][:2] == ["AndroidManifest.xml", "resources.arsc"]
        assert {i.date_time for i in infos} == {FIXED_TIME}
        assert infos[0].compress_type == zipfile.ZIP_DEFLATED
        assert zf.read("lib/arm64-v8a/libasuiteapp.so") == b"\x7fELF" * 999
        lib = zf.getinfo("lib/arm64-v8a/libasuiteapp.so")
        assert lib.header_offset < LIB_ALIGN  # padding, not a whole wasted page per entry
        assert zf.testzip() is None


def test_rewrite_is_byte_for_byte_repeatable_whatever_the_input_times(tmp_path: Path) -> None:
    _source(tmp_path / "a.zip")
    _source(tmp_path / "b.zip")
    rewrite(tmp_path / "a.zip", tmp_path / "a.out")
    rewrite(tmp_path / "b.zip", tmp_path / "b.out")
    assert (tmp_path / "a.out").read_bytes() == (tmp_path / "b.out").read_bytes()


def test_alignment_needs_every_name_length(tmp_path: Path) -> None:
    for n in range(1, 9):  # each name length shifts the data offset differently
        _source(tmp_path / f"in{n}.zip", "y" * n)
        rewrite(tmp_path / f"in{n}.zip", tmp_path / f"out{n}.zip")
        assert check_alignment(tmp_path / f"out{n}.zip") == []


def test_entry_order() -> None:
    assert entry_order(["b", "resources.arsc", "a", "AndroidManifest.xml"]) == [
        "AndroidManifest.xml", "resources.arsc", "a", "b",
    ]  # fmt: skip
