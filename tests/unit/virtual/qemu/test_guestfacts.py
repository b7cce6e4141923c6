"""Parsers of guest text (golden files in tests/data/qemu) and boot-image splitting."""

from __future__ import annotations

from android_suite.virtual.bootimg import build_boot_image
from android_suite.virtual.qemu.guestfacts import (
    kernel_arch,
    kernel_trouble,
    parse_app_stats,
    parse_oom_kills,
    parse_task_stat,
    parse_task_stats,
    split_boot_image,
    status_kb,
)
from tests.unit.virtual.qemu.fakeguest import DATA, arm64_image


def test_task_stats_keep_kernel_threads_and_skip_cut_lines() -> None:
    tasks = parse_task_stats((DATA / "stat_all.txt").read_text())
    by_name = {t.comm: t for t in tasks}
    assert "sh" not in by_name  # its line was cut short mid-read
    assert by_name["kswapd0"].kernel_thread and by_name["kcompressd0"].kernel_thread
    assert by_name["kthreadd"].kernel_thread and not by_name["init"].kernel_thread
    assert not by_name["asuite-app"].kernel_thread
    assert by_name["kswapd0"].stime_s == 4.12 and by_name["kcompressd0"].stime_s == 9.77
    assert by_name["asuite-app"].rss_pages == 9850
    assert by_name["pool_workqueue_release"].ppid == 2


def test_task_stat_comm_with_spaces_and_parens() -> None:
    line = "55 (my (odd) name) S 2 0 0 0 -1 2129984 0 0 0 0 3 4 0 0 20 0 1 0 9 0 0 1"
    task = parse_task_stat(line)
    assert task is not None and task.comm == "my (odd) name" and task.utime_s == 0.03
    assert parse_task_stat("garbage") is None


def test_app_stats_golden() -> None:
    stats = parse_app_stats((DATA / "asuite_app.stats").read_text())
    assert stats is not None
    assert (stats.pid, stats.anon_kb, stats.touch_count, stats.majflt) == (131, 65536, 2, 2231)
    assert stats.last_touch_ms == 412.5 and stats.janky == 36 and stats.state == "foreground"
    assert parse_app_stats("") is None
    assert parse_app_stats("pid=abc\n") is None


def test_oom_kills_from_console() -> None:
    kills = parse_oom_kills((DATA / "console_oom.txt").read_text())
    assert [(k.pid, k.name, k.oom_score_adj) for k in kills] == [(131, "asuite-app", 900), (150, "memeater", 0)]
    assert kills[0].anon_rss_kb == 60112 and kills[0].t == 88.131920


def test_kernel_trouble_lines() -> None:
    text = "[ 1.0] ok\n[ 2.0] WARNING: CPU: 1 PID: 38 at mm/vmscan.c:123\n[ 3.0] watchdog: BUG: soft lockup - CPU#0\n"
    assert len(kernel_trouble(text)) == 2
    assert kernel_trouble((DATA / "console_oom.txt").read_text()) == []


def test_status_kb() -> None:
    text = "Name:\tx\nVmRSS:\t    1234 kB\nVmSwap:\t       0 kB\n"
    assert status_kb(text, "VmRSS") == 1234 and status_kb(text, "VmSwap") == 0 and status_kb(text, "RssAnon") is None


def test_split_boot_image_round_trip() -> None:
    kernel = arm64_image()
    for version in (0, 2, 4):
        payload = split_boot_image(build_boot_image(kernel, b"RAMDISK", header_version=version, cmdline="quiet"))
        assert payload is not None
        got = (payload.kernel, payload.ramdisk, payload.cmdline, payload.arch)
        assert got == (kernel, b"RAMDISK", "quiet", "arm64")
    assert split_boot_image(b"not a boot image") is None


def test_kernel_arch() -> None:
    x86 = bytearray(0x300)
    x86[0x202:0x206] = b"HdrS"
    assert kernel_arch(bytes(x86)) == "x86_64"
    assert kernel_arch(arm64_image()) == "arm64"
    assert kernel_arch(b"Linux version 6.1 (a model's kernel)") is None
