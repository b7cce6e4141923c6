"""The A/B runner on a virtual handset, end to end into the results store."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from android_suite.analysis.stats import CompareOptions
from android_suite.report.write import write_report
from android_suite.results.store import ResultStore
from android_suite.session import HandsetSession
from android_suite.virtual.profile import load_profile
from android_suite.workloads.abrun import run_ab
from android_suite.workloads.plan import AppStep, RunPlan
from tests.integration.test_report_chromium import embedded_images

pytestmark = pytest.mark.virtual_only


def test_interleaved_run_is_recorded(handset_session: HandsetSession, tmp_path: Path) -> None:
    other = {p.name for p in load_profile("generic_arm").packages}
    apps = tuple(
        AppStep(p.name, p.activity)
        for p in load_profile("mediatek").packages
        if p.activity and p.category in ("browser", "maps", "video", "social") and p.name in other
    )
    db = tmp_path / "run.db"
    lines: list[str] = []
    run_id, results = run_ab(
        handset_session,
        str(db),
        plan_for=lambda d: RunPlan(apps=apps, iterations=2, warmup=1, dwell_s=0.3, swipes=1, period_s=0.1),
        pressure_for=lambda d: None,
        progress=lines.append,
    )
    by_name = {r.name.split("-")[0]: r for r in results}
    # mediatek toggles vm.kcompressd; generic_arm has no kcompressd and no image to flash here.
    assert len(by_name["mediatek"].outcomes) == 6
    assert all(o.valid for o in by_name["mediatek"].outcomes), [o.reason for o in by_name["mediatek"].outcomes]
    assert "kcompressd=on unavailable" in by_name["generic_arm"].skipped
    with ResultStore.open(str(db)) as store:
        run = store.load_run(run_id)
    assert run.status == "complete" and run.virtual
    # generic_arm ran its first (off) warm-up before "on" proved unavailable: kept, as recorded.
    its = run.iterations[run.iterations["device"].astype(str) == by_name["mediatek"].serial]
    assert set(its["variant"].astype(str)) == {"on", "off"}
    assert int(its["warmup"].astype(bool).sum()) == 2
    assert set(its["mechanism"].astype(str)) == {"sysctl"}
    assert len(run.launches) == 7 * len(apps)
    assert run.launches["launch_state"].notna().all()
    assert len(run.frames) > 0
    assert {"pgsteal_anon", "allocstall_total", "some_avg10"} <= set(run.samples["metric"].astype(str))
    assert any("kcompressd on" in line for line in lines)

    # The report of this real virtual-handset run: every chart decodes and is not blank.
    files = write_report(run, tmp_path / "report", options=CompareOptions(n_boot=1_000))
    html = files.html.read_text(encoding="utf-8")
    assert 'id="virtual-banner"' in html
    images = embedded_images(html)
    assert len(images) >= 3
    for png in images:
        with Image.open(io.BytesIO(png)) as im:
            assert np.asarray(im.convert("RGB"), dtype=np.float64).var() > 0
