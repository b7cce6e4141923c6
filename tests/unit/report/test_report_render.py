"""Report rendering: escaping, the virtual banner, embedded charts, Markdown, no pyplot state."""

from __future__ import annotations

import base64
import dataclasses
import re
from pathlib import Path

import pandas as pd
from matplotlib import _pylab_helpers
from matplotlib.figure import Figure

from android_suite.analysis.ab import analyse_run
from android_suite.analysis.stats import CompareOptions
from android_suite.analysis.synthetic import synthetic_run
from android_suite.report import charts
from android_suite.report.markdown import render_markdown
from android_suite.report.write import write_report
from android_suite.results.rundata import RunData

FAST = CompareOptions(n_boot=500)
HOSTILE = '<script>alert("x")</script>|dev'


def renamed(run: RunData, old: str, new: str) -> RunData:
    """The run with one device renamed in every frame."""

    def fix(frame: pd.DataFrame) -> pd.DataFrame:
        if "device" not in frame:
            return frame
        out = frame.copy()
        out["device"] = out["device"].astype(str).replace({old: new})
        return out

    names = ("devices", "iterations", "samples", "launches", "frames", "kills", "energy")
    return dataclasses.replace(run, **{n: fix(getattr(run, n)) for n in names})


def test_html_is_self_contained_escaped_and_bannered(tmp_path: Path) -> None:
    run = renamed(synthetic_run(seed=1, iterations=5), "virt-mediatek-0", HOSTILE)
    files = write_report(run, tmp_path, options=FAST)
    html = files.html.read_text(encoding="utf-8")
    assert "<script" not in html  # the device name is escaped, and the page has no scripts of its own
    assert "&lt;script&gt;" in html
    assert 'id="virtual-banner"' in html and "modelled kernel" in html
    assert not re.search(r'(src|href)="(?!data:)', html)  # nothing external
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 4
    for data in images:
        assert base64.b64decode(data).startswith(b"\x89PNG")
    assert "comp_algorithm" in html and "lz4" in html and "sysctl" in html
    assert "warm-up" in html and "rebooted" in html


def test_physical_run_has_no_banner(tmp_path: Path) -> None:
    files = write_report(synthetic_run(seed=2, iterations=4, virtual=False), tmp_path, options=FAST)
    assert "virtual-banner" not in files.html.read_text(encoding="utf-8")
    assert "WARNING" not in files.summary


def test_markdown_tables_survive_pipes() -> None:
    run = renamed(synthetic_run(seed=3, iterations=4), "virt-mediatek-0", HOSTILE)
    md = render_markdown(run, analyse_run(run, options=FAST))
    assert "**WARNING**" in md and "## Claim check" in md
    row = next(line for line in md.splitlines() if "alert" in line and "pgsteal_anon_per_s" in line)
    assert r"\|dev" in row
    assert row.count(" | ") == 5  # six cells: the pipe in the name did not add one


def test_charts_return_figures_without_pyplot_state() -> None:
    run = synthetic_run(seed=4, iterations=4)
    before = _pylab_helpers.Gcf.get_num_fig_managers()
    analysis = analyse_run(run, options=FAST)
    figs = [
        charts.verdict_chart(analysis.verdicts),
        charts.reclaim_over_time(run.samples[run.samples["iteration"] < 3], ("off", "on")),
        charts.distribution_ecdf(run.frames, "frame_ms", ("off", "on"), title="t", xlabel="ms"),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        assert charts.figure_png(fig, dpi=40).startswith(b"\x89PNG")
    assert _pylab_helpers.Gcf.get_num_fig_managers() == before


def test_time_profile_quartiles() -> None:
    run = synthetic_run(seed=5, iterations=3, warmup=0, invalid=0)
    profile = charts.time_profile(run.samples, ("pgsteal_anon", "some_avg10"))
    assert set(profile["metric"]) == {"pgsteal_anon_per_s", "some_avg10"}
    assert (profile["q25"] <= profile["q50"]).all() and (profile["q50"] <= profile["q75"]).all()
    assert profile["t"].between(0, 61).all()


def test_empty_inputs_still_draw() -> None:
    empty = pd.DataFrame(columns=["device", "variant", "frame_ms"])
    assert charts.figure_png(charts.distribution_ecdf(empty, "frame_ms", ("a", "b"), title="t", xlabel="x"), 30)
    verdicts = pd.DataFrame(columns=["device", "metric", "rel_change", "ci_low", "ci_high", "verdict"])
    assert charts.figure_png(charts.verdict_chart(verdicts), 30)
