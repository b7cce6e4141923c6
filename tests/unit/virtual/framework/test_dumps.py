"""dumpsys window/activity/display in the shapes adbutils' regexes read (adbutils 2.12 shell.py)."""

from __future__ import annotations

import re

from tests.unit.virtual.framework.fakes import make, run

# Copied from adbutils: app_current(), rotation() and _DISPLAY_RE.
FOCUSED = re.compile(r"mCurrentFocus=Window{.*\s+(?P<package>[^\s]+)/(?P<activity>[^\s]+)\}")
RESUMED = re.compile(r"mResumedActivity: ActivityRecord\{.*?\s+(?P<package>[^\s]+)/(?P<activity>[^\s]+)\s.*?\}")
TOP = re.compile(r"ACTIVITY (?P<package>[^\s]+)/(?P<activity>[^/\s]+) \w+ pid=(?P<pid>\d+)")
DISPLAY = re.compile(
    r".*DisplayViewport{.*?valid=true, .*?orientation=(?P<orientation>\d+), .*?deviceWidth=(?P<width>\d+), "
    r"deviceHeight=(?P<height>\d+).*"
)


def test_focus_follows_launches_and_home() -> None:
    fw, _, _ = make()
    _, out, _ = run(fw, "dumpsys", "window", "windows")
    m = FOCUSED.search(out)
    assert m and (m["package"], m["activity"]) == ("com.miui.home", "com.miui.home.launcher.Launcher")
    run(fw, "am", "start", "-n", "com.tencent.mm/.ui.LauncherUI")
    _, out, _ = run(fw, "dumpsys", "window", "windows")
    m = FOCUSED.search(out)
    assert m and (m["package"], m["activity"]) == ("com.tencent.mm", "com.tencent.mm.ui.LauncherUI")
    assert re.search(r"mFocusedApp=ActivityRecord\{\w+ u0 com\.tencent\.mm/\.ui\.LauncherUI t\d+\}", out)
    _, out, _ = run(fw, "dumpsys", "activity", "activities")
    m = RESUMED.search(out)
    assert m and m["package"] == "com.tencent.mm"
    assert "topResumedActivity=ActivityRecord{" in out
    _, out, _ = run(fw, "dumpsys", "activity", "top")
    m = TOP.search(out)
    assert m and m["package"] == "com.tencent.mm" and int(m["pid"]) == fw.am.pid_of("com.tencent.mm")
    run(fw, "input", "keyevent", "BACK")
    _, out, _ = run(fw, "dumpsys", "window")
    m = FOCUSED.search(out)
    assert m and m["package"] == "com.miui.home"


def test_display_orientation_and_size() -> None:
    fw, _, _ = make("generic_arm")
    _, out, _ = run(fw, "dumpsys", "display")
    first = next(line for line in out.splitlines() if re.search(r".*?orientation=(?P<orientation>\d+)", line))
    m = DISPLAY.match(first)
    assert m and (m["orientation"], m["width"], m["height"]) == ("0", "1080", "2400")


def test_home_screen_tap_launches_the_app_under_the_finger() -> None:
    fw, _, _ = make()
    icon = next(n for n in fw.ui_tree() if n.text == "WeChat")
    assert icon.resource_id == "com.miui.home:id/icon" and icon.clickable
    x, y = icon.center
    run(fw, "input", "tap", str(x), str(y))
    assert fw.foreground() == ("com.tencent.mm", "com.tencent.mm.ui.LauncherUI")
    feed = fw.ui_tree()
    assert feed[0].package == "com.tencent.mm" and any(n.scrollable for n in feed)
    assert fw.screen_size() == (1080, 2400)
