"""The ELF reader and Android's loader rules, on synthesised libraries."""

from __future__ import annotations

import pytest

from android_suite.apk.elf import (
    DT_FLAGS,
    DT_GNU_HASH,
    DT_RELR,
    DT_TEXTREL,
    DT_VERNEED,
    PF_W,
    PF_X,
    PT_GNU_RELRO,
    PT_TLS,
    parse_elf,
)
from android_suite.apk.elf_rules import elf_violations
from android_suite.errors import ParseError
from tests.helpers.elfgen import PF_R, make_elf


def test_a_good_library_passes_and_reads_back() -> None:
    info = parse_elf(make_elf(hidden=("asuite_fill",)))
    assert info.machine == "aarch64"
    assert info.soname == "libasuiteapp.so"
    assert info.needed == ("libc.so", "liblog.so", "libandroid.so")
    assert info.exports == ("ANativeActivity_onCreate",)  # hidden and undefined symbols are not exports
    assert {s.name for s in info.symbols if not s.defined} == {"malloc"}
    assert elf_violations(info, abi="arm64-v8a") == []


@pytest.mark.parametrize(
    ("kwargs", "abi", "fragment"),
    [
        ({"machine": 62}, "arm64-v8a", "machine x86_64"),
        ({"soname": None}, "arm64-v8a", "SONAME None"),
        ({"needed": ("libc.so.6",)}, "arm64-v8a", "'libc.so.6' is not a public NDK library"),
        ({"needed": ("/system/lib64/libc.so",)}, "arm64-v8a", "not a public NDK library"),
        ({"extra_dyn": ((DT_TEXTREL, 0),)}, "arm64-v8a", "text relocations"),
        ({"extra_dyn": ((DT_FLAGS, 4),)}, "arm64-v8a", "text relocations"),
        ({"extra_dyn": ((DT_VERNEED, 0),)}, "arm64-v8a", "DT_VERNEED"),
        ({"dynstr_extra": b"GLIBC_2.17\0"}, "arm64-v8a", "GLIBC"),
        ({"extra_dyn": ((DT_RELR, 0),)}, "arm64-v8a", "DT_RELR"),
        ({"code_flags": PF_R | PF_W | PF_X}, "arm64-v8a", "writable and executable"),
        ({"align": 0x1000}, "arm64-v8a", "16 KiB pages"),
        ({"stack_flags": PF_R | PF_W | PF_X}, "arm64-v8a", "executable stack"),
        ({"extra_segments": ((PT_TLS, PF_R, 0, 0, 0, 8, 8),)}, "arm64-v8a", "PT_TLS"),
        ({"exports": ("ANativeActivity_onCreate", "asuite_fill")}, "arm64-v8a", "exports"),
        ({"exports": ()}, "arm64-v8a", "exports []"),
        ({}, "x86_64", "expected x86_64"),
        ({"extra_segments": ((PT_GNU_RELRO, PF_R, 0, 0x4000, 0, 0x100, 1),)}, "arm64-v8a", "RELRO ends at 0x4100"),
    ],
)
def test_each_rule_catches_its_violation(kwargs: dict[str, object], abi: str, fragment: str) -> None:
    problems = elf_violations(parse_elf(make_elf(**kwargs)), abi=abi)  # type: ignore[arg-type]
    assert any(fragment in p for p in problems), problems


def test_gnu_hash_alone_is_enough() -> None:
    info = parse_elf(make_elf(extra_dyn=((DT_GNU_HASH, 0),)))
    assert not [p for p in elf_violations(info, abi="arm64-v8a") if "HASH" in p]


def test_not_an_elf_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_elf(b"PK\x03\x04" + bytes(100))
    with pytest.raises(ParseError):
        parse_elf(make_elf()[:100])
