"""Nightly trend charts: one figure per device, one panel per metric, with uncertainty bands."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

_KIND_COLOURS = {"regression": "#d62728", "improvement": "#2ca02c", "change": "#1f77b4"}


def trend_figure(
    history: pd.DataFrame, changes: pd.DataFrame, device: str, metrics: Sequence[str] | None = None
) -> Figure:
    """One device's metrics over the nights: value, its interval as a band, change points as lines.

    A regression's nights from its first bad night on are shaded red. Rows
    of ``history`` and ``changes`` for other devices are ignored.
    """
    mine = history[history["device"].astype(str) == device]
    names = list(metrics) if metrics is not None else sorted(mine["metric"].astype(str).unique())
    cols = 2 if len(names) > 1 else 1
    rows = max(1, -(-len(names) // cols))
    fig = Figure(figsize=(6.0 * cols, 2.6 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    fig.suptitle(device, fontsize=11)
    cps = changes[changes["device"].astype(str) == device] if not changes.empty else changes
    for ax, metric in zip(axes, names, strict=False):
        series = mine[mine["metric"].astype(str) == metric].sort_values("night")
        x = pd.to_datetime(series["night"]).to_numpy()
        ax.fill_between(
            x,
            series["ci_low"].to_numpy(np.float64),
            series["ci_high"].to_numpy(np.float64),
            color="#4c72b0",
            alpha=0.2,
            lw=0,
        )
        ax.plot(x, series["value"].to_numpy(np.float64), color="#4c72b0", lw=1.0, marker=".", ms=2.5)
        for cp in cps[cps["metric"].astype(str) == metric].to_dict("records") if not cps.empty else []:
            night = pd.Timestamp(cp["night"]).to_datetime64()
            colour = _KIND_COLOURS.get(str(cp["kind"]), "#555555")
            ax.axvline(night, color=colour, lw=1.2, ls="--")
            if cp["kind"] == "regression" and x.size:
                ax.axvspan(night, x[-1], color=colour, alpha=0.08, lw=0)
        ax.set_title(metric, fontsize=9)
        locator = AutoDateLocator()  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    return fig
