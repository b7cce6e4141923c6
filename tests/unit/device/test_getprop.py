"""parse_getprop: format quirks, encodings, truncation, garbage."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.getprop import parse_getprop

DATA = Path(__file__).parents[2] / "data" / "getprop"


def test_simple_entries_and_empty_value() -> None:
    r = parse_getprop("[ro.a]: [1]\n[ro.empty]: []\n[ro.spaces]: [a b  c ]\n")
    assert r.props == {"ro.a": "1", "ro.empty": "", "ro.spaces": "a b  c "}
    assert not r.truncated


def test_multiline_value_keeps_inner_newlines_and_brackets() -> None:
    text = "[a]: [1]\n[hist]: [reboot,x]\nshutdown,y\n\nend]\n[z]: [2]\n"
    r = parse_getprop(text)
    assert r.props == {"a": "1", "hist": "reboot,x]\nshutdown,y\n\nend", "z": "2"}


def test_value_with_brackets_on_one_line() -> None:
    assert parse_getprop("[k]: [[x]: [y]]\n").props == {"k": "[x]: [y]"}


@pytest.mark.parametrize("newline", ["\r\n", "\r\r\n"])
def test_crlf_from_old_pty_shells(newline: str) -> None:
    text = newline.join(["[a]: [1]", "[b]: [x", "y]", "[c]: [3]", ""])
    assert parse_getprop(text).props == {"a": "1", "b": "x\ny", "c": "3"}


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "[a]: [é]\n".encode(),
        codecs.BOM_UTF16_LE + "[a]: [é]\r\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "[a]: [é]\n".encode("utf-16-be"),
        "[a]: [é]\n".encode("utf-16-le"),  # no BOM: byte order from the NULs
        "[a]: [é]\n".encode("utf-16-be"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be"],
)
def test_encodings(data: bytes) -> None:
    assert parse_getprop(data).props == {"a": "é"}


def test_utf8_bom_in_str_is_ignored() -> None:
    assert parse_getprop("\ufeff[a]: [1]\n").props == {"a": "1"}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[a]: [1]\n[b]: [partial", "b"),
        ("[a]: [1]\n[b]: [line1\nline2", "b"),
        ("[a]: [1]\n[b]: [x]\ny", "b"),  # cut inside a multi-line value
        ("[a]: [1]\n[ro.bu", "ro.bu"),
        ("[a]: [1]\n[ro.build]", "ro.build"),
        ("[a]: [1]\n[ro.build]: ", "ro.build"),
        ("[a]: [1]\n[", None),
    ],
)
def test_truncated_final_entry_is_flagged_not_invented(text: str, key: str | None) -> None:
    r = parse_getprop(text)
    assert r.truncated
    assert r.truncated_key == key
    assert r.props == {"a": "1"}


def test_final_entry_without_newline_is_complete() -> None:
    r = parse_getprop("[a]: [1]\n[b]: [2]")
    assert r.props == {"a": "1", "b": "2"} and not r.truncated


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("junk\n[a]: [1]\n", 1),
        ("[a]: [1]\nWARNING: linker: libfoo.so has text relocations\n[b]: [2]\n", 2),
        ("[a]: [1]\n\n[b]: [2]\n[c] = 3\n[d]: [4]\n", 4),
        ("[a]: [1\n[b]: [2]\n", 1),  # unclosed value before the next entry
    ],
)
def test_garbage_raises_parse_error_with_line(text: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_getprop(text)
    assert err.value.source == "getprop"
    assert err.value.line == line
    assert f"getprop:{line}:" in str(err.value)


def test_empty_output() -> None:
    r = parse_getprop("")
    assert r.props == {} and not r.truncated


def test_golden_variants_agree() -> None:
    plain = parse_getprop((DATA / "mediatek_helio_p60_android9.txt").read_bytes())
    crlf = parse_getprop((DATA / "mediatek_helio_p60_android9_crlf.txt").read_bytes())
    assert crlf == plain
    pixel = parse_getprop((DATA / "google_pixel6_android14.txt").read_bytes())
    utf16 = parse_getprop((DATA / "google_pixel6_android14_utf16le.txt").read_bytes())
    assert utf16 == pixel
    assert pixel.props["persist.sys.boot.reason.history"].count("\n") == 2


@pytest.mark.parametrize("path", sorted(DATA.glob("*.txt")), ids=lambda p: p.name)
def test_every_golden_file_parses_completely(path: Path) -> None:
    r = parse_getprop(path.read_bytes())
    assert not r.truncated
    assert len(r.props) >= 10
    assert "ro.build.fingerprint" in r.props
