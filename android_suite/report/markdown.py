"""A Markdown summary of one run, for CI logs and pull-request comments."""

from __future__ import annotations

from typing import Any

import pandas as pd

from android_suite.analysis.ab import RunAnalysis
from android_suite.report.format import (
    excluded_summary,
    interval,
    p_value,
    percent,
    run_facts,
    virtual_banner,
)
from android_suite.results.rundata import RunData


def _cell(text: object) -> str:
    """Table-safe text: a pipe or newline in a device name must not split the row."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _ci(row: dict[Any, Any]) -> str:
    return interval(float(row["ci_low"]), float(row["ci_high"]))


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _verdict_counts(verdicts: pd.DataFrame) -> str:
    counts = verdicts["verdict"].value_counts()
    return ", ".join(f"{int(n)} {v}" for v, n in counts.items()) or "no comparisons"


def render_markdown(run: RunData, analysis: RunAnalysis) -> str:
    """Claim check, verdicts that are not "no significant change", and the run facts."""
    lines = [f"# kcompressd A/B: run {_cell(run.run_id)}", ""]
    if run.virtual:
        lines += [f"> **WARNING** {virtual_banner(_kinds(run))}", ""]
    lines += [f"Verdicts: {_verdict_counts(analysis.verdicts)}.", ""]
    lines += ["## Claim check", ""]
    lines += _table(
        ["device", "metric", "claimed", "measured", "95% CI", "consistent?"],
        [
            [r["device"], r["metric"], percent(r["claimed"]), percent(r["measured"]), _ci(r), r["consistent"]]
            for r in analysis.claims.to_dict("records")
        ],
    )
    notable = analysis.verdicts[~analysis.verdicts["verdict"].isin(["no significant change", "insufficient data"])]
    lines += ["", f"## Significant changes ({len(notable)} of {len(analysis.verdicts)})", ""]
    lines += _table(
        ["device", "metric", "change", "95% CI", "p", "verdict"],
        [
            [r["device"], r["metric"], percent(r["rel_change"]), _ci(r), p_value(r["p_value"]), r["verdict"]]
            for r in notable.to_dict("records")
        ],
    )
    lines += ["", "## Run", ""]
    lines += [f"- {label}: {_cell(value)}" for label, value in run_facts(run, analysis)]
    for reason, n in excluded_summary(analysis):
        lines.append(f"- excluded: {n} x {_cell(reason)}")
    return "\n".join(lines) + "\n"


def _kinds(run: RunData) -> set[str]:
    return set(run.devices["kind"].astype(str)) if "kind" in run.devices else set()
