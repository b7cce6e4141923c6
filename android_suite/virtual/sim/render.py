"""/proc/vmstat and /proc/meminfo of the modelled kernel, as its kernel version prints them.

Key order follows mm/vmstat.c ``vmstat_text`` (6.1); keys are added or left
out by kernel version as in docs/kcompressd.md's counter history. Counters the
model does not drive (compaction, migration, THP, NUMA) print 0, as they do
on an idle phone; THP and NUMA lines are left out entirely.
"""

from __future__ import annotations

from collections.abc import Mapping

from android_suite.virtual.sim.node import Node
from android_suite.virtual.sim.params import Features

# Shares of the kernel's own RAM (Node.kernel_pages), after typical Android meminfo dumps.
KERNEL_SPLIT = {"slab_r": 0.25, "slab_u": 0.30, "stack": 0.08, "pagetables": 0.12, "unevictable": 0.03}


def kernel_parts(node: Node) -> dict[str, int]:
    """Kernel pages by use; what is not listed is driver/vmalloc memory meminfo does not show."""
    return {k: int(node.kernel_pages * v) for k, v in KERNEL_SPLIT.items()}


def _mapped(node: Node) -> int:
    return sum(p.file_resident for p in node.procs.values())


def vmstat(node: Node, f: Features, config: Mapping[str, str]) -> bytes:
    ev, k = node.ev, kernel_parts(node)
    ia, aa = node.lru("anon_inactive"), node.lru("anon_active")
    ifl, afl = node.lru("file_inactive"), node.lru("file_active")
    anon = sum(p.anon_resident for p in node.all_procs())
    dirtyable = node.free + ifl + afl
    rows: list[tuple[str, int]] = [
        ("nr_free_pages", node.free), ("nr_zone_inactive_anon", ia), ("nr_zone_active_anon", aa),
        ("nr_zone_inactive_file", ifl), ("nr_zone_active_file", afl),
        ("nr_zone_unevictable", k["unevictable"]), ("nr_zone_write_pending", node.queue_pages),
        ("nr_mlock", k["unevictable"] // 2), ("nr_bounce", 0),
    ]  # fmt: skip
    if config.get("CONFIG_ZSMALLOC") in ("y", "m"):
        rows.append(("nr_zspages", node.zram.pool_pages))
    shadow = (sum(p.file_evicted + p.swapped for p in node.all_procs()) + 63) // 64
    rows += [
        ("nr_free_cma", 0), ("nr_inactive_anon", ia), ("nr_active_anon", aa), ("nr_inactive_file", ifl),
        ("nr_active_file", afl), ("nr_unevictable", k["unevictable"]), ("nr_slab_reclaimable", k["slab_r"]),
        ("nr_slab_unreclaimable", k["slab_u"]), ("nr_isolated_anon", 0), ("nr_isolated_file", 0),
        ("workingset_nodes", shadow),
    ]  # fmt: skip
    if f.workingset_split:
        for what in ("refault", "activate", "restore"):
            rows += [(f"workingset_{what}_anon", ev[f"workingset_{what}_anon"])]
            rows += [(f"workingset_{what}_file", ev[f"workingset_{what}_file"])]
    else:  # before 5.9 only file pages had shadow entries
        rows += [(f"workingset_{w}", ev[f"workingset_{w}_file"]) for w in ("refault", "activate", "restore")]
    rows += [
        ("workingset_nodereclaim", 0), ("nr_anon_pages", anon), ("nr_mapped", _mapped(node)),
        ("nr_file_pages", ifl + afl + node.queue_pages), ("nr_dirty", 0), ("nr_writeback", node.queue_pages),
        ("nr_writeback_temp", 0), ("nr_shmem", 0), ("nr_shmem_hugepages", 0), ("nr_shmem_pmdmapped", 0),
        ("nr_file_hugepages", 0), ("nr_file_pmdmapped", 0), ("nr_anon_transparent_hugepages", 0),
        ("nr_vmscan_write", ev["pswpout"]), ("nr_vmscan_immediate_reclaim", 0), ("nr_dirtied", 0),
        ("nr_written", ev["pswpout"]),
    ]  # fmt: skip
    if f.since(5, 16):
        rows.append(("nr_throttled_written", 0))
    rows += [("nr_kernel_misc_reclaimable", 0), ("nr_foll_pin_acquired", 0), ("nr_foll_pin_released", 0)]
    rows.append(("nr_kernel_stack", k["stack"] * 4))  # in KiB, unlike its neighbours
    if config.get("CONFIG_SHADOW_CALL_STACK") == "y":
        rows.append(("nr_shadow_call_stack", k["stack"]))
    rows.append(("nr_page_table_pages", k["pagetables"]))
    if f.since(6, 0):
        rows.append(("nr_sec_page_table_pages", 0))
    if f.since(5, 13):
        rows.append(("nr_swapcached", node.queue_pages))
    rows += [("nr_dirty_threshold", dirtyable // 5), ("nr_dirty_background_threshold", dirtyable // 10)]
    rows += _events(node, f)
    return "".join(f"{name} {value}\n" for name, value in rows).encode()


def _events(node: Node, f: Features) -> list[tuple[str, int]]:
    ev = node.ev
    rows = [
        ("pgpgin", ev["pgpgin"] + ev["pswpin"] * 4), ("pgpgout", ev["pswpout"] * 4),
        ("pswpin", ev["pswpin"]), ("pswpout", ev["pswpout"]),
        ("pgalloc_normal", ev["pgalloc_normal"]), ("pgalloc_movable", 0),
        ("allocstall_normal", ev["allocstall_normal"]), ("allocstall_movable", ev["allocstall_movable"]),
        ("pgskip_normal", 0), ("pgskip_movable", 0), ("pgfree", ev["pgfree"]),
        ("pgactivate", ev["pgactivate"]), ("pgdeactivate", ev["pgdeactivate"]), ("pglazyfree", 0),
        ("pgfault", ev["pgfault"]), ("pgmajfault", ev["pgmajfault"]), ("pglazyfreed", 0),
        ("pgrefill", ev["pgrefill"]), ("pgreuse", 0),
    ]  # fmt: skip
    reclaimers = ("kswapd", "direct", "khugepaged") if f.since(6, 2) else ("kswapd", "direct")
    rows += [(f"pgsteal_{w}", ev[f"pgsteal_{w}"]) for w in reclaimers]
    if f.since(5, 15):
        rows += [(f"pgdemote_{w}", 0) for w in reclaimers]
    rows += [(f"pgscan_{w}", ev[f"pgscan_{w}"]) for w in reclaimers]
    rows.append(("pgscan_direct_throttle", ev["pgscan_direct_throttle"]))
    if f.anon_file_split:
        rows += [(f"{c}_{k}", ev[f"{c}_{k}"]) for c in ("pgscan", "pgsteal") for k in ("anon", "file")]
    rows += [
        ("pginodesteal", 0), ("slabs_scanned", 0), ("kswapd_inodesteal", 0),
        ("kswapd_low_wmark_hit_quickly", 0), ("kswapd_high_wmark_hit_quickly", 0),
        ("pageoutrun", ev["pageoutrun"]), ("pgrotated", 0), ("drop_pagecache", 0), ("drop_slab", 0),
        ("oom_kill", ev["oom_kill"]), ("pgmigrate_success", 0), ("pgmigrate_fail", 0),
        ("thp_migration_success", 0), ("thp_migration_fail", 0), ("thp_migration_split", 0),
        ("compact_migrate_scanned", 0), ("compact_free_scanned", 0), ("compact_isolated", 0),
        ("compact_stall", 0), ("compact_fail", 0), ("compact_success", 0), ("compact_daemon_wake", 0),
        ("compact_daemon_migrate_scanned", 0), ("compact_daemon_free_scanned", 0),
        ("unevictable_pgs_culled", 0), ("unevictable_pgs_scanned", 0), ("unevictable_pgs_rescued", 0),
        ("unevictable_pgs_mlocked", 0), ("unevictable_pgs_munlocked", 0), ("unevictable_pgs_cleared", 0),
        ("unevictable_pgs_stranded", 0), ("swap_ra", 0), ("swap_ra_hit", 0),
    ]  # fmt: skip
    if f.since(5, 19):
        rows += [("zswpin", 0), ("zswpout", 0)]
    if f.since(6, 8):
        rows.append(("zswpwb", 0))
    if f.zeromap:
        rows += [("swpin_zero", ev["swpin_zero"]), ("swpout_zero", ev["swpout_zero"])]
    if f.since(5, 18):
        rows += [("direct_map_level2_splits", 0), ("direct_map_level3_splits", 0)]
    return rows


def mem_available(node: Node) -> int:
    """si_mem_available(): free less reserves, plus the reclaimable half of page cache and slab."""
    k = kernel_parts(node)
    cache = node.lru("file_active") + node.lru("file_inactive")
    avail = node.free - node.wm.high + cache - min(cache // 2, node.wm.low)
    return max(0, avail + k["slab_r"] - min(k["slab_r"] // 2, node.wm.low))


def meminfo(node: Node, f: Features) -> bytes:
    k = kernel_parts(node)
    ia, aa = node.lru("anon_inactive"), node.lru("anon_active")
    ifl, afl = node.lru("file_inactive"), node.lru("file_active")
    swap_total, swap_free = node.zram.swap_pages, node.swap_free
    anon_all = sum(p.anon_total for p in node.procs.values())
    pages: list[tuple[str, int]] = [
        ("MemTotal", node.total), ("MemFree", node.free), ("MemAvailable", mem_available(node)),
        ("Buffers", 0), ("Cached", ifl + afl), ("SwapCached", node.queue_pages),
        ("Active", aa + afl), ("Inactive", ia + ifl), ("Active(anon)", aa), ("Inactive(anon)", ia),
        ("Active(file)", afl), ("Inactive(file)", ifl), ("Unevictable", k["unevictable"]),
        ("Mlocked", k["unevictable"] // 2), ("SwapTotal", swap_total), ("SwapFree", swap_free),
        ("Dirty", 0), ("Writeback", node.queue_pages), ("AnonPages", ia + aa), ("Mapped", _mapped(node)),
        ("Shmem", 0), ("KReclaimable", k["slab_r"]), ("Slab", k["slab_r"] + k["slab_u"]),
        ("SReclaimable", k["slab_r"]), ("SUnreclaim", k["slab_u"]), ("KernelStack", k["stack"]),
        ("ShadowCallStack", k["stack"] // 4), ("PageTables", k["pagetables"]),
    ]  # fmt: skip
    if f.since(6, 0):
        pages.append(("SecPageTables", 0))
    pages += [
        ("NFS_Unstable", 0), ("Bounce", 0), ("WritebackTmp", 0),
        ("CommitLimit", node.total // 2 + swap_total), ("Committed_AS", anon_all + node.kernel_pages),
    ]  # fmt: skip
    rows = [(name, v * 4) for name, v in pages]
    rows += [
        ("VmallocTotal", 263061440), ("VmallocUsed", 231424), ("VmallocChunk", 0), ("Percpu", 8832),
        ("AnonHugePages", 0), ("ShmemHugePages", 0), ("ShmemPmdMapped", 0), ("FileHugePages", 0),
        ("FilePmdMapped", 0), ("CmaTotal", 0), ("CmaFree", 0),
    ]  # fmt: skip
    # Linux pads "Name:" to 16 columns and the value to 8 (show_val_kb).
    return "".join(f"{name + ':':<16}{value:>8} kB\n" for name, value in rows).encode()
