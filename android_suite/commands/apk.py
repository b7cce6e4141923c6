"""``android-suite apk build|check``: the test-app APK set (apk_workloads/testapp)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_apk_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    a = sub.add_parser("apk", help="build or check the suite's code-free test-app APKs")
    asub = a.add_subparsers(dest="apk_command", required=True, metavar="ACTION")
    b = asub.add_parser("build", help="build N signed variants (cached by content hash) and print their paths")
    b.add_argument("--count", type=int, default=4, help="variants org.androidsuite.testapp.a01.. (default 4)")
    b.add_argument("--out", default=None, metavar="DIR", help="copy the APKs here (default: leave them in the cache)")
    b.add_argument("--abi", action="append", default=None, help="ABI to include (repeatable; default: both)")
    b.add_argument("--anon-mb", type=int, nargs="+", default=None, help="MiB per variant (cycled) [64 96 128 192]")
    b.add_argument("--json", action="store_true", help="print JSON instead of a table")
    b.set_defaults(handler=build)
    c = asub.add_parser("check", help="signature, manifest, zip alignment and ELF loader rules of an APK")
    c.add_argument("paths", nargs="+", metavar="PATH", help="APK files")
    c.add_argument("--json", action="store_true", help="print JSON instead of a listing")
    c.set_defaults(handler=check)


def build(args: argparse.Namespace) -> int:
    from android_suite.apk.build import DEFAULT_ABIS, build_testapp_set

    apks = build_testapp_set(
        args.count,
        out_dir=Path(args.out) if args.out else None,
        abis=tuple(args.abi) if args.abi else DEFAULT_ABIS,
        anon_mb=args.anon_mb,
    )
    if args.json:
        rows = [
            {"package": a.package, "path": str(a.path), "sha256": a.sha256, "settings": dict(a.settings)} for a in apks
        ]
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    for a in apks:
        settings = " ".join(f"{k}={v}" for k, v in a.settings.items())
        print(f"{a.package}  {a.sha256[:16]}  {a.path}  {settings}")
    return 0


def check(args: argparse.Namespace) -> int:
    from android_suite.apk.checks import check_apk

    failed = 0
    report = {}
    for path in args.paths:
        results = check_apk(Path(path))
        failed += sum(not c.ok for c in results)
        report[path] = [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in results]
        if not args.json:
            print(path)
            for c in results:
                print(f"  {'PASS' if c.ok else 'FAIL'}  {c.name:<18} {c.detail}")
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    return 1 if failed else 0
