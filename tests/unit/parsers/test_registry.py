"""The parser registry and `android-suite parse KIND FILE` over golden files of every kind."""

from __future__ import annotations

import importlib
import io
import json
import sys
from pathlib import Path

import pytest

from android_suite.cli import main
from android_suite.errors import ConfigError
from android_suite.parsers.registry import KINDS, get_parser

DATA = Path(__file__).parents[2] / "data"
# Where each kind's golden files live (other kinds' directories may not exist yet).
GOLDEN = {
    "getprop": ["getprop/*.txt"],
    "vmstat": ["vmstat/*"],
    "mm_stat": ["zram/*mm_stat*", "mm_stat/*"],
    "io_stat": ["zram/*io_stat*", "io_stat/*"],
    "bd_stat": ["zram/*bd_stat*", "bd_stat/*"],
    "comp_algorithm": ["zram/*comp_algorithm*", "comp_algorithm/*"],
    "disksize": ["zram/*disksize*", "disksize/*"],
    "max_comp_streams": ["zram/*max_comp_streams*", "max_comp_streams/*"],
    "swaps": ["swaps/*"],
    "meminfo": ["meminfo/*"],
    "psi": ["psi/*"],
    "proc_stat": ["proc_stat/*", "procstat/*stat*"],
    "ps": ["ps/*", "procstat/*ps*"],
    "gfxinfo": ["gfxinfo/*.txt"],
    "framestats": ["framestats/*.txt"],
    "am_start": ["am_start/*.txt"],
    "dumpsys_meminfo": ["dumpsys_meminfo/package_*.txt"],
    "dumpsys_meminfo_summary": ["dumpsys_meminfo/summary_*.txt"],
    "dumpsys_battery": ["battery/*.txt"],
    "power_supply_uevent": ["power_supply/battery_*.txt", "power_supply/usb_*.txt"],
    "sysfs_int": ["power_supply/*_now*.txt"],
    "lmkd": ["lmkd/*.txt"],
    "testapp_log": ["testapp_log/*.txt"],
}


def test_every_kind_has_a_golden_pattern_and_a_description() -> None:
    assert set(GOLDEN) == set(KINDS)
    for spec in KINDS.values():
        assert spec.module.startswith("android_suite.parsers.") and spec.function.startswith("parse_")
        assert spec.description and "\n" not in spec.description


def test_unknown_kind() -> None:
    with pytest.raises(ConfigError, match="unknown parser kind"):
        get_parser("nope")


def _module_or_skip(kind: str) -> None:
    spec = KINDS[kind]
    try:
        importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name != spec.module:
            raise  # the module exists but one of its imports is broken: a real failure
        pytest.skip(f"{spec.module} is not written yet (kind {kind!r})")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_cli_parses_golden_files_of_every_kind(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    _module_or_skip(kind)
    assert callable(get_parser(kind)), f"{KINDS[kind].module} lacks {KINDS[kind].function}"
    files = sorted({p for pattern in GOLDEN[kind] for p in DATA.glob(pattern) if p.is_file()})
    if not files:
        pytest.skip(f"no golden file for {kind!r} under tests/data yet")
    ok = 0
    for path in files:
        code = main(["parse", kind, str(path), "--json"])
        out, err = capsys.readouterr()
        # Golden files of malformed captures are expected to be refused cleanly.
        assert code in (0, 2), f"{path.name}: exit {code}"
        if code == 0:
            json.loads(out)
            ok += 1
        else:
            assert err.startswith("android-suite: error: "), f"{path.name}: {err!r}"
    assert ok, f"no golden file of {kind!r} parsed"


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("gfxinfo", "gfxinfo/android14.txt"),
        ("framestats", "framestats/android14_two_windows.txt"),
        ("dumpsys_meminfo_summary", "dumpsys_meminfo/summary_android14.txt"),
        ("lmkd", "lmkd/android14_threadtime.txt"),
        ("sysfs_int", "power_supply/current_now.txt"),
    ],
)
def test_readable_rendering(kind: str, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", kind, str(DATA / name)]) == 0
    out = capsys.readouterr().out
    assert out.strip() and not out.lstrip().startswith(("{", "["))


def test_json_shapes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "lmkd", str(DATA / "lmkd/android14_threadtime.txt"), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert isinstance(records, list) and records[0]["pid"] == 9876
    assert main(["parse", "gfxinfo", str(DATA / "gfxinfo/android13.txt"), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["janky_frames_legacy"] is not None and record["histogram"][0] == [5, record["histogram"][0][1]]


def test_truncated_capture_warns_but_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "am_start", str(DATA / "am_start/android12_truncated.txt")]) == 0
    assert "truncated" in capsys.readouterr().err


def test_parse_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "lmkd", str(DATA / "lmkd/malformed_kill.txt")]) == 2
    assert capsys.readouterr().err.startswith("android-suite: error: lmkd:1: ")


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "gfxinfo", str(tmp_path / "absent.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"-312000\n")))
    assert main(["parse", "sysfs_int", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == -312000


def test_unknown_kind_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["parse", "nope", "x"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_help_lists_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["parse", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert all(kind in out for kind in KINDS)
