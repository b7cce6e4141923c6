"""``android-suite fault-matrix``: every fault of :mod:`android_suite.faults` on its own virtual handset.

Prints the table of outcomes (or JSON records with ``--json``); exit 0 when
every row passes, 1 otherwise. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from android_suite.faults.matrix import run_matrix, select
    from android_suite.faults.record import table, to_json

    if args.list:
        for s in select(None):
            print(f"{s.name:<22} {s.expect:<10} {s.fault} ({s.when})")
        return 0
    records = run_matrix(args.only, parallel=args.parallel, progress=_say)
    print(to_json(records) if args.json else table(records))
    return 0 if all(r.passed for r in records) else 1
