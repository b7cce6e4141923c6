"""Check the kcompressd authors' headline claims against a run's measured changes.

Claims (shared/docs/kcompressd.md, "Headline claims"):

* ``pgsteal_anon``/s +260% (RFC cover letter: ~300k/s to over 800k/s, CPU
  and DRAM clocks fixed, a memory-eater workload);
* allocation stalls -50% (Barry Song on phones running the RFC with one
  thread; repeated in the v1 commit message).

A claim is a point value of the relative change; per device:

* ``yes``: the bootstrap interval of the measured change contains the claim
  and excludes 0 (a real change, of a size consistent with the claim);
* ``no``: the interval excludes the claim (the note says whether the
  measured change is smaller or larger);
* ``inconclusive``: too few iterations, or the interval contains both the
  claim and 0 (the run cannot tell the claim from no change).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Claim:
    metric: str
    claimed: float  # relative change, 2.6 = +260%
    source: str


CLAIMS: tuple[Claim, ...] = (
    Claim("pgsteal_anon_per_s", 2.60, "RFC cover letter (Qun-Wei Lin, Mar 2025): ~300k/s -> >800k/s"),
    Claim("allocstall_total_per_s", -0.50, "Barry Song, Mar 2025 thread; v1 commit message"),
)

CLAIM_COLUMNS = ["device", "metric", "claimed", "measured", "ci_low", "ci_high", "consistent", "note", "source"]


def judge_claim(claimed: float, measured: float, low: float, high: float) -> tuple[str, str]:
    """``(consistent, note)`` for one claim against one measured change and its interval."""
    if not (math.isfinite(low) and math.isfinite(high) and math.isfinite(measured)):
        return "inconclusive", "no interval (too few valid iterations or a zero baseline)"
    contains_claim = low <= claimed <= high
    contains_zero = low <= 0.0 <= high
    if contains_claim and contains_zero:
        return "inconclusive", "interval holds both the claim and no change: more iterations needed"
    if contains_claim:
        return "yes", "claim inside the interval"
    if (measured > 0) != (claimed > 0) and measured != 0.0:
        return "no", "measured change goes the other way"
    smaller = high < claimed if claimed > 0 else low > claimed  # short of the claim, in its direction
    return "no", "measured change smaller than claimed" if smaller else "measured change larger than claimed"


def claim_check(verdicts: pd.DataFrame, claims: tuple[Claim, ...] = CLAIMS) -> pd.DataFrame:
    """One row per device and claim, from a verdict table (analysis.ab.compare_frame).

    A device without the claim's metric gets a row with NaNs and "inconclusive".
    """
    rows: list[dict[str, object]] = []
    devices = sorted(set(verdicts["device"].astype(str))) if not verdicts.empty else []
    for device in devices:
        mine = verdicts[verdicts["device"].astype(str) == device]
        for claim in claims:
            hit = mine[mine["metric"] == claim.metric]
            if hit.empty:
                m = lo = hi = float("nan")
                consistent, note = "inconclusive", f"{claim.metric} not measured"
            else:
                row = hit.iloc[0]
                m, lo, hi = float(row["rel_change"]), float(row["ci_low"]), float(row["ci_high"])
                consistent, note = judge_claim(claim.claimed, m, lo, hi)
            values = (device, claim.metric, claim.claimed, m, lo, hi, consistent, note, claim.source)
            rows.append(dict(zip(CLAIM_COLUMNS, values, strict=True)))
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)
