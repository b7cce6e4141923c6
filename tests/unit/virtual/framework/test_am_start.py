"""am start -W: COLD, WARM and HOT launches, their cost, and the output format."""

from __future__ import annotations

import re

from tests.unit.virtual.framework.fakes import make, run

CHROME = "com.android.chrome/com.google.android.apps.chrome.Main"


def launch(fw: object, *extra: str) -> dict[str, str]:
    status, out, err = run(fw, "am", "start", "-W", *extra, "-n", CHROME)  # type: ignore[arg-type]
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Starting: Intent {{ cmp={CHROME} }}"
    assert lines[-1] == "Complete"
    return dict(line.split(": ", 1) for line in lines[1:-1] if ": " in line)


def test_cold_then_hot_then_warm() -> None:
    fw, memory, _ = make()
    cold = launch(fw)
    assert cold["Status"] == "ok"
    assert cold["LaunchState"] == "COLD"
    assert cold["Activity"] == CHROME  # the class is not inside the package: no short form
    assert int(cold["WaitTime"]) >= int(cold["TotalTime"]) > 300
    assert fw.foreground() == ("com.android.chrome", "com.google.android.apps.chrome.Main")

    assert run(fw, "input", "keyevent", "KEYCODE_HOME")[0] == 0
    assert fw.foreground()[0] == "com.miui.home"
    hot = launch(fw)
    assert hot["LaunchState"] == "HOT"
    assert int(hot["TotalTime"]) < int(cold["TotalTime"]) / 3

    run(fw, "input", "keyevent", "3")
    pid = fw.am.pid_of("com.android.chrome")
    assert pid is not None
    memory.resident[pid] = 0.1  # reclaim pushed most of it to zram
    memory.touch_stall_s = 0.25
    warm = launch(fw)
    assert warm["LaunchState"] == "WARM"
    # The refault stall reported by the backend is part of the launch time.
    assert int(warm["TotalTime"]) >= 250 + int(hot["TotalTime"])
    assert fw.am.pid_of("com.android.chrome") == pid  # same process


def test_stop_option_forces_a_cold_start() -> None:
    fw, _, _ = make()
    launch(fw)
    first = fw.am.pid_of("com.android.chrome")
    run(fw, "input", "keyevent", "HOME")
    again = launch(fw, "-S")
    assert again["LaunchState"] == "COLD"
    assert fw.am.pid_of("com.android.chrome") != first


def test_allocation_stall_and_reclaim_cpu_slow_a_cold_start() -> None:
    fw, memory, _ = make()
    base = int(launch(fw)["TotalTime"])
    run(fw, "am", "force-stop", "com.android.chrome")
    memory.alloc_stall_s = 0.4
    memory.busy = 0.5
    slow = int(launch(fw)["TotalTime"])
    assert slow > base + 400


def test_start_on_top_is_delivered_to_the_running_activity() -> None:
    fw, _, _ = make()
    launch(fw)
    status, out, _ = run(fw, "am", "start", "-W", "-n", CHROME)
    assert status == 0
    assert "Warning: Activity not started, intent has been delivered to currently running top-most instance." in out
    assert "LaunchState: UNKNOWN (0)" in out
    assert "TotalTime" not in out


def test_action_category_package_form_and_short_activity() -> None:
    fw, _, _ = make()
    status, out, _ = run(
        fw, "am", "start", "-W", "-a", "android.intent.action.MAIN", "-c", "android.intent.category.LAUNCHER",
        "com.google.android.apps.maps",
    )  # fmt: skip
    assert status == 0
    assert out.startswith(
        "Starting: Intent { act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] "
        "pkg=com.google.android.apps.maps }\n"
    )
    assert "Activity: com.google.android.apps.maps/com.google.android.maps.MapsActivity\n" in out
    status, out, _ = run(fw, "am", "start", "-W", "-n", "com.tencent.mm/.ui.LauncherUI")
    assert status == 0 and "Activity: com.tencent.mm/.ui.LauncherUI\n" in out


def test_unknown_activity_fails_like_am() -> None:
    fw, _, _ = make()
    status, out, err = run(fw, "am", "start", "-n", "com.foo/.Bar")
    assert status == 1
    assert out == "Starting: Intent { cmp=com.foo/.Bar }\n"
    assert err == "Error type 3\nError: Activity class {com.foo/.Bar} does not exist.\n"


def test_oom_adj_follows_the_stack() -> None:
    fw, memory, _ = make()
    launch(fw)
    run(fw, "am", "start", "-n", "com.tencent.mm/.ui.LauncherUI")
    run(fw, "am", "start", "-n", "com.sina.weibo/.SplashActivity")
    adj = {p.spec.name: p.oom_score_adj for p in memory.procs.values()}
    assert adj["com.sina.weibo"] == 0
    assert adj["com.tencent.mm"] == 700  # previous
    assert adj["com.miui.home"] == 600
    assert adj["com.android.chrome"] >= 900  # cached


def test_monkey_and_force_stop_and_kill() -> None:
    fw, _, _ = make()
    status, out, _ = run(fw, "monkey", "-p", "com.tencent.mm", "-c", "android.intent.category.LAUNCHER", "1")
    assert status == 0
    assert re.search(r"^Events injected: 1$", out, re.M)
    assert fw.foreground()[0] == "com.tencent.mm"
    assert run(fw, "monkey", "-p", "com.nope", "1")[0] == 252
    run(fw, "am", "kill", "com.tencent.mm")  # foreground: am kill leaves it alone
    assert fw.am.pid_of("com.tencent.mm") is not None
    run(fw, "am", "force-stop", "com.tencent.mm")
    assert fw.am.pid_of("com.tencent.mm") is None
    assert fw.foreground()[0] == "com.miui.home"


def test_pm_lists_and_paths() -> None:
    fw, _, _ = make()
    _, out, _ = run(fw, "pm", "list", "packages")
    names = re.findall(r"^package:([^\s]+)\r?$", out, re.M)  # adbutils list_packages
    assert len(names) == 12 and "com.android.settings" in names
    _, third, _ = run(fw, "pm", "list", "packages", "-3")
    assert "package:com.android.settings\n" not in third and "package:com.tencent.mm\n" in third
    _, full, _ = run(fw, "pm", "list", "packages", "-f", "mm")
    assert re.fullmatch(r"package:/data/app/~~[\w-]+==/com\.tencent\.mm-[\w-]+==/base\.apk=com\.tencent\.mm\n", full)
    status, path, _ = run(fw, "pm", "path", "com.tencent.mm")
    assert status == 0 and full.startswith(path.strip())
    assert run(fw, "pm", "path", "com.nope") == (1, "", "")
