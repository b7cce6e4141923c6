"""Synthetic nightly histories (HISTORY_COLUMNS) with injected level shifts, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# A plausible nightly summary per metric: (level, night-to-night coefficient of variation).
DEFAULT_METRICS: dict[str, tuple[float, float]] = {
    "pgsteal_anon_per_s": (450_000.0, 0.04),
    "allocstall_total_per_s": (30.0, 0.05),
    "launch_time_ms": (650.0, 0.03),
    "janky_frame_share": (0.03, 0.05),
}
_ITERATIONS_PER_NIGHT = 10  # the per-night interval is that of a mean over this many iterations


@dataclass(frozen=True)
class Shift:
    """Multiply ``metric`` on ``device`` by (1 + rel) from night ``night`` (0-based) on."""

    device: str
    metric: str
    night: int
    rel: float


def synthetic_history(
    nights: int = 90,
    devices: int | Sequence[str] = 4,
    metrics: dict[str, tuple[float, float]] | None = None,
    shifts: Sequence[Shift] = (),
    seed: int = 0,
    start: str = "2026-01-01",
) -> pd.DataFrame:
    """Gaussian nightly values around a per-device level, with ``shifts`` applied.

    Nights are dates (``datetime64``) from ``start``; devices are named
    ``dev00``, ``dev01``, ... when given as a count.
    """
    rng = np.random.default_rng(seed)
    names = [f"dev{i:02d}" for i in range(devices)] if isinstance(devices, int) else list(devices)
    table = metrics or DEFAULT_METRICS
    dates = pd.date_range(start, periods=nights, freq="D")
    frames: list[pd.DataFrame] = []
    for metric, (level, cv) in table.items():
        base = level * rng.uniform(0.8, 1.2, size=len(names))  # devices differ in level
        factor = np.ones((len(names), nights))
        for s in shifts:
            if s.metric == metric and s.device in names:
                factor[names.index(s.device), s.night :] *= 1.0 + s.rel
        mean = base[:, None] * factor
        value = mean * (1.0 + cv * rng.standard_normal(mean.shape))
        half = 1.96 * cv * mean / np.sqrt(_ITERATIONS_PER_NIGHT)
        frames.append(
            pd.DataFrame(
                {
                    "night": np.tile(dates.to_numpy(), len(names)),
                    "device": np.repeat(names, nights),
                    "metric": metric,
                    "value": value.ravel(),
                    "ci_low": (value - half).ravel(),
                    "ci_high": (value + half).ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
