"""The memory eater's options as a frozen, validated record (the CLI of memeater.c)."""

from __future__ import annotations

from dataclasses import dataclass

from android_suite.errors import ConfigError

DEFAULT_SIZE_PCT = 50.0


@dataclass(frozen=True)
class EaterConfig:
    """What the eater does; the ranges are the ones memeater.c accepts.

    Attributes:
        size_mb: target size in MiB; exclusive with ``size_pct``.
        size_pct: target as a percentage of MemTotal (default 50 when neither is set).
        rate_mbps: allocation rate in MiB/s; 0 allocates as fast as it can. Keep it
            near what kswapd sustains (a few hundred MiB/s on phones): far above, the
            allocator falls into direct reclaim, which kcompressd does not touch.
        compressibility: share of each page that is a repeating non-zero motif; the
            rest is PRNG output. ChromeOS tast uses 0.67 and 0.33 (33% and 67% random).
        touch_fraction: share of the allocated pages written once per ``touch_period_s``
            (one word per page), so reclaimed pages fault back and kswapd keeps working.
        touch_period_s: seconds for one pass over the working set.
        duration_s: stop by itself after this long; 0 runs until stopped.
        interval_s: seconds between progress lines.
        seed: PRNG seed (same seed, same page contents).
    """

    size_mb: float | None = None
    size_pct: float | None = None
    rate_mbps: float = 256.0
    compressibility: float = 0.67
    touch_fraction: float = 0.5
    touch_period_s: float = 1.0
    duration_s: float = 0.0
    interval_s: float = 1.0
    seed: int = 1

    def __post_init__(self) -> None:
        if self.size_mb is not None and self.size_pct is not None:
            raise ConfigError("memeater: give size_mb or size_pct, not both")
        checks = {
            "size_mb": (self.size_mb, 1.0, 2.0**20),
            "size_pct": (self.size_pct, 0.1, 100.0),
            "rate_mbps": (self.rate_mbps, 0.0, 2.0**20),
            "compressibility": (self.compressibility, 0.0, 1.0),
            "touch_fraction": (self.touch_fraction, 0.0, 1.0),
            "touch_period_s": (self.touch_period_s, 0.01, 3600.0),
            "duration_s": (self.duration_s, 0.0, 1e7),
            "interval_s": (self.interval_s, 0.01, 3600.0),
            "seed": (self.seed, 0, 1e15),
        }
        for name, (value, lo, hi) in checks.items():
            if value is not None and (isinstance(value, bool) or not lo <= value <= hi):
                raise ConfigError(f"memeater: {name}={value!r} is outside {lo:g}..{hi:g}")

    @property
    def effective_size_pct(self) -> float:
        return self.size_pct if self.size_pct is not None else DEFAULT_SIZE_PCT

    def argv(self) -> list[str]:
        """The options as memeater.c's command line."""
        size = (
            ["--size-mb", f"{self.size_mb:g}"]
            if self.size_mb is not None
            else ["--size-pct", f"{self.effective_size_pct:g}"]
        )
        return [
            *size,
            *("--rate-mbps", f"{self.rate_mbps:g}", "--compressibility", f"{self.compressibility:g}"),
            *("--touch-fraction", f"{self.touch_fraction:g}", "--touch-period", f"{self.touch_period_s:g}"),
            *("--duration", f"{self.duration_s:g}", "--interval", f"{self.interval_s:g}", "--seed", str(self.seed)),
        ]
