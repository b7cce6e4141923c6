"""A synthetic virtual run's report, rendered by headless Chromium; its images checked in Python.

Chromium comes from Debian (``./suite`` installs it); without the binary the
browser part is skipped with the reason, the image checks still run.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from android_suite.analysis.stats import CompareOptions
from android_suite.analysis.synthetic import synthetic_run
from android_suite.report.write import ReportFiles, write_report

CHROMIUM_TIMEOUT_S = 120.0


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    out = tmp_path_factory.mktemp("report")
    return write_report(synthetic_run(seed=11), out, options=CompareOptions(n_boot=2_000))


def embedded_images(html: str) -> list[bytes]:
    return [base64.b64decode(d) for d in re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', html)]


def test_every_embedded_image_decodes_and_is_not_blank(report: ReportFiles) -> None:
    images = embedded_images(report.html.read_text(encoding="utf-8"))
    assert len(images) == 4
    for png in images:
        with Image.open(io.BytesIO(png)) as im:
            pixels = np.asarray(im.convert("RGB"), dtype=np.float64)
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100
        assert pixels.var() > 0


def test_virtual_banner_and_tables(report: ReportFiles) -> None:
    html = report.html.read_text(encoding="utf-8")
    assert 'id="virtual-banner"' in html and "modelled kernel (a test double)" in html
    assert html.index("virtual-banner") < html.index("<h1>")  # before anything else
    assert "Claim check" in html and "Verdicts" in html
    assert report.markdown.read_text(encoding="utf-8") == report.summary


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_chromium_renders_the_report(report: ReportFiles, tmp_path: Path) -> None:
    binary = chromium()
    if binary is None:
        pytest.skip("chromium is not installed (Debian package 'chromium'; ./suite installs it)")
    shot = tmp_path / "report.png"
    argv = [
        binary,
        "--headless",
        "--no-sandbox",  # we run as root in CI containers, where the sandbox cannot start
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,4000",
        report.html.resolve().as_uri(),
    ]
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S, env=env, check=False)
    assert proc.returncode == 0, f"chromium exited {proc.returncode}: {proc.stderr[-2000:]}"
    assert shot.exists(), f"no screenshot; chromium said: {proc.stderr[-2000:]}"
    with Image.open(shot) as im:
        assert im.size == (1280, 4000)
        pixels = np.asarray(im.convert("RGB"), dtype=np.float64)
    assert pixels.var() > 0
    # The banner's amber background is drawn near the top of the page.
    top = pixels[:150].reshape(-1, 3)
    amber = (np.abs(top - np.array([255, 243, 205])).sum(axis=1) < 12).mean()
    assert amber > 0.05
    # Charts were painted: a good share of the lower page is neither white nor near-white.
    lower = pixels[1500:].reshape(-1, 3)
    assert (lower.min(axis=1) < 200).mean() > 0.01
