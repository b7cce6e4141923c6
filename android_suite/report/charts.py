"""Charts of one A/B run: DataFrame in, matplotlib Figure out.

Figures are built with ``matplotlib.figure.Figure`` and rendered by the Agg
canvas directly: no pyplot, so nothing is registered in pyplot's global
figure list (no leak over a nightly of hundreds of charts) and no GUI
backend is ever chosen.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from android_suite.analysis.metrics import as_tidy, is_counter
from android_suite.analysis.rates import RATE_SUFFIX, counter_rates

VARIANT_COLOURS = ("#4c72b0", "#dd8452")  # baseline, treatment
VERDICT_COLOURS = {
    "better": "#2ca02c",
    "worse": "#d62728",
    "changed": "#1f77b4",
    "no significant change": "#7f7f7f",
    "insufficient data": "#c7c7c7",
}
TIME_METRICS = ("pgsteal_anon", "allocstall_total", "pswpout", "some_avg10")
_MAX_ECDF_POINTS = 2_000
_TIME_BINS = 60


def figure_png(fig: Figure, dpi: int = 96) -> bytes:
    """Render a figure to PNG bytes with the Agg canvas."""
    buf = io.BytesIO()
    FigureCanvasAgg(fig)  # attaches itself to fig
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _grid(rows: int, cols: int, width: float = 4.2, height: float = 2.8) -> tuple[Figure, list[list[Axes]]]:
    fig = Figure(figsize=(max(1, cols) * width, max(1, rows) * height), layout="constrained")
    axes = fig.subplots(max(1, rows), max(1, cols), squeeze=False)
    return fig, [list(r) for r in axes]


def _empty(fig: Figure, message: str) -> Figure:
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#555555")
    return fig


def time_profile(samples: pd.DataFrame, metrics: Sequence[str] = TIME_METRICS) -> pd.DataFrame:
    """Per device, variant, metric and time bin: quartiles across iterations.

    Counters become per-interval rates (metric ``<name>_per_s``); time is
    seconds since the iteration's first sample. Pass only the iterations to
    show (a rebooted one restarts its clock). Columns: device, variant,
    metric, t, q25, q50, q75.
    """
    samples = as_tidy(samples)
    present = [m for m in metrics if m in set(samples["metric"].astype(str))]
    if not present:
        return pd.DataFrame(columns=["device", "variant", "metric", "t", "q25", "q50", "q75"])
    counters = [m for m in present if is_counter(m)]
    parts = [counter_rates(samples, counters)] if counters else []
    gauges = [m for m in present if not is_counter(m)]
    if gauges:
        parts.append(samples[samples["metric"].isin(gauges)])
    frame = pd.concat([p.astype({"device": str, "variant": str, "metric": str}) for p in parts], ignore_index=True)
    keys = ["device", "variant", "iteration"]
    elapsed = frame["t"] - frame.groupby([*keys, "metric"], observed=True)["t"].transform("min")
    width = max(float(elapsed.max()) / _TIME_BINS, 1e-9)
    frame = frame.assign(t=(np.floor(elapsed / width) + 0.5) * width).dropna(subset=["value"])
    grouped = frame.groupby(["device", "variant", "metric", "t"], observed=True)["value"]
    out = grouped.quantile(np.array([0.25, 0.5, 0.75])).unstack()
    out.columns = pd.Index(["q25", "q50", "q75"])
    return out.reset_index()


def reclaim_over_time(samples: pd.DataFrame, variants: Sequence[str], metrics: Sequence[str] = TIME_METRICS) -> Figure:
    """Reclaim counters (as rates) and PSI over an iteration, per device and variant.

    Lines are the median over iterations, bands the interquartile range.
    ``variants`` gives the order (baseline, treatment) and the colours.
    """
    profile = time_profile(samples, metrics)
    devices = sorted(profile["device"].unique())
    shown = set(profile["metric"])
    names = [n for n in (m + RATE_SUFFIX if is_counter(m) else m for m in metrics) if n in shown]
    fig, axes = _grid(len(devices), len(names))
    if profile.empty:
        return _empty(fig, "no samples to chart")
    for r, device in enumerate(devices):
        for c, metric in enumerate(names):
            ax = axes[r][c]
            for colour, variant in zip(VARIANT_COLOURS, variants, strict=False):
                part = profile[(profile["device"] == device) & (profile["metric"] == metric)]
                part = part[part["variant"] == variant]
                ax.plot(part["t"], part["q50"], color=colour, label=variant, lw=1.4)
                ax.fill_between(part["t"], part["q25"], part["q75"], color=colour, alpha=0.25, lw=0)
            ax.set_title(f"{device}\n{metric}", fontsize=9)
            ax.set_xlabel("seconds into iteration", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.legend(fontsize=7, loc="best")
    return fig


def _ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.sort(values[np.isfinite(values)])
    y = np.arange(1, x.size + 1) / max(1, x.size)
    if x.size > _MAX_ECDF_POINTS:  # thin long curves: the eye cannot see 100k steps, the PNG can
        keep = np.linspace(0, x.size - 1, _MAX_ECDF_POINTS).astype(np.int64)
        x, y = x[keep], y[keep]
    return x, y


def distribution_ecdf(frame: pd.DataFrame, value: str, variants: Sequence[str], *, title: str, xlabel: str) -> Figure:
    """ECDF of ``value`` per variant, one panel per device (launch latency, frame time).

    An ECDF shows the whole distribution, tails included, without the binning
    choices of a histogram or the smoothing of a violin.
    """
    devices = sorted(frame["device"].astype(str).unique()) if not frame.empty else []
    fig, axes = _grid(1, len(devices), width=5.0, height=3.2)
    if not devices:
        return _empty(fig, f"no data for {title}")
    fig.suptitle(title, fontsize=10)
    for ax, device in zip(axes[0], devices, strict=True):
        mine = frame[frame["device"].astype(str) == device]
        for colour, variant in zip(VARIANT_COLOURS, variants, strict=False):
            vals = mine.loc[mine["variant"].astype(str) == variant, value].to_numpy(dtype=np.float64)
            x, y = _ecdf(vals)
            if x.size:
                ax.step(x, y, where="post", color=colour, label=f"{variant} (n={int(np.isfinite(vals).sum())})")
        ax.set_title(device, fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_ylabel("share <= x", fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="lower right")
    return fig


def verdict_chart(verdicts: pd.DataFrame) -> Figure:
    """Relative change (%) with its confidence interval per metric, one panel per device, coloured by verdict."""
    devices = sorted(verdicts["device"].astype(str).unique()) if not verdicts.empty else []
    n_metrics = verdicts["metric"].nunique() if not verdicts.empty else 1
    fig, axes = _grid(1, len(devices), width=5.5, height=0.9 + 0.32 * n_metrics)
    if not devices:
        return _empty(fig, "no comparisons")
    for ax, device in zip(axes[0], devices, strict=True):
        mine = verdicts[verdicts["device"].astype(str) == device].sort_values("metric", ascending=False)
        y = np.arange(len(mine))
        rel = mine["rel_change"].to_numpy(dtype=np.float64) * 100
        low = mine["ci_low"].to_numpy(dtype=np.float64) * 100
        high = mine["ci_high"].to_numpy(dtype=np.float64) * 100
        colours = [VERDICT_COLOURS.get(str(v), "#000000") for v in mine["verdict"]]
        has_ci = np.isfinite(low) & np.isfinite(high)
        ci_colours = [c for c, k in zip(colours, has_ci, strict=True) if k]
        ax.hlines(y[has_ci], low[has_ci], high[has_ci], colors=ci_colours, lw=1.6)
        ax.scatter(rel, y, c=colours, s=18, zorder=3)
        ax.axvline(0, color="#333333", lw=0.8)
        ax.set_yticks(y, [str(m) for m in mine["metric"]], fontsize=7)
        ax.set_xlabel("change on vs off (%), 95% CI", fontsize=8)
        ax.set_title(device, fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    return fig
