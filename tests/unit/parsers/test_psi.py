"""parse_psi: some/full lines, cpu without full before 5.13, odd shapes, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ParseError
from android_suite.parsers.psi import Psi, PsiLine, parse_psi

DATA = Path(__file__).parents[2] / "data" / "psi"


def load(name: str) -> Psi:
    return parse_psi((DATA / name).read_bytes())


def test_memory_some_and_full() -> None:
    p = load("memory_6.1.txt")
    assert p.some == PsiLine(25.71, 14.33, 5.80, 301_234_567)
    assert p.full == PsiLine(9.87, 5.12, 2.04, 120_987_654)
    assert not p.truncated


def test_android_backport_memory() -> None:
    p = load("memory_4.14_backport.txt")
    assert p.some is not None and p.some.total_us == 48_123_456 and p.some.avg10 == 0.31


def test_cpu_before_5_13_has_no_full() -> None:
    p = load("cpu_5.10.txt")
    assert p.full is None
    assert p.some is not None and p.some.avg10 == 12.45 and p.some.total_us == 987_654_321


def test_cpu_since_5_13_prints_zero_full() -> None:
    p = load("cpu_5.15.txt")
    assert p.full == PsiLine(0.0, 0.0, 0.0, 0)


def test_io() -> None:
    p = load("io_6.1.txt")
    assert p.full is not None and p.full.avg300 == 0.04 and p.full.total_us == 1_234_567


def test_crlf_and_utf16() -> None:
    assert load("memory_5.10_crlf.txt").full == PsiLine(0.5, 0.25, 0.12, 1_000_000)
    p = load("memory_5.15_utf16le_bom.txt")
    assert p.some is not None and p.some.avg10 == 99.99 and p.some.total_us == 9_876_543_210


def test_cut_inside_full_line_drops_it() -> None:
    p = load("memory_6.6_truncated_in_full.txt")
    assert p.truncated and p.full is None
    assert p.some == PsiLine(4.20, 2.10, 1.05, 5_550_000)


def test_cut_inside_total_keeps_line_but_flags() -> None:
    p = load("memory_6.6_truncated_in_total.txt")
    assert p.truncated and p.full is not None and p.full.avg300 == 0.30


def test_fields_by_name_not_position() -> None:
    p = parse_psi("some total=5 avg300=0.03 avg60=0.02 avg10=0.01\n")
    assert p.some == PsiLine(0.01, 0.02, 0.03, 5)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("some avg10=0.00 avg60=0.00 avg300=0.00\n", 1),
        ("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nhalf avg10=0.00\n", 2),
        ("some avg10=x avg60=0.00 avg300=0.00 total=0\n", 1),
        ("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 1),
        ("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 2),
    ],
)
def test_malformed(text: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_psi(text)
    assert err.value.line == line


def test_empty_raises() -> None:
    with pytest.raises(ParseError):
        parse_psi("")
