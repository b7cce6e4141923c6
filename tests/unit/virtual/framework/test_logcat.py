"""logcat: lmkd kill lines in Android 14's format, ActivityManager lines, filters, -c."""

from __future__ import annotations

import re

from tests.unit.virtual.framework.fakes import make, run

THREADTIME = re.compile(r"^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} +(\d+) +(\d+) ([VDIWEF]) (.+?): (.*)$")
LMKD = re.compile(
    r"^Kill '(?P<name>[^']+)' \((?P<pid>\d+)\), uid (?P<uid>\d+), oom_score_adj (?P<adj>-?\d+) "
    r"to free (?P<rss>\d+)kB rss, (?P<swap>\d+)kB swap; reason: (?P<reason>.+)$"
)


def test_kill_lines_and_process_death() -> None:
    fw, memory, clock = make()
    run(fw, "am", "start", "-n", "com.tencent.mm/.ui.LauncherUI")
    run(fw, "am", "start", "-n", "com.sina.weibo/.SplashActivity")
    run(fw, "am", "start", "-n", "com.taobao.taobao/com.taobao.tao.welcome.Welcome")
    pid = fw.am.pid_of("com.tencent.mm")
    assert pid is not None
    clock.now += 5
    memory.kill(pid)
    status, out, _ = run(fw, "logcat", "-d", "-s", "lowmemorykiller")
    assert status == 0
    lines = [line for line in out.splitlines() if not line.startswith("---------")]
    assert len(lines) == 1
    fields = THREADTIME.match(lines[0])
    assert fields and fields.group(4) == "lowmemorykiller" and fields.group(3) == "I"
    kill = LMKD.match(fields.group(5))
    assert kill, fields.group(5)
    assert (kill["name"], int(kill["pid"]), int(kill["adj"])) == ("com.tencent.mm", pid, 905)
    assert kill["reason"].startswith("low watermark is breached")
    # The framework noticed: the next start is cold, and ActivityManager said the process died.
    _, system, _ = run(fw, "logcat", "-d", "-b", "system", "-v", "threadtime")
    assert f"I ActivityManager: Process com.tencent.mm (pid {pid}) has died: cch+5 CEM" in system
    assert "lowmemorykiller" not in system
    _, out, _ = run(fw, "am", "start", "-W", "-n", "com.tencent.mm/.ui.LauncherUI")
    assert "LaunchState: COLD" in out
    # Each kill is logged once.
    _, again, _ = run(fw, "logcat", "-d", "-s", "lowmemorykiller")
    assert again.count("Kill '") == 1


def test_start_lines_filters_and_clear() -> None:
    fw, _, _ = make()
    run(fw, "am", "start", "-W", "-n", "com.android.settings/.MainSettings")
    _, out, _ = run(fw, "logcat", "-d", "ActivityTaskManager:I", "*:S")
    body = [line for line in out.splitlines() if not line.startswith("---------")]
    assert all(" ActivityTaskManager: " in line for line in body)
    assert any("START u0 {" in line and "cmp=com.android.settings/.MainSettings}" in line for line in body)
    assert any(
        re.search(r"Displayed com\.android\.settings/\.MainSettings for user 0: \+\d+ms$", line) for line in body
    )
    assert out.startswith("--------- beginning of system\n")
    _, brief, _ = run(fw, "logcat", "-d", "-v", "brief", "-s", "ActivityManager")
    assert re.search(r"^I/ActivityManager\( *1250\): Start proc \d+:com\.android\.settings/1000 ", brief, re.M)
    assert run(fw, "logcat", "-c")[0] == 0
    assert run(fw, "logcat", "-d") == (0, "", "")
