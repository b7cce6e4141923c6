"""Per-iteration metrics the device scenarios need beyond :func:`~android_suite.analysis.metrics.iteration_metrics`.

The analysis reduces launches to their median and frames to median/p90; the
scenarios also budget the tails and a few derived quantities, one value per
(device, variant, iteration) like everything the A/B comparison takes:

* ``launch_time_p90_ms``: 90th percentile of ok launches' ``total_time_ms``.
* ``cold_start_share``: COLD launches / ok launches (0..1).
* ``frame_time_p99_ms``: 99th percentile frame time.
* ``kswapd_cpu_pct`` / ``kcompressd_cpu_pct``: CPU time of the reclaim threads
  (``<name>N_cpu_s`` samples, cumulative seconds, summed over N) over the
  iteration's sampled span, in percent of one core. The analysis averages
  those samples as gauges, which means nothing for a cumulative counter.
* ``energy_per_round_j`` and ``power_mw``: battery energy per pass over the
  apps and its average power. An iteration with any charging time is left
  out: the collector excludes charging samples, so its joules are an
  undercount (on a charger, the whole iteration reads 0 J).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from android_suite.analysis.metrics import KEYS, METRIC_COLUMNS, iteration_metrics, kept_iterations, only_kept
from android_suite.results.rundata import RunData

_CPU = re.compile(r"^(kswapd|kcompressd)\d*_cpu_s$")


def _tidy(series: pd.Series, metric: str, unit: str) -> pd.DataFrame:
    out = series.reset_index()
    out = out.rename(columns={out.columns[-1]: "value"})
    return out.assign(metric=metric, unit=unit)[METRIC_COLUMNS]


def _launch_and_frames(run: RunData, kept: pd.DataFrame, restrict: bool) -> list[pd.DataFrame]:
    out: list[pd.DataFrame] = []
    launches = only_kept(run.launches, kept, restrict)
    if not launches.empty:
        ok = launches[launches["status"].astype(str) == "ok"]
        grouped = ok.groupby(KEYS, observed=True)
        out.append(_tidy(grouped["total_time_ms"].quantile(0.9), "launch_time_p90_ms", "ms"))
        cold = ok.assign(cold=ok["launch_state"].astype(str).str.upper() == "COLD").groupby(KEYS, observed=True)
        out.append(_tidy(cold["cold"].mean().astype(np.float64), "cold_start_share", "1"))
    frames = only_kept(run.frames, kept, restrict)
    if not frames.empty:
        out.append(_tidy(frames.groupby(KEYS, observed=True)["frame_ms"].quantile(0.99), "frame_time_p99_ms", "ms"))
    return out


def _cpu(run: RunData, kept: pd.DataFrame, restrict: bool) -> list[pd.DataFrame]:
    samples = only_kept(run.samples, kept, restrict)
    if samples.empty:
        return []
    names = samples["metric"].astype(str)
    cpu = samples[names.str.match(_CPU)].astype({"t": np.float64, "value": np.float64})
    if cpu.empty:
        return []
    cpu = cpu.assign(thread=cpu["metric"].astype(str).str.extract(_CPU, expand=False))
    per = cpu.groupby([*KEYS, "thread", "metric"], observed=True).agg(
        t0=("t", "min"), t1=("t", "max"), v0=("value", "first"), v1=("value", "last")
    )
    per = per.assign(busy=(per["v1"] - per["v0"]).clip(lower=0), span=per["t1"] - per["t0"])
    summed = per.groupby([*KEYS, "thread"], observed=True).agg(busy=("busy", "sum"), span=("span", "max"))
    summed = summed[summed["span"] > 0]
    pct = (100.0 * summed["busy"] / summed["span"]).rename("value").reset_index()
    return [
        pct[pct["thread"] == t].drop(columns="thread").assign(metric=f"{t}_cpu_pct", unit="%")[METRIC_COLUMNS]
        for t in ("kswapd", "kcompressd")
        if (pct["thread"] == t).any()
    ]


def _seconds(column: pd.Series) -> pd.Series:
    """Wall-clock stamps as seconds: the store hands datetime64 (the contract) or epoch floats."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return (column - pd.Timestamp(0, tz=column.dt.tz)).dt.total_seconds()
    return pd.to_numeric(column, errors="coerce").astype(np.float64)


def _energy(run: RunData, kept: pd.DataFrame, restrict: bool, rounds: int) -> list[pd.DataFrame]:
    energy = only_kept(run.energy, kept, restrict)
    if energy.empty or run.iterations.empty:
        return []
    energy = energy.astype({"device": str, "variant": str, "iteration": np.int64})
    clean = energy[pd.to_numeric(energy["charging_s"], errors="coerce").fillna(0.0) <= 0]
    joules = clean.groupby(KEYS, observed=True)["joules"].sum(min_count=1).astype(np.float64)
    its = run.iterations.astype({"device": str, "variant": str, "iteration": np.int64}).set_index(KEYS)
    seconds = _seconds(its["ended_at"]) - _seconds(its["started_at"])
    seconds = seconds.reindex(joules.index)
    power = (1000.0 * joules / seconds.where(seconds > 0)).dropna()
    return [_tidy(joules / rounds, "energy_per_round_j", "J"), _tidy(power, "power_mw", "mW")]


def scenario_values(run: RunData, *, rounds: int = 1) -> pd.DataFrame:
    """Every per-iteration value the scenarios compare: the analysis' metrics plus the ones above."""
    base = iteration_metrics(run).values
    kept, _ = kept_iterations(run)
    restrict = not run.iterations.empty
    parts = [base, *_launch_and_frames(run, kept, restrict), *_cpu(run, kept, restrict)]
    parts += _energy(run, kept, restrict, max(1, rounds))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=METRIC_COLUMNS)
    values = pd.concat(parts, ignore_index=True)
    values = values.astype({"device": str, "variant": str, "metric": str, "unit": str, "iteration": np.int64})
    values["value"] = values["value"].astype(np.float64)
    return values.sort_values([*KEYS, "metric"], ignore_index=True)
