"""``android-suite run`` and ``android-suite demo``: the A/B kcompressd job, then its report.

``run`` works on a phone (``--serial``/``$ANDROID_SERIAL``) or, without one,
on virtual handsets; ``demo`` is ``run`` on virtual handsets with settings
small enough to finish in a few minutes.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from android_suite.commands.kernel_choice import add_kernel_option
from android_suite.commands.kernel_choice import choose as choose_kernel
from android_suite.options import DEFAULT_PROFILES, resolve_adb_port, resolve_serial
from android_suite.session import HandsetSession, free_port
from android_suite.workloads.recovery import StopRequest


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _manifest(session: HandsetSession, args: argparse.Namespace) -> Any:
    """Boot images to flash: the user's manifest, or for virtual handsets one built on the fly."""
    if args.manifest:
        return args.manifest
    if not session.is_virtual or args.no_flash:
        return None
    from android_suite.kernel.images import build_virtual_images

    _say("[run] building kcompressd on/off boot images for the virtual profiles (cached by content)")
    return build_virtual_images(list(session.profiles))


def _stop_on_signals(stop: StopRequest) -> Callable[[], None]:
    """SIGINT/SIGTERM ask the runners to stop at their next step (they restore the handsets).

    A second signal while they wind down raises KeyboardInterrupt (the
    ``finally`` blocks still run). Returns what puts the old handlers back.
    """

    def handler(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            raise KeyboardInterrupt(f"{name} again while stopping")
        stop.request(name)
        _say(f"[run] {name}: stopping at the next step and restoring the handsets ({name} again to hurry)")

    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signals reach the main thread only (a test calling run() from a thread)
    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, previous in old.items():
            signal.signal(sig, previous)

    return restore


def run(args: argparse.Namespace) -> int:
    from android_suite.workloads.job import DEFAULT_WORKLOAD, Job, JobOptions

    serial = resolve_serial(args.serial)
    profiles: tuple[str, ...] = DEFAULT_PROFILES
    kernel = "sim"
    if serial is None:
        profiles, kernel = choose_kernel(
            getattr(args, "kernel", "auto"), args.virtual_profiles, demo=getattr(args, "kernel_demo", False), say=_say
        )
    if serial is None:
        port = args.adb_port or free_port()
        os.environ["ANDROID_ADB_SERVER_PORT"] = str(port)  # before adbutils/uiautomator2 are imported
    else:
        port = resolve_adb_port(args.adb_port)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = args.db or str(out / "results.db")
    options = JobOptions(
        iterations=args.iterations,
        warmup=args.warmup,
        rounds=args.rounds,
        dwell_s=args.dwell,
        period_s=args.period,
        eater=not args.no_eater,
        max_reruns=args.max_reruns,
    )
    job = Job(args.workload or DEFAULT_WORKLOAD, options)
    session = HandsetSession(serial=serial, adb_port=port, profiles=profiles, kernel=kernel)
    _say(f"[run] bringing up {'phone ' + serial if serial else 'virtual handsets: ' + ', '.join(profiles)}")
    from android_suite.workloads.abrun import run_ab, summary_lines

    stop = StopRequest()
    restore_signals = _stop_on_signals(stop)
    try:
        session.start()
        manifest = _manifest(session, args)
        run_id, results = run_ab(
            session,
            db,
            plan_for=job.plan_for,
            pressure_for=job.pressure_for,
            manifest=manifest,
            context=job.context(),
            progress=_say,
            stop=stop,
        )
    finally:
        session.stop()
        restore_signals()
    for line in summary_lines(results):
        _say(f"[run] {line}")
    for serial_, dropped in job.dropped.items():
        for d in dropped:
            _say(f"[run] {serial_}: app left out: {d}")
    if stop.is_set():
        _say(f"[run] interrupted ({stop.reason}): handsets restored, results kept in {db} (run {run_id}, incomplete)")
        return 128 + int(getattr(signal.Signals, stop.reason, signal.SIGINT))
    if not any(r.outcomes for r in results):
        _say("[run] no handset completed an iteration; no report")
        return 1
    from android_suite.commands.report import load_from_store
    from android_suite.report.write import write_report

    files = write_report(load_from_store(db, run_id), out)
    print(files.summary, end="")
    _say(f"[run] results: {db} (run {run_id})")
    _say(f"[run] report: {files.html}  summary: {files.markdown}")
    return 0


def add_run_options(p: argparse.ArgumentParser, *, demo: bool) -> None:
    p.add_argument("--workload", default=None, help="workload TOML (default apk_workloads/app_switch.toml)")
    p.add_argument("--iterations", type=int, default=3, help="measured iterations per variant (default 3)")
    p.add_argument("--warmup", type=int, default=1, help="warm-up iterations per variant (default 1)")
    p.add_argument(
        "--rounds",
        type=int,
        default=1 if demo else None,
        help="passes over the apps per iteration (default: the workload's" + (", 1 in the demo)" if demo else ")"),
    )
    p.add_argument(
        "--dwell",
        type=float,
        default=2.0 if demo else None,
        help="seconds per app visit (default: the workload's" + (", 2 in the demo)" if demo else ")"),
    )
    p.add_argument("--period", type=float, default=0.2, help="sampler period in seconds (default 0.2)")
    p.add_argument("--no-eater", action="store_true", help="run without the workload's memory eater")
    add_kernel_option(p, demo=demo)
    p.add_argument(
        "--max-reruns",
        type=int,
        default=2,
        help="run an iteration spoilt by a reboot, drop or hang again, at most this often (default 2)",
    )
    p.add_argument("--manifest", default=None, help="boot-image manifest for the flash path (kernel_config/README.md)")
    p.add_argument("--no-flash", action="store_true", help="never flash; handsets without a knob sit out an arm")
    p.add_argument("--db", default=None, help="results store: SQLite path or database URL (default OUT/results.db)")
    p.add_argument("--out", default="out/demo" if demo else "out/run", help="where the report goes")
