"""Run the kernel's own make: merge the config, check it took, build the image with progress and a log."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from android_suite.errors import ConfigError
from android_suite.kbuild.kconfig import Settings, parse_config, render, unmet

IMAGE = {"arm64": ("Image", "arch/arm64/boot/Image"), "x86_64": ("bzImage", "arch/x86/boot/bzImage")}
PROGRESS_EVERY_S = 15.0
# Fixed build identity: the same inputs give the same "Linux version" banner.
REPRODUCIBLE_ENV = {
    "KBUILD_BUILD_USER": "android_suite",
    "KBUILD_BUILD_HOST": "kbuild",
    "KBUILD_BUILD_TIMESTAMP": "Thu Jan  1 00:00:00 UTC 2026",
}


def make_argv(tree: Path, out: Path, arch: str, cross: str, *targets: str, jobs: int = 1) -> list[str]:
    # nice: kernel builds share 2 cores with the tests and other work.
    return ["nice", "-n", "10", "make", "-C", str(tree), f"O={out}", f"ARCH={arch}",
            f"CROSS_COMPILE={cross}", f"-j{jobs}", *targets]  # fmt: skip


def configure(tree: Path, out: Path, arch: str, cross: str, settings: Mapping[str, str | None], log: Path) -> Settings:
    """``allnoconfig`` with ``settings`` (KCONFIG_ALLCONFIG), then ``olddefconfig``; fails naming unmet symbols."""
    out.mkdir(parents=True, exist_ok=True)
    fragment = out / "kbuild.fragment"
    fragment.write_text(render(settings))
    env = {**os.environ, **REPRODUCIBLE_ENV, "KCONFIG_ALLCONFIG": str(fragment)}
    for target in ("allnoconfig", "olddefconfig"):
        _run(make_argv(tree, out, arch, cross, target), env, log, f"make {target}")
    actual = parse_config((out / ".config").read_text())
    missing = unmet(settings, actual)
    if missing:
        lines = "\n    ".join(str(m) for m in missing)
        raise ConfigError(
            f"{len(missing)} requested kernel config symbol(s) did not take for {arch}:\n    {lines}\n"
            f"  what to do: add the symbols they depend on to kernel_config/qemu/*.config (see {out / '.config'})"
        )
    return actual


def build_image(tree: Path, out: Path, arch: str, cross: str, jobs: int, log: Path, label: str) -> Path:
    """Build the boot image target, printing progress; returns the image path."""
    target, rel = IMAGE[arch]
    argv = make_argv(tree, out, arch, cross, target, jobs=jobs)
    env = {**os.environ, **REPRODUCIBLE_ENV}
    started = last = time.monotonic()
    objects = 0
    # Line-buffered: the log can be followed (tail -f) while the build runs.
    with open(log, "a", buffering=1, encoding="utf-8", errors="replace") as fh:
        fh.write(f"$ {' '.join(argv)}\n")
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                errors="replace")  # fmt: skip
        assert proc.stdout is not None
        current = ""
        for line in proc.stdout:
            fh.write(line)
            if line.startswith("  CC "):
                objects += 1
                current = line.split()[-1]
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY_S:
                print(f"[kbuild] {label}: {now - started:4.0f} s, {objects} objects compiled, at {current}", flush=True)
                last = now
        code = proc.wait()
    if code != 0:
        raise ConfigError(f"kernel build {label} failed (make exit {code}); log: {log}\n{_tail(log)}")
    return out / rel


def kernel_release(tree: Path, out: Path, arch: str, cross: str) -> str:
    argv = make_argv(tree, out, arch, cross, "-s", "kernelrelease")
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env={**os.environ, **REPRODUCIBLE_ENV})
    return done.stdout.strip().splitlines()[-1]


def warnings_in(log: Path, files: set[str]) -> list[str]:
    """Compiler warnings in the build log that name one of ``files`` (paths relative to the tree)."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        if ": warning:" in line and any(f in line for f in files):
            found.append(line.strip())
    return found


def _run(argv: list[str], env: Mapping[str, str], log: Path, what: str) -> None:
    with open(log, "a", encoding="utf-8", errors="replace") as fh:
        fh.write(f"$ {' '.join(argv)}\n")
        fh.flush()
        code = subprocess.run(argv, env=dict(env), stdout=fh, stderr=subprocess.STDOUT, check=False).returncode
    if code != 0:
        raise ConfigError(f"{what} failed (exit {code}); log: {log}\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
