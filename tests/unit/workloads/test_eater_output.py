"""memeater's output lines, its option record, and the shell fallback under a real mksh."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from android_suite.errors import ConfigError, ParseError
from android_suite.workloads.eater_config import EaterConfig
from android_suite.workloads.eater_output import EaterEnd, EaterProgress, EaterStart, parse_line, parse_output
from android_suite.workloads.eater_shell import shell_argv

START = (
    "memeater start pid=4321 version=1 page_size=4096 target_kb=65536 rate_kbps=262144 "
    "compressibility=0.670 touch_fraction=0.500 seed=1 duration_s=0.000"
)


def test_parse_output_events_noise_and_truncation() -> None:
    text = (
        f"{START}\r\n"
        "WARNING: linker: something\n"
        "memeater progress t=1.000 allocated_kb=1024 touched_pages=10 rate_kbps=1024 later_key=1\n"
        "memeater end t=2.5 allocated_kb=2048 touched_pages=99 reason=signal\n"
        "memeater progress t=3"
    )
    log = parse_output(text.encode())
    assert log.truncated
    assert log.start == EaterStart(4321, 1, 65536, 262144.0, 0.67, 0.5, 1, 0.0, "binary")
    assert log.progress == [EaterProgress(1.0, 1024, 10, 1024.0)]
    assert log.end == EaterEnd(2.5, 2048, 99, "signal")
    assert parse_output("").events == () and parse_output("").start is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("memeater progress t=1 allocated_kb=1 rate_kbps=2", "progress line without touched_pages="),
        ("memeater progress t=x allocated_kb=1 touched_pages=1 rate_kbps=2", "t='x' is not a number"),
        ("memeater end t=1 allocated_kb=1 touched_pages=1", "end line without reason="),
    ],
)
def test_malformed_lines(line: str, message: str) -> None:
    with pytest.raises(ParseError, match=f"memeater:2: {message}"):
        parse_output(f"{START}\n{line}\n")


def test_other_lines_are_not_events() -> None:
    assert parse_line("memeater: bad value for --size-mb") is None
    assert parse_line("memeater") is None
    assert parse_line("/system/bin/sh: x: inaccessible or not found") is None


def test_config_validation_and_argv() -> None:
    assert EaterConfig().argv()[:4] == ["--size-pct", "50", "--rate-mbps", "256"]
    assert EaterConfig(size_mb=512.5, seed=9).argv()[:2] == ["--size-mb", "512.5"]
    assert EaterConfig(seed=9).argv()[-2:] == ["--seed", "9"]
    with pytest.raises(ConfigError, match="not both"):
        EaterConfig(size_mb=1, size_pct=1)
    with pytest.raises(ConfigError, match=r"compressibility=1\.2 is outside 0\.\.1"):
        EaterConfig(compressibility=1.2)
    with pytest.raises(ConfigError, match="interval_s"):
        EaterConfig(interval_s=0)


@pytest.mark.skipif(shutil.which("mksh") is None, reason="mksh not installed (./suite setup installs it)")
def test_shell_fallback_under_mksh() -> None:
    argv = shell_argv(
        target_kb=2048, rate_kbps=4096, compressibility=0.33, touch_fraction=0.5, interval_s=0.1, duration_s=3, seed=2
    )  # 0.5 s of allocating at this rate; 3 s leave room for a loaded CI machine (mksh forks per chunk)
    assert argv[:2] == ["sh", "-c"]
    done = subprocess.run(["mksh", "-c", *argv[2:]], capture_output=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    log = parse_output(done.stdout)
    assert log.start is not None and log.start.impl == "shell" and log.start.compressibility == 0.33
    assert log.end is not None and log.end.reason == "duration" and log.end.allocated_kb == 2048
    assert log.progress and log.progress[-1].touched_pages > 0
