"""Write one run's report files: ``report.html`` (self-contained) and ``summary.md``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from android_suite.analysis.ab import RunAnalysis, analyse_run
from android_suite.analysis.stats import CompareOptions
from android_suite.report.figures import run_charts
from android_suite.report.html import render_html
from android_suite.report.markdown import render_markdown
from android_suite.results.rundata import RunData

HTML_NAME = "report.html"
MARKDOWN_NAME = "summary.md"


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote, and the analysis behind it."""

    html: Path
    markdown: Path
    summary: str
    analysis: RunAnalysis


def write_report(
    run: RunData, out_dir: str | Path, *, baseline: str | None = None, options: CompareOptions | None = None
) -> ReportFiles:
    """Analyse ``run`` and write the HTML report and the Markdown summary into ``out_dir``.

    Raises:
        ConfigError: the run is not an A/B run (see analysis.ab.analyse_run).
    """
    analysis = analyse_run(run, baseline=baseline, options=options)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html_path, md_path = out / HTML_NAME, out / MARKDOWN_NAME
    summary = render_markdown(run, analysis)
    html_path.write_text(render_html(run, analysis, run_charts(run, analysis)), encoding="utf-8")
    md_path.write_text(summary, encoding="utf-8")
    return ReportFiles(html_path, md_path, summary, analysis)
