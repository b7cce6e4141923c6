"""dumpsys gfxinfo: frames accumulate with interactions, stalls make jank, reset clears."""

from __future__ import annotations

import re

from tests.unit.virtual.framework.fakes import make, run

PKG = "com.tencent.mm"


def counter(out: str, name: str) -> int:
    match = re.search(rf"^{re.escape(name)}: (\d+)", out, re.M)
    assert match, f"no {name!r} in\n{out}"
    return int(match.group(1))


def test_not_running_package() -> None:
    fw, _, _ = make()
    assert run(fw, "dumpsys", "gfxinfo", PKG) == (0, f"No process found for: {PKG}\n", "")


def test_frames_accumulate_and_reset_clears() -> None:
    fw, _, _ = make()
    run(fw, "am", "start", "-n", f"{PKG}/.ui.LauncherUI")
    _, out, _ = run(fw, "dumpsys", "gfxinfo", PKG, "reset")
    assert f"** Graphics info for pid {fw.am.pid_of(PKG)} [{PKG}] **" in out
    assert counter(out, "Total frames rendered") > 0
    _, out, _ = run(fw, "dumpsys", "gfxinfo", PKG)
    assert counter(out, "Total frames rendered") == 0
    assert "Janky frames: 0 (0.00%)" in out
    for _ in range(3):
        run(fw, "input", "swipe", "540", "1800", "540", "400", "250")
    _, out, _ = run(fw, "dumpsys", "gfxinfo", PKG)
    total = counter(out, "Total frames rendered")
    assert total >= 3 * 15
    # The anchors.md line shapes: Janky frames (new) and (legacy), percentiles in ms, counters.
    assert re.search(r"^Janky frames: \d+ \(\d+\.\d\d%\)$", out, re.M)
    assert re.search(r"^Janky frames \(legacy\): \d+ \(\d+\.\d\d%\)$", out, re.M)
    p = [counter(out, f"{n}th percentile") for n in (50, 90, 95, 99)]
    assert p == sorted(p) and p[0] >= 5
    hist = dict(re.findall(r"(\d+)ms=(\d+)", re.search(r"^HISTOGRAM: (.*)$", out, re.M).group(1)))  # type: ignore[union-attr]
    assert sum(map(int, hist.values())) == total
    assert counter(out, "Number Frame deadline missed") <= counter(out, "Number Frame deadline missed (legacy)") + total


def test_reclaim_stalls_make_janky_frames() -> None:
    fw, memory, _ = make()
    run(fw, "am", "start", "-n", f"{PKG}/.ui.LauncherUI")
    run(fw, "input", "swipe", "540", "1800", "540", "400", "500")
    _, calm, _ = run(fw, "dumpsys", "gfxinfo", PKG, "reset")
    memory.touch_stall_s = 0.030  # every frame waits 30 ms on swap-in
    run(fw, "input", "swipe", "540", "1800", "540", "400", "500")
    _, stalled, _ = run(fw, "dumpsys", "gfxinfo", PKG)
    total = counter(stalled, "Total frames rendered")
    assert counter(stalled, "Janky frames") == total
    assert counter(stalled, "Janky frames (legacy)") == total
    assert counter(stalled, "50th percentile") >= 30
    assert counter(stalled, "Number Missed Vsync") > 0
    assert counter(calm, "Janky frames") < counter(calm, "Total frames rendered") / 4


def test_framestats_profiledata() -> None:
    fw, _, _ = make()
    run(fw, "am", "start", "-n", f"{PKG}/.ui.LauncherUI")
    run(fw, "input", "tap", "540", "1200")
    _, out, _ = run(fw, "dumpsys", "gfxinfo", PKG, "framestats")
    block = out.split("---PROFILEDATA---")
    assert len(block) == 3
    lines = block[1].strip().splitlines()
    header = lines[0].rstrip(",").split(",")
    assert header[:3] == ["Flags", "FrameTimelineVsyncId", "IntendedVsync"]
    assert "FrameCompleted" in header and header[-1] == "CommandSubmissionCompleted"
    rows = [dict(zip(header, map(int, line.rstrip(",").split(",")), strict=True)) for line in lines[1:]]
    assert rows and rows[0]["Flags"] == 1  # the first frame of the window
    for row in rows[1:]:
        assert row["Flags"] == 0
        assert row["IntendedVsync"] < row["FrameCompleted"] < row["DisplayPresentTime"]
        assert row["FrameDeadline"] > row["IntendedVsync"]
    assert any(r["InputEventId"] for r in rows)
