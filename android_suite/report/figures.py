"""The charts of one run's report, rendered to PNG (only compared iterations are drawn)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from android_suite.analysis.ab import RunAnalysis
from android_suite.analysis.metrics import kept_iterations, only_kept
from android_suite.report import charts
from android_suite.results.rundata import RunData


@dataclass(frozen=True)
class Chart:
    """One rendered chart: a title, a caption saying how to read it, the PNG bytes."""

    title: str
    caption: str
    png: bytes


def _headline(verdicts: pd.DataFrame) -> pd.DataFrame:
    from android_suite.report.html import is_headline_metric

    key = verdicts["metric"].astype(str).map(is_headline_metric)
    return verdicts[key] if key.any() else verdicts


def run_charts(run: RunData, analysis: RunAnalysis, dpi: int = 96) -> list[Chart]:
    """Verdicts, reclaim over time, launch latency and frame-time distributions."""
    kept, _ = kept_iterations(run)
    restrict = not run.iterations.empty
    arms = (analysis.baseline, analysis.treatment)
    out = [
        Chart(
            "Change per metric",
            "Headline metrics (those with a known good direction, and reclaim-thread CPU); treatment against "
            "baseline per device: dot = relative change of the mean (median for latency), "
            "bar = 95% bootstrap interval; green better, red worse, blue changed (no good direction), grey no "
            "significant change.",
            charts.figure_png(charts.verdict_chart(_headline(analysis.verdicts)), dpi),
        )
    ]
    samples = only_kept(run.samples, kept, restrict)
    if not samples.empty:
        fig = charts.reclaim_over_time(samples, arms)
        out.append(
            Chart(
                "Reclaim counters and PSI over an iteration",
                "Counters as per-second rates, PSI as sampled; line = median over iterations, band = quartiles.",
                charts.figure_png(fig, dpi),
            )
        )
    launches = only_kept(run.launches, kept, restrict)
    if not launches.empty:
        ok = launches[launches["status"].astype(str) == "ok"]
        fig = charts.distribution_ecdf(ok, "total_time_ms", arms, title="App launch latency", xlabel="TotalTime (ms)")
        out.append(
            Chart("Launch latency", "ECDF of TotalTime of every successful launch.", charts.figure_png(fig, dpi))
        )
    frames = only_kept(run.frames, kept, restrict)
    if not frames.empty:
        fig = charts.distribution_ecdf(frames, "frame_ms", arms, title="Frame time", xlabel="ms")
        out.append(Chart("Frame time", "ECDF of every frame's duration.", charts.figure_png(fig, dpi)))
    return out
