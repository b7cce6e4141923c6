"""SimKernel files in the kernel's own formats, per kernel version, consistent with the model."""

from __future__ import annotations

import gzip
import re

import pytest

from android_suite.virtual.memory_api import ProcSpec
from android_suite.virtual.sim import SimParams
from android_suite.virtual.sim.calibrate import PAGE_SIZE
from android_suite.virtual.vfs import FsError
from tests.unit.virtual.sim.simkit import eat, make_kernel, vmstat

ZRAM = "/sys/block/zram0"


@pytest.mark.parametrize(
    ("release", "present", "absent"),
    [
        (
            "6.1.68-android14-11",
            {"pgsteal_anon", "pgsteal_kswapd", "pgscan_direct", "allocstall_normal", "allocstall_movable",
             "workingset_refault_anon", "zswpout", "nr_zspages", "pswpin"},
            {"swpout_zero", "pgsteal_khugepaged", "allocstall", "workingset_refault"},
        ),
        (
            "5.15.123-android13-8",
            {"pgsteal_anon", "pgsteal_direct", "workingset_refault_file", "allocstall_movable"},
            {"zswpout", "swpout_zero", "nr_throttled_written", "nr_sec_page_table_pages"},
        ),
        ("6.12.23-android16-5", {"swpout_zero", "swpin_zero", "pgsteal_khugepaged", "zswpwb"}, set()),
    ],
)  # fmt: skip
def test_vmstat_keys_follow_the_kernel_version(release: str, present: set[str], absent: set[str]) -> None:
    kernel, _ = make_kernel(release=release)
    text = kernel.files()["/proc/vmstat"]().decode()
    assert re.fullmatch(r"([a-z0-9_]+ \d+\n)+", text)
    keys = [line.split()[0] for line in text.splitlines()]
    assert len(keys) == len(set(keys)) > 100
    assert present <= set(keys) and not absent & set(keys)


def test_zero_pages_reach_zram_before_612_and_skip_it_after() -> None:
    old, clock = make_kernel(release="6.1.68")
    eat(old, clock, 0.1, compressibility=1.0, cap_mb=10_000, keep=True)
    assert old.zram.same > 0 and vmstat(old)["pswpout"] >= old.zram.same
    new, clock = make_kernel(release="6.12.23")
    eat(new, clock, 0.1, compressibility=1.0, cap_mb=10_000, keep=True)
    vm = vmstat(new)
    assert vm["swpout_zero"] > 0 and new.zram.same == 0 and new.zram.stored == vm["pswpout"] - vm["pswpin"]


def test_meminfo_is_consistent_with_the_model() -> None:
    kernel, clock = make_kernel("v1")
    kernel.spawn(ProcSpec("app", anon_kb=50_000, file_kb=10_000))
    eat(kernel, clock, 0.3, keep=True)
    text = kernel.files()["/proc/meminfo"]().decode()
    assert all(re.fullmatch(r"[A-Za-z_()]+:\s+\d+ kB", line) for line in text.splitlines())
    kb = {k: int(v) for k, v in re.findall(r"^(\S+):\s+(\d+) kB$", text, re.M)}
    node = kernel.node
    assert kb["MemTotal"] == node.total * 4 == kernel.profile.mem_total_kb
    assert kb["MemFree"] == node.free * 4
    assert kb["SwapTotal"] - kb["SwapFree"] == (node.zram.slots_used + node.queue_pages) * 4
    assert kb["Active(anon)"] + kb["Inactive(anon)"] == kb["AnonPages"]
    parts = ("MemFree", "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable")
    kernel_kb = sum(kb[k] for k in ("Slab", "KernelStack", "PageTables"))
    assert sum(kb[k] for k in parts) + kernel_kb + node.zram.pool_pages * 4 <= kb["MemTotal"]
    swaps = kernel.files()["/proc/swaps"]().decode().splitlines()
    assert swaps[1].split()[:3] == ["/dev/block/zram0", "partition", str(kb["SwapTotal"])]
    assert int(swaps[1].split()[3]) == kb["SwapTotal"] - kb["SwapFree"]


def test_pressure_and_zram_files() -> None:
    kernel, clock = make_kernel("none")
    files = kernel.files()
    assert files["/proc/pressure/memory"]() == (
        b"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
    )
    eat(kernel, clock, 0.04, write_gbps=8.0, cap_mb=10_000, keep=True)
    line = re.compile(rb"(some|full) avg10=\d+\.\d\d avg60=\d+\.\d\d avg300=\d+\.\d\d total=(\d+)\n")
    lines = files["/proc/pressure/memory"]().splitlines(keepends=True)
    totals = [int(m.group(2)) for m in map(line.fullmatch, lines) if m]
    assert len(totals) == 2 and totals[0] >= totals[1] and totals[0] > 0
    assert totals[0] == int(kernel.psi.total["some"] * 1e6)
    mm = files[f"{ZRAM}/mm_stat"]().split()
    assert len(mm) == 9 and int(mm[0]) > int(mm[1]) > 0 and int(mm[2]) >= int(mm[1])
    assert int(mm[4]) >= int(mm[2])  # mem_used_max
    assert len(files[f"{ZRAM}/io_stat"]().split()) == 4 and files[f"{ZRAM}/bd_stat"]().split() == [b"0"] * 3
    knobs = kernel.knobs()
    assert knobs[f"{ZRAM}/comp_algorithm"].render() == b"lzo lzo-rle [lz4] zstd\n"
    assert knobs[f"{ZRAM}/disksize"].render() == f"{(512 * 1024 + 4) * 1024}\n".encode()
    assert knobs[f"{ZRAM}/max_comp_streams"].render() == b"8\n"
    old_515, _ = make_kernel(release="5.10.198")
    assert len(old_515.files()[f"{ZRAM}/mm_stat"]().split()) == 8  # huge_pages_since came in 5.11


def test_comp_algorithm_is_writable_only_before_disksize() -> None:
    kernel, _ = make_kernel()
    knobs = kernel.knobs()
    with pytest.raises(FsError) as info:
        knobs[f"{ZRAM}/comp_algorithm"].on_write(b"zstd\n")
    assert info.value.errno_name == "EBUSY"
    with pytest.raises(FsError):
        knobs[f"{ZRAM}/disksize"].on_write(b"1G\n")
    fresh, clock = make_kernel(params=SimParams(zram_at_boot=False))
    knobs = fresh.knobs()
    assert fresh.files()["/proc/swaps"]().count(b"\n") == 1  # header only: no swap yet
    with pytest.raises(FsError) as info:
        knobs[f"{ZRAM}/comp_algorithm"].on_write(b"deflate\n")
    assert info.value.errno_name == "EINVAL"
    knobs[f"{ZRAM}/comp_algorithm"].on_write(b"zstd\n")
    knobs[f"{ZRAM}/disksize"].on_write(b"256M\n")
    assert knobs[f"{ZRAM}/comp_algorithm"].render() == b"lzo lzo-rle lz4 [zstd]\n"
    assert fresh.zram.swap_pages == 0  # initialised, but no swap until mkswap + swapon
    assert fresh.mkswap("/dev/block/zram0") == (256 * 256 - 1) * 4
    fresh.swapon("/dev/block/zram0", 5)
    assert fresh.zram.swap_pages == 256 * 256 - 1
    assert fresh.files()["/proc/swaps"]().split()[-1] == b"5"
    eat(fresh, clock, 0.05, keep=True)
    assert fresh.zram.compr > 0 and fresh.zram.cal is not None and fresh.zram.cal.algorithm == "zstd"


def test_sysctls_move_the_watermarks() -> None:
    kernel, _ = make_kernel()
    knobs, wm = kernel.knobs(), kernel.node.wm
    assert knobs["/proc/sys/vm/min_free_kbytes"].render() == f"{wm.min * 4}\n".encode()
    knobs["/proc/sys/vm/watermark_scale_factor"].on_write(b"200\n")
    assert kernel.node.wm.high - kernel.node.wm.min == 2 * (kernel.node.total * 200 // 10000)
    knobs["/proc/sys/vm/min_free_kbytes"].on_write(b"16384\n")
    assert kernel.node.wm.min == 4096
    for path, bad in (("swappiness", b"201"), ("watermark_scale_factor", b"0"), ("min_free_kbytes", b"x")):
        with pytest.raises(FsError):
            knobs[f"/proc/sys/vm/{path}"].on_write(bad)


def test_task_stat_cpu_times_grow_with_work() -> None:
    kernel, clock = make_kernel("v1")
    pid = kernel.spawn(ProcSpec("com.example.verylongname", oom_score_adj=-800, anon_kb=1024))

    def stat(p: int) -> list[str]:
        fields = kernel.files()[f"/proc/{p}/stat"]().decode().split()
        assert len(fields) == 52
        return fields

    assert stat(120)[1] == "(kswapd0)" and stat(121)[1] == "(kcompressd0)"
    assert stat(pid)[1] == "(le.verylongname)"  # comm keeps the last 15 characters
    before = [int(stat(120)[14]), int(stat(121)[14])]
    eat(kernel, clock, 0.5)
    kernel.allocate(pid, 250_000)
    after = [int(stat(120)[14]), int(stat(121)[14])]
    assert after[0] > before[0] and after[1] > before[1]
    app = stat(pid)
    assert int(app[13]) > 0 and int(app[14]) > 0 and int(app[23]) > 0  # utime, stime, rss
    gz = kernel.files()["/proc/config.gz"]()
    assert b"CONFIG_KCOMPRESSD=y" in gzip.decompress(gz)
    assert PAGE_SIZE == 4096
