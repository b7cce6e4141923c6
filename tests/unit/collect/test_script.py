"""The on-device loop: config validation, and the script run by a real mksh and by the virtual shell.

mksh R59 is what Android 14 ships as /system/bin/sh; Debian packages the same
release, so where it is installed the script runs here exactly as on a phone
(toybox ``cat``/``sleep`` when toybox is installed too). Otherwise that test
is skipped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from android_suite.collect.framing import FrameParser
from android_suite.collect.sampler_types import Sample, SamplerConfig
from android_suite.collect.script import build_script, new_nonce, sampler_argv
from android_suite.errors import ConfigError


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sources": {}},
        {"sources": {"_up": "/proc/uptime"}},
        {"sources": {"a b": "/proc/vmstat"}},
        {"sources": {"x": "proc/vmstat"}},
        {"sources": {"x": "/proc/a\nb"}},
        {"period_s": 0.01},
        {"period_s": 61},
        {"reader": "perl"},
        {"poll_s": 0},
    ],
)
def test_bad_config_is_a_config_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        SamplerConfig(**kwargs)  # type: ignore[arg-type]


def test_config_is_frozen_and_copies_sources() -> None:
    src = {"vmstat": "/proc/vmstat"}
    cfg = SamplerConfig(sources=src, period_s=0.05)
    src["x"] = "/x"
    assert list(cfg.sources) == ["vmstat"]
    assert cfg.stall_s == 5.0
    assert SamplerConfig(period_s=10).stall_s == 50.0


def test_paths_are_quoted_and_nonce_is_random() -> None:
    cfg = SamplerConfig(sources={"odd": "/data/local/tmp/it's here"})
    script = build_script(cfg, "n1")
    assert "'/data/local/tmp/it'\"'\"'s here'" in script
    argv = sampler_argv(cfg, "n1")
    assert argv[:2] == ["sh", "-c"] and argv[2] == script
    assert new_nonce() != new_nonce()


def test_fixed_reader_leaves_out_the_other() -> None:
    cat_only = build_script(SamplerConfig(reader="cat"), "n")
    assert "$(<" not in cat_only and "print" not in cat_only
    builtin = build_script(SamplerConfig(reader="builtin"), "n")
    assert "cat /proc/vmstat" not in builtin


def _collect(proc: subprocess.Popen[bytes], parser: FrameParser, want: int, limit_s: float) -> list[Sample]:
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    got: list[Sample] = []
    deadline = time.monotonic() + limit_s
    while len(got) < want and time.monotonic() < deadline and proc.poll() is None:
        chunk = proc.stdout.read(65536)
        if chunk:
            got += parser.feed(chunk)
        else:
            time.sleep(0.005)  # poll the pipe; the wait itself is bounded by the deadline
    return got


@pytest.mark.skipif(shutil.which("mksh") is None, reason="mksh not installed (apt-get install mksh toybox)")
@pytest.mark.parametrize("reader", ["auto", "cat"])
def test_real_mksh_runs_the_loop_on_schedule(tmp_path: Path, reader: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    toybox = shutil.which("toybox")
    if toybox:  # the phone's cat and sleep
        for name in ("cat", "sleep"):
            (bin_dir / name).symlink_to(toybox)
    (tmp_path / "no newline").write_text("42")
    sources = {"uptime_copy": "/proc/uptime", "odd": str(tmp_path / "no newline"), "gone": "/nonexistent/x"}
    cfg = SamplerConfig(sources=sources, period_s=0.05, reader=reader)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    proc = subprocess.Popen(["mksh", "-c", build_script(cfg, "t0")], stdout=subprocess.PIPE, env=env)
    try:
        parser = FrameParser("t0", list(sources))
        got = _collect(proc, parser, want=12, limit_s=15)
    finally:
        proc.kill()
        proc.wait()
    assert len(got) == 12, f"only {len(got)} frames; torn {parser.torn_frames}"
    assert parser.pacing == "deadline" and parser.torn_frames == 0 and parser.junk_lines == 0
    first, last = got[0], got[-1]
    assert first.sources["odd"] in ("42", "42\n")  # the builtin reader normalises the final newline
    assert first.sources["gone"] is None and first.failed == {"gone": 1}
    assert first.device_t is not None and first.device_wall is not None and first.cpu_ticks is not None
    assert last.device_wall is not None
    span = last.device_wall - first.device_wall
    # Deadline pacing: 11 periods, whatever each tick's work took (generous for a loaded CI box).
    assert span == pytest.approx(11 * 0.05, abs=0.03)


def test_virtual_shell_runs_the_loop() -> None:
    from android_suite.virtual.handset import VirtualHandset
    from android_suite.virtual.profile import load_profile
    from android_suite.virtual.shell import BufferIO

    handset = VirtualHandset(load_profile("mediatek"), name="vh-sampler")
    cfg = SamplerConfig(sources={"meminfo": "/proc/meminfo", "gone": "/nonexistent"}, period_s=0.05)
    io = BufferIO()

    async def run() -> None:
        task = asyncio.create_task(handset.shell.run(build_script(cfg, "v0"), io))
        deadline = time.monotonic() + 10
        while io.stdout.count(b"@@v0 end ") < 4 and time.monotonic() < deadline and not task.done():
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(run())
    parser = FrameParser("v0", list(cfg.sources))
    got = parser.feed(bytes(io.stdout))
    assert len(got) >= 4, f"virtual shell output: {bytes(io.stdout)[:300]!r} err: {io.err[:300]}"
    assert got[0].sources["meminfo"] is not None and "MemTotal:" in got[0].sources["meminfo"]
    assert got[0].sources["gone"] is None
    assert parser.pacing == "deadline"
