"""``android-suite claim-check``: kcompressd's headline claims measured on a real kernel under QEMU.

Boots the kbuild builds (stock, v1, sysctl) in QEMU, runs the reclaim-
throughput workload in each (see :mod:`android_suite.virtual.qemu.claim`) and
writes the claim-check report (Markdown, HTML, CSV of every iteration) whatever
the outcome. Needs ``android-suite kernel-build`` to have cached the builds.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from android_suite.errors import ConfigError


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", choices=("arm64", "x86_64"), default="arm64", help="guest architecture (default arm64)")
    p.add_argument("--iterations", type=int, default=6, help="iterations per arm and comparison (default 6)")
    p.add_argument("--warmup", type=int, default=1, help="unmeasured iterations after each boot (default 1)")
    p.add_argument("--seconds", type=float, default=20.0, help="measured window of steady reclaim (default 20)")
    p.add_argument("--eater-pct", type=float, default=110.0, help="eater size, %% of guest RAM (default 110)")
    p.add_argument("--cpus", type=int, default=2, help="guest CPUs (default 2)")
    p.add_argument("--memory-mb", type=int, default=1024, help="guest RAM in MiB (default 1024)")
    p.add_argument("--only", choices=("builds", "sysctl", "both"), default="both",
                   help="builds: stock vs v1 boots; sysctl: vm.kcompressd 0 vs default; both (default)")  # fmt: skip
    p.add_argument("--out", default="out/claim_check", help="report directory (default out/claim_check)")


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from android_suite.report.claimcheck import write_claim_report
    from android_suite.virtual.qemu import machine
    from android_suite.virtual.qemu.claim import ClaimRun, ClaimSettings, Guest, host_facts, run_builds, run_sysctl

    if args.iterations < 3:
        raise ConfigError("--iterations must be at least 3 (no interval can exclude anything below that)")
    if not machine.qemu_available(args.arch):
        raise ConfigError(f"{machine.QEMU_BINARY[args.arch]} is not installed (./suite setup installs it)")
    on_build = "v1" if machine.find_image(args.arch, "v1") is not None else "sysctl"
    needed = {"builds": ["stock", on_build], "sysctl": ["sysctl"], "both": ["stock", on_build, "sysctl"]}[args.only]
    missing = [v for v in dict.fromkeys(needed) if machine.find_image(args.arch, v) is None]
    if missing:
        raise ConfigError(f"no cached {args.arch} build of {', '.join(missing)}: android-suite kernel-build "
                          f"--arch {args.arch} --variant {missing[0]}")  # fmt: skip
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    settings = ClaimSettings(
        iterations=args.iterations, warmup=args.warmup, eater_pct=args.eater_pct, seconds=args.seconds
    )
    result = ClaimRun()
    result.facts.update(host_facts())
    result.facts.update({
        "guest": f"qemu {args.arch}, {args.cpus} CPUs, {args.memory_mb} MiB RAM, zram lz4 = half of RAM",
        "workload": f"guest memeater at {settings.eater_pct:g}% of RAM (unpaced), compressibility "
                    f"{settings.compressibility:g}, touching {settings.touch_fraction:g} of its pages per second; "
                    f"rates over {settings.seconds:g} s of steady reclaim per iteration",
        "iterations": f"{settings.iterations} per arm, after {settings.warmup} unmeasured warm-up per boot",
        "on build (comparison a)": on_build,
    })  # fmt: skip

    @contextmanager
    def boot(build: str) -> Iterator[Guest]:
        image = machine.find_image(args.arch, build)
        assert image is not None
        log = out / f"console-{build}-{len(result.boots)}.log"
        _say(f"[claim-check] booting the {build} build ({image.kernel})")
        vm = machine.QemuMachine(image, cpus=args.cpus, memory_mb=args.memory_mb, console_log=log)
        agent = vm.start(timeout=240.0)
        try:
            yield Guest(agent, vm.console_text, vm.uses_kvm, vm.boot_seconds, image=Path(image.kernel).parent.name[:12])
        finally:
            vm.stop()

    started = time.monotonic()
    # SIGTERM must unwind like Ctrl-C, so every `finally` stops its QEMU guest (no orphans).
    old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if args.only in ("builds", "both"):
            run_builds(result, boot, on_build, settings, _say)
        if args.only in ("sysctl", "both"):
            run_sysctl(result, boot, settings, _say)
    finally:
        signal.signal(signal.SIGTERM, old_term)
        result.facts["wall time"] = f"{time.monotonic() - started:.0f} s"
        if result.rows:
            report = write_claim_report(pd.DataFrame(result.rows), result.facts, result.boots, out)
            print(report.markdown.read_text(), end="")
            _say(f"[claim-check] report: {report.html}  summary: {report.markdown}  values: {report.values}")
    return 0 if result.rows else 1
