"""A self-contained HTML report of one run: no external files, scripts, fonts or URLs.

Charts are embedded as base64 PNG ``<img>`` data URIs, the style sheet is
inline, and every piece of text that came from a run (device names, reasons,
context) goes through :func:`html.escape`: a run's strings are data, and a
device name with ``<`` in it must not break, or script, the page.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html import escape

import pandas as pd

from android_suite.analysis.ab import RunAnalysis
from android_suite.analysis.directions import Direction, direction_of
from android_suite.report.figures import Chart
from android_suite.report.format import (
    excluded_summary,
    interval,
    number,
    p_value,
    percent,
    run_facts,
    virtual_banner,
)
from android_suite.results.rundata import RunData

_CSS = """
body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.key{white-space:nowrap}
.banner{background:#fff3cd;border:3px solid #d39e00;padding:12px 16px;font-weight:bold;font-size:1.1em}
.v-better{background:#d4edda}.v-worse{background:#f8d7da}.v-changed{background:#d6e9f8}
.c-yes{background:#d4edda}.c-no{background:#f8d7da}.c-inconclusive{background:#fff3cd}
figure{margin:1em 0}figcaption{font-size:.85em;color:#555}img{max-width:100%;height:auto}
"""


def _table(headers: Sequence[str] | None, rows: Iterable[Sequence[tuple[str, str]]]) -> str:
    """A table (no header row when ``headers`` is None); each cell is (text, css class), escaped here."""
    if headers is None:
        head = ""
    else:
        head = "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr></thead>"
    body = "".join(
        "<tr>" + "".join(f'<td class="{escape(cls)}">{escape(text)}</td>' for text, cls in row) + "</tr>"
        for row in rows
    )
    return f"<table>{head}<tbody>{body}</tbody></table>"


def verdict_table(verdicts: pd.DataFrame) -> str:
    headers = [
        "device",
        "metric",
        "A",
        "B",
        "change",
        "95% CI",
        "p (MWU)",
        "Cliff's d",
        "n A/B",
        "n for 10%",
        "verdict",
    ]
    rows = []
    for r in verdicts.to_dict("records"):
        verdict = str(r["verdict"])
        rows.append(
            [
                (str(r["device"]), "key"),
                (f"{r['metric']} ({r['centre']})", ""),
                (number(r["a"]), "num"),
                (number(r["b"]), "num"),
                (percent(float(r["rel_change"])), "num"),
                (interval(float(r["ci_low"]), float(r["ci_high"])), "num"),
                (p_value(float(r["p_value"])), "num"),
                (number(r["cliffs_delta"]), "num"),
                (f"{r['n_a']}/{r['n_b']}", "num"),
                (number(r["n_needed"]), "num"),
                (verdict, "v-" + verdict.split()[0]),
            ]
        )
    return _table(headers, rows)


def claims_table(claims: pd.DataFrame) -> str:
    headers = ["device", "metric", "claimed", "measured", "95% CI", "consistent?", "note", "source"]
    rows = [
        [
            (str(r["device"]), "key"),
            (str(r["metric"]), ""),
            (percent(float(r["claimed"])), "num"),
            (percent(float(r["measured"])), "num"),
            (interval(float(r["ci_low"]), float(r["ci_high"])), "num"),
            (str(r["consistent"]), f"c-{r['consistent']}"),
            (str(r["note"]), ""),
            (str(r["source"]), ""),
        ]
        for r in claims.to_dict("records")
    ]
    return _table(headers, rows)


def _devices(run: RunData) -> str:
    cols = [c for c in ("device", "model", "soc_vendor", "soc_model", "kind", "android_release", "kernel_version")]
    cols = [c for c in cols if c in run.devices]
    rows = [[(str(v), "") for v in row] for row in run.devices[cols].itertuples(index=False)]
    return _table(cols, rows)


def img_tag(png: bytes, alt: str) -> str:
    """An ``<img>`` holding the PNG itself (base64 data URI)."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def is_headline_metric(metric: str) -> bool:
    """A metric with a known good direction, or the CPU time of a reclaim thread."""
    name = metric.split(" ")[0]
    return direction_of(name) is not Direction.NEUTRAL or name.endswith("_cpu_s")


def render_html(run: RunData, analysis: RunAnalysis, charts: Sequence[Chart]) -> str:
    """The whole report as one HTML string."""
    title = f"kcompressd A/B report: run {run.run_id}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
    ]
    if run.virtual:
        banner = escape(virtual_banner(_kinds(run)))
        parts.append(f'<div class="banner" id="virtual-banner" role="alert">{banner}</div>')
    parts.append(f"<h1>{escape(title)}</h1>")
    parts.append("<h2>Run context</h2>" + _table(None, [[(k, "key"), (v, "")] for k, v in run_facts(run, analysis)]))
    parts.append(_devices(run))
    excluded = excluded_summary(analysis)
    if excluded:
        parts.append("<h3>Iterations excluded</h3>")
        parts.append(_table(["reason", "iterations"], [[(reason, ""), (str(n), "num")] for reason, n in excluded]))
    parts.append("<h2>Claim check</h2>" + claims_table(analysis.claims))
    # Headline metrics first (those with a known good direction: the claims,
    # latency, jank, kills, energy, PSI, reclaim CPU); hundreds of raw vmstat
    # counters would bury them, so the rest sit in a collapsed section.
    key = analysis.verdicts["metric"].astype(str).map(is_headline_metric)
    parts.append("<h2>Verdicts</h2>" + verdict_table(analysis.verdicts[key]))
    rest = analysis.verdicts[~key]
    if len(rest):
        parts.append(
            f"<details><summary>All other metrics ({len(rest)})</summary>{verdict_table(rest)}</details>"
        )
    parts.append("<h2>Charts</h2>")
    for chart in charts:
        parts.append(
            f"<figure><h3>{escape(chart.title)}</h3>{img_tag(chart.png, chart.title)}"
            f"<figcaption>{escape(chart.caption)}</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def _kinds(run: RunData) -> set[str]:
    return set(run.devices["kind"].astype(str)) if "kind" in run.devices else set()
