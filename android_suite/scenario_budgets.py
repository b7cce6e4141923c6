"""Budgets of the device scenarios: how much worse kcompressd "on" may make a metric than "off".

A budget reads "``launch_time_ms`` must not get worse by more than 10% at 90%
confidence". It is checked on the bootstrap interval of the relative change
(on against off, :func:`android_suite.analysis.stats.compare`):

* **fail** only when the whole interval lies beyond the limit in the bad
  direction (e.g. its low end is above +10% for a latency), so noise alone,
  which widens the interval, never fails a run;
* **pass** when the whole interval is within the limit;
* **inconclusive** otherwise: the interval straddles the limit, or there is
  no interval (fewer than 3 iterations per arm, or a zero baseline, which has
  no relative change). The tests report it as a warning, not a failure.

Budgets live in a TOML file (``tests/device/budgets.toml``)::

    [budgets.launch_time_ms]
    worse = "up"          # which way is bad: "up" or "down"
    max_change = 0.10     # the limit, as a fraction of the baseline
    confidence = 0.90     # interval level
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from android_suite.analysis.stats import CompareOptions, compare
from android_suite.errors import ConfigError

PASS, FAIL, INCONCLUSIVE = "pass", "fail", "inconclusive"


@dataclass(frozen=True)
class Budget:
    metric: str
    worse: str  # "up" | "down"
    max_change: float
    confidence: float = 0.90
    note: str = ""


@dataclass(frozen=True)
class BudgetCheck:
    """One metric's on-vs-off change and what its budget makes of it."""

    budget: Budget
    outcome: str  # PASS | FAIL | INCONCLUSIVE
    off: float
    on: float
    rel_change: float
    ci_low: float
    ci_high: float
    n_off: int
    n_on: int
    why: str

    def as_dict(self) -> dict[str, Any]:
        b = self.budget
        return {
            "metric": b.metric,
            "outcome": self.outcome,
            "off": self.off,
            "on": self.on,
            "rel_change": self.rel_change,
            "ci": [self.ci_low, self.ci_high],
            "confidence": b.confidence,
            "limit": f"{'+' if b.worse == 'up' else '-'}{b.max_change:.0%}",
            "n": [self.n_off, self.n_on],
            "why": self.why,
        }


def _budget(metric: str, raw: Any, source: str) -> Budget:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: budgets.{metric} must be a table")
    worse, limit, conf = raw.get("worse"), raw.get("max_change"), raw.get("confidence", 0.90)
    if worse not in ("up", "down"):
        raise ConfigError(f"{source}: budgets.{metric}.worse must be 'up' or 'down', got {worse!r}")
    if not isinstance(limit, int | float) or limit < 0:
        raise ConfigError(f"{source}: budgets.{metric}.max_change must be a fraction >= 0, got {limit!r}")
    if not isinstance(conf, int | float) or not 0.5 <= conf < 1:
        raise ConfigError(f"{source}: budgets.{metric}.confidence must be within 0.5..1, got {conf!r}")
    return Budget(metric, worse, float(limit), float(conf), str(raw.get("note", "")))


def load_budgets(path: Path | str) -> dict[str, Budget]:
    """Read a budgets file; raises ConfigError naming the file on a bad entry."""
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{source}: {exc}") from None
    table = data.get("budgets")
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: no [budgets] table")
    return {m: _budget(m, raw, source) for m, raw in table.items()}


def judge(budget: Budget, low: float, high: float) -> tuple[str, str]:
    """PASS/FAIL/INCONCLUSIVE for a relative-change interval [low, high] (pure; see the module docstring)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return INCONCLUSIVE, "no interval (too few iterations, or a zero baseline)"
    # Turn "bad" into "up" so one comparison serves both directions.
    lo, hi = (low, high) if budget.worse == "up" else (-high, -low)
    if lo > budget.max_change:
        return FAIL, "the whole interval is beyond the budget"
    if hi <= budget.max_change:
        return PASS, "the whole interval is within the budget"
    return INCONCLUSIVE, "the interval straddles the budget: more iterations needed"


def check(
    budget: Budget, values: pd.DataFrame, *, baseline: str = "off", treatment: str = "on", seed: int = 0
) -> BudgetCheck:
    """Check ``budget`` on one device's per-iteration ``values`` (columns variant, metric, value)."""
    rows = values[values["metric"].astype(str) == budget.metric]
    variant = rows["variant"].astype(str)
    a = rows.loc[variant == baseline, "value"].to_numpy(dtype=np.float64)
    b = rows.loc[variant == treatment, "value"].to_numpy(dtype=np.float64)
    c = compare(budget.metric, a, b, CompareOptions(confidence=budget.confidence, seed=seed))
    outcome, why = judge(budget, c.ci_low, c.ci_high)
    return BudgetCheck(budget, outcome, c.a, c.b, c.rel_change, c.ci_low, c.ci_high, c.n_a, c.n_b, why)
