"""SimKernel mechanism: invariants, behaviour under a memory eater, determinism."""

from __future__ import annotations

from android_suite.virtual.memory_api import ProcSpec
from android_suite.virtual.sim.calibrate import PAGE_SIZE, calibrate
from tests.unit.virtual.sim.simkit import eat, make_kernel, vmstat

MONOTONIC = (
    "pswpin", "pswpout", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct",
    "pgsteal_anon", "pgsteal_file", "pgscan_anon", "pgscan_file", "allocstall_movable", "pgfault",
    "pgmajfault", "workingset_refault_anon", "workingset_refault_file", "pageoutrun", "pgfree",
)  # fmt: skip


def test_pages_are_conserved_and_counters_only_grow() -> None:
    kernel, clock = make_kernel("v1")
    apps = [
        kernel.spawn(ProcSpec(f"app{i}", oom_score_adj=900 - 100 * i, anon_kb=8192, file_kb=4096)) for i in range(4)
    ]
    pid = kernel.spawn(ProcSpec("memeater", oom_score_adj=-900, compressibility=0.6))
    before = vmstat(kernel)
    for i in range(300):
        clock.now += 0.002
        kernel.allocate(pid, 1024, 0.6)
        if i >= 250 and kernel.alive(app := apps[i % len(apps)]):
            kernel.touch(app, 0.25)  # the apps were idle (and swapped out): swap-ins and refaults
        if i % 100 == 99:
            kernel.free(pid, 40 * 1024)
        node = kernel.node
        assert node.accounted() == node.total
        assert node.free >= 0 and node.zram.slots_used + node.queue_pages <= node.zram.swap_pages
        now = vmstat(kernel)
        for key in MONOTONIC:
            assert now[key] >= before[key], key
        before = now
    assert before["pswpin"] > 0 and before["pswpout"] > 0


def test_zram_holds_data_at_the_calibrated_ratio() -> None:
    kernel, clock = make_kernel("none")
    eat(kernel, clock, 0.08, cap_mb=10_000, compressibility=0.6, keep=True)
    z = kernel.zram
    assert z.stored > 1000
    point = calibrate("lz4").at(0.4)  # compressibility 0.6 -> 40 % random bytes, no zero pages
    assert abs((z.stored * PAGE_SIZE / z.compr) - point.ratio) / point.ratio < 0.01
    # The pool (mem_used_total) comes out of RAM: rounded-up zsmalloc classes, whole pages.
    assert z.pool_pages * PAGE_SIZE >= z.compr
    mm = kernel.files()["/sys/block/zram0/mm_stat"]().split()
    assert len(mm) == 9 and int(mm[0]) == z.stored * PAGE_SIZE and int(mm[1]) == z.compr


def test_eater_drives_kswapd_zram_allocstall_psi_and_kills() -> None:
    kernel, clock = make_kernel("none")
    idle = vmstat(kernel)
    assert idle["pgscan_kswapd"] == 0 and kernel.kswapd_cpu == 0
    # Gentle eater: kswapd keeps up, no direct reclaim yet.
    eat(kernel, clock, 1.0, write_gbps=0.3, cap_mb=250)
    gentle = vmstat(kernel)
    assert kernel.kswapd_cpu > 0.01 and gentle["pswpout"] > 0
    assert gentle["allocstall_movable"] == 0
    # Fast eater: allocation outpaces reclaim, the task stalls, PSI rises.
    run = eat(kernel, clock, 0.5, write_gbps=8.0, cap_mb=250)
    assert run.vm["allocstall_movable"] > 0 and run.stall_s > 0 and run.vm["pgsteal_direct"] > 0
    assert kernel.psi.total["some"] > 0.1
    clock.now += 2.0  # one PSI period later the averages show it
    pressure = kernel.files()["/proc/pressure/memory"]().decode()
    assert pressure.startswith("some avg10=") and float(pressure.split()[1].split("=")[1]) > 0
    # Background apps plus an eater that never frees: swap runs low, lmkd kills the cached apps first.
    apps = [kernel.spawn(ProcSpec(f"cached{i}", oom_score_adj=900 + i, anon_kb=20_000)) for i in range(3)]
    eat(kernel, clock, 6.0, write_gbps=0.2, cap_mb=100_000)
    kills = kernel.kills_since(0.0)
    assert kills and kills[0].pid in apps and kills[0].oom_score_adj == max(900 + i for i in range(3))
    assert "watermark is breached and swap is low" in kills[0].reason and kills[0].min_oom_score_adj >= 0
    assert not kernel.alive(kills[0].pid)


def test_same_seed_and_calls_give_the_same_numbers() -> None:
    def run(seed: int) -> tuple[dict[str, int], bytes]:
        kernel, clock = make_kernel("v1", seed=seed)
        kernel.spawn(ProcSpec("app", oom_score_adj=900, anon_kb=30_000, file_kb=8_000))
        eat(kernel, clock, 0.3)
        return vmstat(kernel), kernel.files()["/proc/pressure/memory"]()

    assert run(7) == run(7)
    assert run(7)[0]["nr_free_pages"] != run(8)[0]["nr_free_pages"] or run(7) != run(8)


def test_quiet_time_is_skipped_and_decays_psi() -> None:
    kernel, clock = make_kernel("none")
    eat(kernel, clock, 0.3, write_gbps=8.0)
    clock.now += 2.0
    kernel.sync()
    busy = kernel.psi.avg["some"][0]
    assert busy > 0
    clock.now += 3600.0  # an hour idle must not take an hour of steps
    steps = kernel.steps
    kernel.sync()
    assert kernel.steps - steps == int(3600.0 / kernel.params.dt) or kernel.steps > steps
    assert kernel.psi.avg["some"][0] < busy / 100
