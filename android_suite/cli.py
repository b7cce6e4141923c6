"""``android-suite``: the command line. Thin: parsing here, work elsewhere."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from android_suite.errors import SuiteError
from android_suite.options import DEFAULT_PROFILES, add_device_options, add_farm_options, port_number

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="android-suite",
        description="A/B evidence on kcompressd and other reclaim changes, on phones or virtual handsets.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("devices", help="list every device the adb server sees, with its DeviceInfo")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--serial", default=None, help="only this device (default: all; $ANDROID_SERIAL is ignored here)")
    p.add_argument("--adb-port", type=port_number, default=None, help="adb server port (default 5037 or env)")
    add_farm_options(p.add_argument, pytest_only=False)  # --inventory: the farm's merged view
    p.set_defaults(handler=_lazy("android_suite.commands.devices", "run"))

    v = sub.add_parser("virtual", help="start, list and stop virtual handsets")
    vsub = v.add_subparsers(dest="virtual_command", required=True, metavar="ACTION")
    up = vsub.add_parser("up", help="start virtual handsets in the background and adb-connect them")
    up.add_argument(
        "--profile",
        action="append",
        default=None,
        help=f"profile name or TOML file (repeatable; default: {', '.join(DEFAULT_PROFILES)})",
    )
    up.add_argument("--count", type=int, default=1, help="handsets per profile (default 1)")
    up.add_argument("--adb-port", type=port_number, default=None, help="adb server to connect them to")
    up.add_argument("--no-shell-v2", action="store_true", help="emulate an old adbd without shell_v2")
    up.add_argument(
        "--kernel",
        choices=("auto", "sim", "qemu"),
        default="auto",
        help="sim: the modelled kernel; qemu: a real Linux kernel under QEMU (default profile qemu_arm64); "
        "auto (default): QEMU only for profiles with a [qemu] section",
    )
    up.set_defaults(handler=_lazy("android_suite.commands.virtual", "up"))
    down = vsub.add_parser("down", help="disconnect and stop every virtual handset started by 'up'")
    down.add_argument("--adb-port", type=port_number, default=None)
    down.set_defaults(handler=_lazy("android_suite.commands.virtual", "down"))
    status = vsub.add_parser("status", help="list running virtual handsets")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_lazy("android_suite.commands.virtual", "status"))

    from android_suite.commands.run import add_run_options  # argparse only; the job is imported when it runs

    d = sub.add_parser(
        "demo", help="the main job on virtual handsets, small: A/B kcompressd run, then the report with charts"
    )
    add_device_options(d.add_argument)
    add_run_options(d, demo=True)
    d.set_defaults(handler=_lazy("android_suite.commands.run", "run"))
    r = sub.add_parser("run", help="the A/B kcompressd job on a phone (--serial) or virtual handsets, then its report")
    add_device_options(r.add_argument)
    add_run_options(r, demo=False)
    r.set_defaults(handler=_lazy("android_suite.commands.run", "run"))

    from android_suite.commands.claim_check import add_options as add_claim_options

    c = sub.add_parser(
        "claim-check", help="kcompressd's claims on a real kernel under QEMU: stock vs v1, sysctl 0 vs default"
    )
    add_claim_options(c)
    c.set_defaults(handler=_lazy("android_suite.commands.claim_check", "run"))

    from android_suite.parsers.registry import KINDS  # names only: no parser module is imported

    p = sub.add_parser("parse", help="parse a captured file (dumpsys, /proc, sysfs, logcat) into records")
    p.add_argument("kind", choices=sorted(KINDS), metavar="KIND", help=f"one of: {', '.join(sorted(KINDS))}")
    p.add_argument("file", metavar="FILE", help="the capture to parse ('-' reads stdin)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a readable listing")
    p.set_defaults(handler=_lazy("android_suite.commands.parse", "run"))

    r = sub.add_parser("report", help="write one run's HTML report and Markdown summary from a result store")
    r.add_argument("results", metavar="RESULTS", help="result store: a SQLite file or a database URL")
    r.add_argument("--run", default=None, metavar="ID", help="run id (default: the latest run)")
    r.add_argument("--out", default="out/report", help="output directory (default out/report)")
    r.add_argument("--baseline", default=None, help="the baseline variant (default: the one named off)")
    r.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples (default 10000)")
    r.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    r.set_defaults(handler=_lazy("android_suite.commands.report", "run"))

    n = sub.add_parser("nightly", help="nightly trends and change points; exit 3 on an ongoing regression")
    n.add_argument("--db", required=True, metavar="URL", help="database holding the nightly_history table")
    n.add_argument("--out", required=True, metavar="DIR", help="where the charts and index.html go")
    n.add_argument("--ingest", default=None, metavar="RESULTS", help="first add a run from this result store")
    n.add_argument("--run", default=None, metavar="ID", help="the run to ingest (default: the latest)")
    n.add_argument("--night", default=None, metavar="YYYY-MM-DD", help="night to file it under (default: its start)")
    n.add_argument("--baseline", default=None, help="the baseline variant of the ingested run")
    n.add_argument("--alpha", type=float, default=0.05, help="family-wise false-alarm rate (default 0.05)")
    n.add_argument("--min-segment", type=int, default=5, help="nights a new level must hold (default 5)")
    n.add_argument("--min-effect", type=float, default=0.05, help="smallest relative shift flagged (default 0.05)")
    n.set_defaults(handler=_lazy("android_suite.commands.nightly", "run"))

    k = sub.add_parser("kernel-check", help="compare a handset's /proc/config.gz with kernel_config fragments")
    k.add_argument("--serial", default=None, help="adb serial of the handset (default: $ANDROID_SERIAL)")
    k.add_argument("--adb-port", type=port_number, default=None, help="adb server port (default 5037 or env)")
    k.add_argument("--fragments", nargs="+", default=None, metavar="NAME", help="fragments to check (default: all)")
    k.add_argument("--fragments-dir", default=None, metavar="DIR", help="where fragment names are looked up")
    k.add_argument("--config", default=None, metavar="FILE", help="check a host .config or config.gz instead")
    k.add_argument("--strict", action="store_true", help="exit 1 unless every setting matches (needs --fragments)")
    k.add_argument("--json", action="store_true", help="print JSON instead of a table")
    k.set_defaults(handler=_lazy("android_suite.commands.kernel_check", "run"))

    from android_suite.commands.kernel_build import add_arguments as add_kernel_build_arguments  # argparse only

    kb = sub.add_parser("kernel-build", help="build (or reuse from the cache) a real kernel + initramfs for QEMU")
    add_kernel_build_arguments(kb)
    kb.set_defaults(handler=_lazy("android_suite.commands.kernel_build", "run"))

    from android_suite.commands.apk import add_apk_parser  # argparse only; the build is imported when it runs

    add_apk_parser(sub)

    fm = sub.add_parser("fault-matrix", help="inject each fault into a virtual handset; print the table of outcomes")
    fm.add_argument("--only", nargs="+", default=None, metavar="NAME", help="run only these scenarios")
    fm.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    fm.add_argument("--parallel", type=int, default=4, help="scenarios run at once (default 4)")
    fm.add_argument("--list", action="store_true", help="list the scenarios and exit")
    fm.set_defaults(handler=_lazy("android_suite.commands.faults", "run"))
    return parser


def _lazy(module: str, func: str) -> Handler:
    """Import a command's module only when it runs: keeps `--help` fast and adbutils unloaded."""

    def handler(args: argparse.Namespace) -> int:
        import importlib

        fn: Handler = getattr(importlib.import_module(module), func)
        return fn(args)

    return handler


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)  # type: ignore[no-any-return]
    except SuiteError as exc:
        print(f"android-suite: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("android-suite: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
