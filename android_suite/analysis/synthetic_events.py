"""Launch, frame, kill and energy tables for the synthetic run (see synthetic_parts.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from android_suite.analysis.synthetic_parts import levels

if TYPE_CHECKING:
    from android_suite.analysis.synthetic import SyntheticSpec

_PACKAGES = ("com.android.settings", "com.android.chrome", "com.google.android.youtube", "com.example.maps", "x.heavy")
_PACKAGE_FACTORS = np.array([0.6, 1.0, 1.3, 1.1, 1.8])
_FRAMES_PER_ITERATION = 240
_DEADLINE_MS = 1000.0 / 60.0  # a 60 Hz panel
_TIMEOUT_SHARE = 0.02
_WARMUP_LAUNCH_FACTOR = 1.25  # the first pass finds cold caches: one reason warm-ups are not compared
_VOLTS = 3.87


def _keys(its: pd.DataFrame, repeat: int) -> dict[str, np.ndarray]:
    return {
        "device": np.repeat(its["device"].astype(str).to_numpy(), repeat),
        "variant": np.repeat(its["variant"].astype(str).to_numpy(), repeat),
        "iteration": np.repeat(its["iteration"].to_numpy(dtype=np.int64), repeat),
    }


def _categorise(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    for col in columns:
        frame[col] = frame[col].astype("category")
    return frame


def launch_table(spec: SyntheticSpec, its: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One cold launch of each package per iteration; ~2% time out (total NaN, never 0)."""
    n_pkg = len(_PACKAGES)
    level = levels(spec, its, rng, "launch_ms", spec.effects.launch, spec.noise.launch / 3)
    level *= np.where(its["warmup"].to_numpy(dtype=bool), _WARMUP_LAUNCH_FACTOR, 1.0)
    sigma = spec.noise.launch
    total = level[:, None] * _PACKAGE_FACTORS[None, :] * rng.lognormal(-sigma * sigma / 2, sigma, (len(its), n_pkg))
    timeout = rng.random(total.shape) < _TIMEOUT_SHARE
    total = np.where(timeout, np.nan, total)
    frame = pd.DataFrame(
        {
            **_keys(its, n_pkg),
            "package": np.tile(np.array(_PACKAGES), len(its)),
            "launch_state": "COLD",
            "total_time_ms": total.ravel(),
            "wait_time_ms": (total + rng.uniform(5, 25, total.shape)).ravel(),
            "status": np.where(timeout.ravel(), "timeout", "ok"),
        }
    )
    return _categorise(frame, ("device", "variant", "package", "launch_state", "status"))


def frame_table(spec: SyntheticSpec, its: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Frames of one scrolling app per iteration; janky means past the 60 Hz deadline."""
    n = _FRAMES_PER_ITERATION
    level = levels(spec, its, rng, "frame_ms", spec.effects.frame, spec.noise.frame / 6)
    sigma = spec.noise.frame
    frame_ms = level[:, None] * rng.lognormal(-sigma * sigma / 2, sigma, (len(its), n))
    frame = pd.DataFrame(
        {
            **_keys(its, n),
            "package": "com.android.chrome",
            "frame_ms": frame_ms.ravel(),
            "janky": (frame_ms > _DEADLINE_MS).ravel(),
        }
    )
    return _categorise(frame, ("device", "variant", "package"))


def kill_table(spec: SyntheticSpec, its: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """lmkd kills: a Poisson count per iteration."""
    rate = levels(spec, its, rng, "kills", spec.effects.kills, 0.1)
    counts = rng.poisson(rate)
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(its)), counts)
    sub = its.iloc[rows]
    frame = pd.DataFrame(
        {
            **_keys(sub, 1),
            "t": rng.uniform(0, spec.duration_s, total),
            "process": rng.choice(np.array(["com.example.bg", "com.android.vending", "com.google.photos"]), total),
            "oom_score_adj": rng.choice(np.array([900, 800, 700, 250]), total).astype(np.int64),
            "rss_kb": rng.uniform(40_000, 400_000, total),
            "swap_kb": rng.uniform(10_000, 200_000, total),
            "reason": "low watermark is breached",
        }
    )
    return _categorise(frame, ("device", "variant", "process", "reason"))


def energy_table(spec: SyntheticSpec, its: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Battery energy per iteration, never charging."""
    joules = levels(spec, its, rng, "energy_j", spec.effects.energy, spec.noise.energy)
    frame = pd.DataFrame(
        {**_keys(its, 1), "joules": joules, "mah": joules / (_VOLTS * 3.6), "charging_s": np.zeros(len(its))}
    )
    return _categorise(frame, ("device", "variant"))
