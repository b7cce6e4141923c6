"""The nightly: trends per device and metric, change points, and whether the build fails.

:func:`write_nightly` takes a history frame (HISTORY_COLUMNS), finds change
points (analysis.regressions), writes one trend PNG per device and an
``index.html`` that lists regressions first, and returns the ongoing
regressions: the command exits 3 when there is any.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from android_suite.analysis.changepoint import ChangePointOptions
from android_suite.analysis.regressions import detect_changes
from android_suite.report.charts import figure_png
from android_suite.report.charts_nightly import trend_figure

INDEX_NAME = "index.html"
_CSS = """
body{font-family:system-ui,"DejaVu Sans",sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ccc;padding:3px 8px}th{background:#f3f3f3}
.bad{background:#f8d7da}.ok{background:#d4edda}img{max-width:100%;height:auto}
"""


@dataclass(frozen=True)
class NightlyResult:
    """What the nightly found and wrote.

    Attributes:
        changes: every change point (analysis.regressions.CHANGE_COLUMNS).
        failing: the ongoing regressions (what fails the build).
        index: path of index.html.
        charts: device -> PNG path.
    """

    changes: pd.DataFrame
    failing: pd.DataFrame
    index: Path
    charts: dict[str, Path]


def chart_name(device: str) -> str:
    """A file name for a device's chart: readable, filesystem-safe and unique per device."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", device)[:60]
    digest = hashlib.sha256(device.encode("utf-8")).hexdigest()[:8]
    return f"trend-{safe}-{digest}.png"


def _night(value: Any) -> str:
    return "?" if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def describe(row: dict[Any, Any]) -> str:
    """One line for a change: device, metric, first night, before -> after."""
    return (
        f"{row['device']} {row['metric']}: {row['kind']} from {_night(row['night'])} "
        f"({float(row['before']):.4g} -> {float(row['after']):.4g}, {float(row['rel_change']) * 100:+.1f}%, "
        f"p={float(row['p_value']):.2g})"
    )


def _changes_table(changes: pd.DataFrame) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("device", "metric", "kind", "first night", "before", "after", "change", "p", "ongoing")
    )
    body = []
    for r in changes.to_dict("records"):
        cls = "bad" if r["kind"] == "regression" and r["ongoing"] else ""
        cells = (
            str(r["device"]),
            str(r["metric"]),
            str(r["kind"]),
            _night(r["night"]),
            f"{float(r['before']):.4g}",
            f"{float(r['after']):.4g}",
            f"{float(r['rel_change']) * 100:+.1f}%",
            f"{float(r['p_value']):.2g}",
            "yes" if r["ongoing"] else "no",
        )
        body.append(f'<tr class="{cls}">' + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_index(history: pd.DataFrame, changes: pd.DataFrame, failing: pd.DataFrame, charts: dict[str, Path]) -> str:
    nights = pd.to_datetime(history["night"]) if not history.empty else pd.Series(dtype="datetime64[ns]")
    span = f"{_night(nights.min())} to {_night(nights.max())}" if not history.empty else "no nights"
    status = (
        f'<p class="bad"><b>{len(failing)} ongoing regression(s)</b></p>'
        if not failing.empty
        else '<p class="ok"><b>No ongoing regression</b></p>'
    )
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Nightly trends</title>',
        f"<style>{_CSS}</style></head><body><h1>Nightly trends</h1>",
        f"<p>{escape(span)}; {history['device'].nunique()} device(s), {history['metric'].nunique()} metric(s).</p>",
        status,
        "<h2>Change points</h2>",
        _changes_table(changes) if not changes.empty else "<p>None found.</p>",
        "<h2>Trends</h2>",
    ]
    for device, path in charts.items():
        parts.append(f'<h3>{escape(device)}</h3><img alt="{escape(device)}" src="{escape(path.name)}">')
    parts.append("</body></html>")
    return "\n".join(parts)


def write_nightly(
    history: pd.DataFrame, out_dir: str | Path, options: ChangePointOptions | None = None, *, dpi: int = 80
) -> NightlyResult:
    """Detect changes in ``history`` and write the trend charts and index.html into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    changes = detect_changes(history, options)
    failing = changes[(changes["kind"] == "regression") & changes["ongoing"].astype(bool)].reset_index(drop=True)
    charts: dict[str, Path] = {}
    for device in sorted(history["device"].astype(str).unique()):
        path = out / chart_name(device)
        path.write_bytes(figure_png(trend_figure(history, changes, device), dpi))
        charts[device] = path
    index = out / INDEX_NAME
    index.write_text(render_index(history, changes, failing, charts), encoding="utf-8")
    return NightlyResult(changes, failing, index, charts)
