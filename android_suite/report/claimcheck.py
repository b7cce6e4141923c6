"""The real-kernel claim-check report: Markdown and HTML from per-iteration values (``claim-check``).

Takes the long table the check produced (device, metric, variant, value,
unit) and runs it through the same analysis as every A/B report
(:func:`analysis.ab.compare_frame` then :func:`analysis.stats_claims.claim_check`),
so the intervals and verdicts mean exactly what they mean in a run's report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from android_suite.analysis.ab import compare_frame
from android_suite.analysis.stats_claims import claim_check
from android_suite.report.format import QEMU_BANNER, interval, percent
from android_suite.report.html import _CSS, claims_table, verdict_table


@dataclass(frozen=True)
class ClaimReport:
    markdown: Path
    html: Path
    values: Path
    claims: pd.DataFrame
    verdicts: pd.DataFrame


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(x: object) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    return ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)] + [
        "| " + " | ".join(cell(c) for c in row) + " |" for row in rows
    ]


def write_claim_report(
    values: pd.DataFrame,
    facts: Mapping[str, str],
    boots: Sequence[Mapping[str, object]],
    out: Path,
) -> ClaimReport:
    """Write ``claim_check.md``, ``claim_check.html`` and ``claim_check_values.csv`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    verdicts = compare_frame(values, "off", "on")
    claims = claim_check(verdicts)
    csv = out / "claim_check_values.csv"
    values.to_csv(csv, index=False)
    md = out / "claim_check.md"
    md.write_text(_markdown(claims, verdicts, facts, boots))
    html = out / "claim_check.html"
    html.write_text(_html(claims, verdicts, facts, boots))
    return ClaimReport(md, html, csv, claims, verdicts)


def _boot_rows(boots: Sequence[Mapping[str, object]]) -> list[list[object]]:
    rows = []
    for b in boots:
        found = b.get("trouble")
        trouble = found if isinstance(found, list) else []
        seconds = b.get("boot_s")
        rows.append([b.get("build"), b.get("release"), b.get("image", ""),
                     f"{seconds:.1f}" if isinstance(seconds, float) else "?",
                     b.get("oom_kills", 0), "; ".join(str(t) for t in trouble)[:300] or "none"])  # fmt: skip
    return rows


_BOOT_HEADERS = ["build", "kernel", "image (cache key)", "boot s", "OOM kills", "kernel warnings/lockups"]


def _markdown(claims: pd.DataFrame, verdicts: pd.DataFrame, facts: Mapping[str, str],
              boots: Sequence[Mapping[str, object]]) -> str:  # fmt: skip
    lines = ["# kcompressd claim check on a real kernel (QEMU)", "", f"> **NOTE** {QEMU_BANNER}", ""]
    lines += [*_md_table(["fact", "value"], [[k, v] for k, v in facts.items()]), ""]
    lines += ["## Claims", ""]
    lines += _md_table(
        ["comparison", "metric", "claimed", "measured", "95% CI", "consistent?", "note"],
        [[r["device"], r["metric"], percent(float(r["claimed"])), percent(float(r["measured"])),
          interval(float(r["ci_low"]), float(r["ci_high"])), r["consistent"], r["note"]]
         for r in claims.to_dict("records")],
    )  # fmt: skip
    lines += ["", "## All metrics (off = baseline, on = kcompressd)", ""]
    lines += _md_table(
        ["comparison", "metric", "unit", "off", "on", "change", "95% CI", "n off/on", "verdict"],
        [[r["device"], r["metric"], r["unit"], f"{r['a']:.4g}", f"{r['b']:.4g}", percent(float(r["rel_change"])),
          interval(float(r["ci_low"]), float(r["ci_high"])), f"{r['n_a']}/{r['n_b']}", r["verdict"]]
         for r in verdicts.to_dict("records")],
    )  # fmt: skip
    lines += ["", "## Guest boots", "", *_md_table(_BOOT_HEADERS, _boot_rows(boots))]
    return "\n".join(lines) + "\n"


def _html(claims: pd.DataFrame, verdicts: pd.DataFrame, facts: Mapping[str, str],
          boots: Sequence[Mapping[str, object]]) -> str:  # fmt: skip
    def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
        head = "".join(f"<th>{escape(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table><tr>{head}</tr>{body}</table>"

    return "".join([
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>kcompressd claim check (QEMU)</title><style>{_CSS}</style></head><body>",
        f'<div class="banner" id="virtual-banner" role="alert">{escape(QEMU_BANNER)}</div>',
        "<h1>kcompressd claim check on a real kernel (QEMU)</h1>",
        "<h2>Set-up</h2>", table(["fact", "value"], list(facts.items())),
        "<h2>Claims</h2>", claims_table(claims),
        "<h2>All metrics</h2>", verdict_table(verdicts),
        "<h2>Guest boots</h2>", table(_BOOT_HEADERS, _boot_rows(boots)),
        "</body></html>",
    ])  # fmt: skip
