"""``android-suite nightly --db URL --out DIR [--ingest RESULTS]``: trends, change points, exit code.

Exit codes: 0 no ongoing regression, 3 at least one (each printed with its
device, metric and first bad night), 2 on a usage or store error.
"""

from __future__ import annotations

import argparse
import sys

REGRESSION_EXIT = 3


def run(args: argparse.Namespace) -> int:
    from android_suite.analysis.changepoint import ChangePointOptions
    from android_suite.report.history import open_history, read_history, write_history
    from android_suite.report.nightly import describe, write_nightly

    engine = open_history(args.db)
    try:
        if args.ingest:
            from android_suite.analysis.ab import analyse_run
            from android_suite.commands.report import load_from_store
            from android_suite.report.history import history_rows

            data = load_from_store(args.ingest, args.run)
            rows = history_rows(data, analyse_run(data, baseline=args.baseline), args.night)
            n = write_history(engine, rows)
            print(f"[nightly] ingested run {data.run_id}: {n} rows for night {rows['night'].iloc[0] if n else '-'}")
        history = read_history(engine)
    finally:
        engine.dispose()
    if history.empty:
        print(f"[nightly] warning: {args.db} holds no nightly history yet (ingest runs with --ingest)", file=sys.stderr)
    options = ChangePointOptions(alpha=args.alpha, min_segment=args.min_segment, min_effect=args.min_effect)
    result = write_nightly(history, args.out, options)
    print(
        f"[nightly] {history['device'].nunique()} device(s), {history['metric'].nunique()} metric(s), "
        f"{history['night'].nunique()} night(s); {len(result.changes)} change point(s); wrote {result.index}"
    )
    for row in result.changes.to_dict("records"):
        print(f"[nightly]   {describe(row)}")
    if result.failing.empty:
        print("[nightly] no ongoing regression")
        return 0
    for row in result.failing.to_dict("records"):
        night = str(row["night"])[:10]
        print(f"REGRESSION device={row['device']} metric={row['metric']} first_bad_night={night}", file=sys.stderr)
    return REGRESSION_EXIT
