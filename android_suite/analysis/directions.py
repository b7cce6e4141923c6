"""Which way is better for each metric, and which statistic compares it.

ChromeOS tast writes a "better direction" next to every metric in its
results chart; a verdict needs the same, or a rise in allocation stalls
would read as an improvement. Metrics not listed are "neutral": a
significant difference is reported as "changed", never as better or worse.
"""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    """The good direction of a metric."""

    UP = "up"  # more is better (reclaim throughput)
    DOWN = "down"  # less is better (stalls, latency, jank, kills, energy, pressure)
    NEUTRAL = "neutral"  # no judgement: report a change, not a verdict


class Centre(StrEnum):
    """The statistic whose relative change is reported."""

    MEAN = "mean"
    MEDIAN = "median"  # latency: a few slow launches must not dominate


# Per-iteration metric names produced by android_suite.analysis.metrics.
METRIC_DIRECTIONS: dict[str, Direction] = {
    # The RFC's headline: reclaim of anonymous pages per second goes up.
    "pgsteal_anon_per_s": Direction.UP,
    "pgsteal_kswapd_per_s": Direction.UP,
    # Direct reclaim is what an app thread waits in.
    "allocstall_total_per_s": Direction.DOWN,
    "pgsteal_direct_per_s": Direction.DOWN,
    "pgscan_direct_per_s": Direction.DOWN,
    "pgmajfault_per_s": Direction.DOWN,
    "workingset_refault_anon_per_s": Direction.DOWN,
    "workingset_refault_file_per_s": Direction.DOWN,
    "launch_time_ms": Direction.DOWN,
    "frame_time_ms": Direction.DOWN,
    "frame_time_p90_ms": Direction.DOWN,
    "janky_frame_share": Direction.DOWN,
    "lmk_kills": Direction.DOWN,
    "energy_j": Direction.DOWN,
    "psi_memory_some_avg10": Direction.DOWN,
    "psi_memory_full_avg10": Direction.DOWN,
    "some_avg10": Direction.DOWN,
    "full_avg10": Direction.DOWN,
    "some_total_per_s": Direction.DOWN,
    "full_total_per_s": Direction.DOWN,
    # The suite's test app (workloads/frame_log.py): its resume touch is the swap-in a switch pays.
    "testapp_touch_ms": Direction.DOWN,
    "testapp_fill_ms": Direction.DOWN,
    "testapp_janky_frame_share": Direction.DOWN,
    "testapp_frame_time_p90_ms": Direction.DOWN,
}

# Pressure Stall Information under any prefix (memory_some_avg10, psi_full_avg60, ...):
# time stalled is always worse.
_PSI_MARKERS = ("some_avg", "full_avg", "some_total", "full_total")

_MEDIAN_METRICS = frozenset({"launch_time_ms", "frame_time_ms", "frame_time_p90_ms"})


def direction_of(metric: str) -> Direction:
    """The good direction of ``metric`` (NEUTRAL when unknown)."""
    known = METRIC_DIRECTIONS.get(metric)
    if known is not None:
        return known
    if any(marker in metric for marker in _PSI_MARKERS):
        return Direction.DOWN
    return Direction.NEUTRAL


def centre_of(metric: str) -> Centre:
    """Median for latency-like metrics (heavy right tails), mean otherwise."""
    if metric in _MEDIAN_METRICS or metric.endswith(("_latency_ms", "_time_ms")):
        return Centre.MEDIAN
    return Centre.MEAN
