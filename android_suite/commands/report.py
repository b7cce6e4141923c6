"""``android-suite report RESULTS``: one run's HTML report and Markdown summary.

The run is read through the result store (``android_suite.results.store``),
imported only here and only when the command runs; everything after loading
works on the RunData alone.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from android_suite.errors import ConfigError

if TYPE_CHECKING:
    from android_suite.results.rundata import RunData


def _is_plain_path(target: str) -> bool:
    return "://" not in target


def load_from_store(results: str, run_id: str | None) -> RunData:
    """Load ``run_id`` (default: the latest run) from the store at ``results``.

    Raises:
        ConfigError: no store module in this checkout, no such file, an empty store or no such run.
    """
    if _is_plain_path(results) and not Path(results).expanduser().exists():
        raise ConfigError(f"no result store at {results!r} (give a SQLite file or a database URL)")
    try:
        from android_suite.results.store import ResultStore
    except ImportError as exc:  # the store is developed alongside; say so rather than a traceback
        raise ConfigError(f"the result store (android_suite.results.store) is not available: {exc}") from exc
    with ResultStore.open(results) as store:
        if run_id is None:
            latest = store.latest_run()
            if latest is None:
                raise ConfigError(f"the result store at {results!r} holds no runs")
            run_id = latest.run_id
        return store.load_run(run_id)


def run(args: argparse.Namespace) -> int:
    from android_suite.analysis.stats import CompareOptions
    from android_suite.report.write import write_report

    data = load_from_store(os.fspath(args.results), args.run)
    options = CompareOptions(n_boot=args.resamples, seed=args.seed)
    files = write_report(data, args.out, baseline=args.baseline, options=options)
    print(files.summary, end="")
    print(f"[report] wrote {files.html} and {files.markdown}", file=sys.stderr)
    return 0
