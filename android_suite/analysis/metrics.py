"""One value per (device, variant, iteration, metric), from a RunData.

The unit of replication in an A/B comparison is the iteration: samples
within one iteration are strongly correlated, so they are reduced first.

* Kernel counters (vmstat, PSI ``total``): the mean rate over the iteration
  (:func:`~android_suite.analysis.rates.mean_rates`: total increase over
  total usable time, so a reboot neither subtracts nor inflates).
* Gauges (PSI ``avg10``, anything else sampled): the mean over the iteration.
* ``launch_time_ms``: median ``total_time_ms`` of launches with status ok.
* ``frame_time_ms`` / ``frame_time_p90_ms``: median and 90th percentile frame time.
* ``janky_frame_share``: janky frames / frames (0..1).
* ``lmk_kills``: lmkd kills in the iteration (0 when none was logged: kills are events).
* ``energy_j``: battery energy (joules, charging excluded by the collector).

Warm-up iterations and invalid ones are left out and listed with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from android_suite.analysis.rates import mean_rates
from android_suite.results.rundata import RunData

KEYS = ["device", "variant", "iteration"]
METRIC_COLUMNS = [*KEYS, "metric", "value", "unit"]

# vmstat counters (by prefix) and PSI totals: everything else sampled is a gauge.
_COUNTER_PREFIXES: tuple[str, ...] = (
    "pgsteal_",
    "pgscan_",
    "allocstall",
    "pswp",
    "zswp",
    "workingset_",
    "pgmajfault",
    "pgfault",
)
_COUNTER_PREFIXES += ("pageoutrun", "swpin_zero", "swpout_zero", "compact_", "kswapd_", "oom_kill")
_COUNTER_SUFFIXES = ("_total",)  # PSI some_total/full_total: microseconds stalled since boot


@dataclass(frozen=True)
class IterationMetrics:
    """Per-iteration values and what was left out.

    Attributes:
        values: columns device, variant, iteration, metric, value, unit (one row each).
        excluded: columns device, variant, iteration, reason (warm-up or why invalid).
    """

    values: pd.DataFrame
    excluded: pd.DataFrame


def is_counter(metric: str) -> bool:
    """Whether a sampled metric is a monotonic counter (rate it) rather than a gauge (average it)."""
    return metric.startswith(_COUNTER_PREFIXES) or metric.endswith(_COUNTER_SUFFIXES)


def kept_iterations(run: RunData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(kept, excluded)``: the compared iterations' keys, and the others with the reason."""
    its = run.iterations
    if its.empty:  # no iteration table: nothing known to exclude
        return pd.DataFrame(columns=KEYS), pd.DataFrame(columns=[*KEYS, "reason"])
    keys = its[KEYS].astype({"device": str, "variant": str}).astype({"iteration": np.int64})
    warm = its["warmup"].fillna(False).astype(bool).to_numpy()
    valid = its["valid"].fillna(False).astype(bool).to_numpy()
    reason = its["reason"].fillna("").astype(str).to_numpy() if "reason" in its else np.full(len(its), "")
    why = np.where(warm, "warm-up", np.where(valid, "", np.where(reason == "", "invalid (no reason recorded)", reason)))
    excluded = keys.assign(reason=why)[why != ""].reset_index(drop=True)
    return keys[why == ""].reset_index(drop=True), excluded


def only_kept(frame: pd.DataFrame, kept: pd.DataFrame, restrict: bool = True) -> pd.DataFrame:
    """The rows of ``frame`` whose (device, variant, iteration) is in ``kept`` (all rows if not ``restrict``)."""
    if frame.empty or not restrict:
        return frame
    keys = frame[KEYS].astype({"device": str, "variant": str}).astype({"iteration": np.int64})
    mask = pd.MultiIndex.from_frame(keys).isin(pd.MultiIndex.from_frame(kept))
    return frame[mask]


def _tidy(frame: pd.Series | pd.DataFrame, metric: str, unit: str) -> pd.DataFrame:
    out = frame.reset_index()
    out = out.rename(columns={out.columns[-1]: "value"})
    return out.assign(metric=metric, unit=unit)[METRIC_COLUMNS]


def as_tidy(samples: pd.DataFrame) -> pd.DataFrame:
    """The dtypes rates.py checks: the store may hand strings as object columns."""
    cats = {c: "category" for c in ("device", "variant", "metric", "unit", "boot_id") if c in samples}
    return samples.astype({**cats, "iteration": np.int64, "t": np.float64, "value": np.float64})


def _sample_metrics(samples: pd.DataFrame) -> list[pd.DataFrame]:
    if samples.empty:
        return []
    samples = as_tidy(samples)
    names = [str(m) for m in samples["metric"].unique()]
    counters = [m for m in names if is_counter(m)]
    gauges = [m for m in names if not is_counter(m) and not m.endswith("_per_s")]
    out: list[pd.DataFrame] = []
    if counters:
        rates = mean_rates(samples, counters)
        out.append(rates.astype({"metric": str, "unit": str})[METRIC_COLUMNS])
    if gauges:
        sub = samples[samples["metric"].isin(gauges)]
        means = sub.groupby([*KEYS, "metric"], observed=True).agg(value=("value", "mean"), unit=("unit", "first"))
        out.append(means.reset_index().astype({"metric": str, "unit": str})[METRIC_COLUMNS])
    return out


def _event_metrics(run: RunData, kept: pd.DataFrame, restrict: bool) -> list[pd.DataFrame]:
    out: list[pd.DataFrame] = []
    launches = only_kept(run.launches, kept, restrict)
    if not launches.empty:
        ok = launches[launches["status"].astype(str) == "ok"]
        out.append(_tidy(ok.groupby(KEYS, observed=True)["total_time_ms"].median(), "launch_time_ms", "ms"))
    frames = only_kept(run.frames, kept, restrict)
    if not frames.empty:
        grouped = frames.groupby(KEYS, observed=True)
        out.append(_tidy(grouped["frame_ms"].median(), "frame_time_ms", "ms"))
        out.append(_tidy(grouped["frame_ms"].quantile(0.9), "frame_time_p90_ms", "ms"))
        out.append(_tidy(grouped["janky"].mean().astype(np.float64), "janky_frame_share", "1"))
    energy = only_kept(run.energy, kept, restrict)
    if not energy.empty:
        out.append(_tidy(energy.groupby(KEYS, observed=True)["joules"].sum(min_count=1), "energy_j", "J"))
    return out


def _kill_counts(run: RunData, kept: pd.DataFrame) -> pd.DataFrame:
    if kept.empty:
        return pd.DataFrame(columns=METRIC_COLUMNS)
    kills = only_kept(run.kills, kept, True)
    counts = kills.astype({"device": str, "variant": str}).groupby(KEYS, observed=True).size()
    base = kept.set_index(KEYS)
    value = counts.reindex(base.index, fill_value=0).astype(np.float64)
    return _tidy(value, "lmk_kills", "kills")


def iteration_metrics(run: RunData) -> IterationMetrics:
    """Reduce a run to one value per (device, variant, iteration, metric), warm-up and invalid left out."""
    kept, excluded = kept_iterations(run)
    restrict = not run.iterations.empty
    parts = _sample_metrics(only_kept(run.samples, kept, restrict))
    parts += _event_metrics(run, kept, restrict)
    if restrict:
        parts.append(_kill_counts(run, kept))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return IterationMetrics(pd.DataFrame(columns=METRIC_COLUMNS), excluded)
    values = pd.concat(parts, ignore_index=True)
    values = values.astype({"device": str, "variant": str, "metric": str, "unit": str, "iteration": np.int64})
    values["value"] = values["value"].astype(np.float64)
    return IterationMetrics(values.sort_values([*KEYS, "metric"], ignore_index=True), excluded)
