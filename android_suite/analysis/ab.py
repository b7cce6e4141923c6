"""A whole run's A/B analysis: per-iteration metrics -> verdict table -> claim check.

The one entry point the report and nightly use: :func:`analyse_run` takes a
RunData and nothing else (no device, no database).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from android_suite.analysis.metrics import IterationMetrics, iteration_metrics
from android_suite.analysis.stats import CompareOptions, Comparison, compare
from android_suite.analysis.stats_claims import claim_check
from android_suite.analysis.variants import split_arms
from android_suite.results.rundata import RunData

VERDICT_COLUMNS = ["device", "metric", "unit", *(f.name for f in fields(Comparison) if f.name != "metric")]


@dataclass(frozen=True)
class RunAnalysis:
    """What a report shows about one run.

    Attributes:
        baseline, treatment: the variant labels (A, B).
        metrics: per-iteration values and the excluded iterations.
        verdicts: one row per device and metric (VERDICT_COLUMNS).
        claims: the claim-check table (stats_claims.CLAIM_COLUMNS).
        options: how the comparisons were made.
    """

    baseline: str
    treatment: str
    metrics: IterationMetrics
    verdicts: pd.DataFrame
    claims: pd.DataFrame
    options: CompareOptions


def compare_frame(
    values: pd.DataFrame, baseline: str, treatment: str, options: CompareOptions | None = None
) -> pd.DataFrame:
    """Compare the two arms per device and metric (rows sorted by device, then metric).

    One Generator, seeded from ``options.seed``, serves every comparison in
    that order, so the table is reproducible.
    """
    opts = options or CompareOptions()
    rng = np.random.default_rng(opts.seed)
    rows: list[dict[str, object]] = []
    if values.empty:
        return pd.DataFrame(columns=VERDICT_COLUMNS)
    for (device, metric), group in values.groupby(["device", "metric"], sort=True):
        variant = group["variant"].astype(str)
        a = group.loc[variant == baseline, "value"].to_numpy(dtype=np.float64)
        b = group.loc[variant == treatment, "value"].to_numpy(dtype=np.float64)
        result = compare(str(metric), a, b, opts, rng).as_dict()
        result.pop("metric")
        rows.append({"device": str(device), "metric": str(metric), "unit": str(group["unit"].iloc[0]), **result})
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def analyse_run(run: RunData, *, baseline: str | None = None, options: CompareOptions | None = None) -> RunAnalysis:
    """Analyse one run: exclude warm-up/invalid iterations, compare arms, check the claims.

    Raises:
        ConfigError: the run does not have exactly two variants, or the
            baseline cannot be told (pass ``baseline``).
    """
    opts = options or CompareOptions()
    metrics = iteration_metrics(run)
    labels = _variant_labels(run, metrics)
    base, treat = split_arms(labels, baseline)
    verdicts = compare_frame(metrics.values, base, treat, opts)
    return RunAnalysis(base, treat, metrics, verdicts, claim_check(verdicts), opts)


def _variant_labels(run: RunData, metrics: IterationMetrics) -> list[str]:
    if not run.iterations.empty:
        return [str(v) for v in run.iterations["variant"].astype(str).unique()]
    return [str(v) for v in metrics.values["variant"].unique()]
