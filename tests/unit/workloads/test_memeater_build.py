"""The memeater C program: static builds for x86_64 and arm64, run on the host (and under qemu)."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import lz4.block
import pytest

from android_suite.errors import ConfigError
from android_suite.workloads.build import (
    MARKER,
    SOURCE,
    build_memeater,
    check_binary,
    content_hash,
    elf_machine,
    find_compiler,
)
from android_suite.workloads.eater_output import EaterEnd, EaterProgress, EaterStart, parse_output

PAGE = 4096


def built(abi: str) -> Path:
    if find_compiler(abi) is None:
        pytest.skip(f"no compiler for {abi} (./suite setup installs gcc-aarch64-linux-gnu, libc6-dev-arm64-cross)")
    return build_memeater(abi)


@pytest.fixture(scope="module")
def x86() -> Path:
    return built("x86_64")


def run(binary: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*prefix, str(binary), *args], capture_output=True, timeout=60, check=False)


def test_build_is_cached_by_content(tmp_path: Path, x86: Path) -> None:
    first = build_memeater("x86_64", cache=tmp_path)
    stamp = first.stat().st_mtime_ns
    assert build_memeater("x86_64", cache=tmp_path) == first and first.stat().st_mtime_ns == stamp
    assert first.parent.parent == tmp_path and first.name == "memeater-x86_64"
    assert first.read_bytes() == x86.read_bytes()  # same inputs, same binary
    source = tmp_path / "memeater.c"
    source.write_text(SOURCE.read_text() + "\n")
    assert content_hash("x86_64", str(find_compiler("x86_64")), source) != first.parent.name  # a change rebuilds


def test_unknown_abi_and_bad_binary(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no build for ABI 'mips'"):
        build_memeater("mips")
    fake = tmp_path / "f"
    fake.write_bytes(b"\x7fELF" + b"\x02\x01" + bytes(12) + (62).to_bytes(2, "little") + b"no marker")
    with pytest.raises(ConfigError, match="not a x86_64 ELF with the marker"):
        check_binary(fake, "x86_64")
    assert elf_machine(b"#!/bin/sh\n" + bytes(20)) is None


def test_runs_for_its_duration(x86: Path) -> None:
    done = run(x86, "--size-mb", "16", "--rate-mbps", "64", "--duration", "1", "--interval", "0.2", "--seed", "5")
    assert done.returncode == 0, done.stderr
    log = parse_output(done.stdout)
    assert not log.truncated
    start, end = log.start, log.end
    assert isinstance(start, EaterStart) and isinstance(end, EaterEnd)
    assert (start.target_kb, start.rate_kbps, start.compressibility, start.seed) == (16384, 65536, 0.67, 5)
    assert start.impl == "binary" and start.pid > 0
    assert end.reason == "duration" and 1.0 <= end.t < 2.0
    assert end.allocated_kb == 16384  # 64 MiB/s for 1 s covers 16 MiB
    progress = log.progress
    assert len(progress) >= 3
    assert all(isinstance(p, EaterProgress) for p in progress)
    assert [p.allocated_kb for p in progress] == sorted(p.allocated_kb for p in progress)
    assert progress[-1].touched_pages > progress[0].touched_pages  # the working set keeps being written
    assert 30_000 < progress[0].rate_kbps < 100_000  # paced near 64 MiB/s while growing


def test_sigterm_prints_final_line_and_exits_0(x86: Path) -> None:
    proc = subprocess.Popen(
        [str(x86), "--size-mb", "8", "--interval", "0.05"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the start line, printed before any allocation
        assert first.startswith(b"memeater start ")
        proc.stdout.readline()  # a progress line: the main loop runs
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=10)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0
    end = parse_output(first + rest).end
    assert end is not None and end.reason == "signal"


def test_help_and_bad_options(x86: Path) -> None:
    helped = run(x86, "--help")
    assert helped.returncode == 0 and MARKER in helped.stdout and b"--compressibility" in helped.stdout
    for args in (["--compressibility", "1.5"], ["--size-mb", "x"], ["--bogus", "1"], ["--duration"]):
        bad = run(x86, *args)
        assert bad.returncode == 2 and b"memeater: " in bad.stderr, args


@pytest.mark.parametrize("compressibility", [0.0, 0.33, 0.67, 1.0])
def test_pages_are_non_zero_and_compress_as_configured(x86: Path, compressibility: float) -> None:
    pages = 64
    done = run(x86, "--dump-pages", str(pages), "--compressibility", str(compressibility), "--seed", "3")
    assert done.returncode == 0 and len(done.stdout) == pages * PAGE
    sizes = []
    for i in range(pages):
        page = done.stdout[i * PAGE : (i + 1) * PAGE]
        words = {page[j : j + 8] for j in range(0, PAGE, 8)}
        assert bytes(8) not in words  # no zero words at all, so never a zero page (zeromap on 6.12+)
        assert len(words) > 1  # never "same-filled" (zram would store it without compressing)
        sizes.append(len(lz4.block.compress(page, store_size=False)))
    random_share = sum(sizes) / (pages * PAGE)
    # lz4 cannot shrink the random part and squeezes the motif to almost nothing.
    assert abs(random_share - (1 - compressibility)) < 0.05, random_share
    assert run(x86, "--dump-pages", "4", "--seed", "3").stdout == run(x86, "--dump-pages", "4", "--seed", "3").stdout


def test_arm64_build_is_a_static_aarch64_elf() -> None:
    binary = built("arm64-v8a")
    data = binary.read_bytes()
    assert elf_machine(data[:20]) == "aarch64" and MARKER in data
    assert b"/lib/ld-linux-aarch64.so" not in data  # static: no interpreter
    qemu = shutil.which("qemu-aarch64") or shutil.which("qemu-aarch64-static")
    if qemu is None:
        pytest.skip("qemu-aarch64 not installed (Debian: qemu-user)")
    done = run(binary, "--size-mb", "8", "--duration", "1", "--interval", "0.25", prefix=(qemu,))
    assert done.returncode == 0, done.stderr
    log = parse_output(done.stdout)
    assert log.end is not None and log.end.reason == "duration" and log.end.allocated_kb == 8192
    assert len(log.progress) >= 2
