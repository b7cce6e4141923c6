"""``dumpsys meminfo [PKG]`` from the memory model's residency and the kernel's own files.

An app's sizes are what the framework asked the backend for (launch heap,
growth, mapped code) split by :meth:`MemoryBackend.resident_fraction`:
resident anonymous pages count in Pss/Rss, the rest is in zram (SwapPss);
file pages are shared with zygote and other apps, so they count at about
half in Pss. RAM totals and the ZRAM line come from ``/proc/meminfo`` and
``/sys/block/zram0/mm_stat``: with no mm_stat (no zram model), the ZRAM line
is left out, as ActivityManager does when it reads a zero zram size.
"""

from __future__ import annotations

from dataclasses import dataclass

FILE_SHARE = 0.45  # share of an app's mapped file pages its Pss carries


@dataclass(frozen=True)
class ProcMem:
    """One process's memory, in KiB."""

    name: str
    pid: int
    adj: int
    anon_kb: int
    file_kb: int
    resident: float  # MemoryBackend.resident_fraction
    activities: bool = True

    @property
    def anon_rss(self) -> int:
        return int(self.anon_kb * self.resident)

    @property
    def file_rss(self) -> int:
        return int(self.file_kb * self.resident)

    @property
    def rss(self) -> int:
        return self.anon_rss + self.file_rss

    @property
    def pss(self) -> int:
        return self.anon_rss + int(self.file_rss * FILE_SHARE)

    @property
    def swap_pss(self) -> int:
        return self.anon_kb - self.anon_rss


def parse_kb_table(text: str) -> dict[str, int]:
    """``Key:   123 kB`` lines (``/proc/meminfo``) to a dict; other lines are skipped."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        fields = rest.split()
        if sep and fields and fields[0].isdigit():
            out[key.strip()] = int(fields[0])
    return out


def _k(kb: int) -> str:
    return f"{kb:,}K"


def _group(adj: int) -> str:
    if adj <= -900:
        return "Native" if adj == -1000 else "System"
    if adj < 0:
        return "Persistent"
    return {0: "Foreground", 100: "Visible", 600: "Home", 700: "Previous"}.get(
        adj, "Cached" if adj >= 900 else "B Services"
    )


def render_summary(procs: list[ProcMem], meminfo: dict[str, int], mm_stat: str | None, uptime_ms: int) -> str:
    """The no-argument dump: per-process totals, OOM groups, RAM and ZRAM lines."""
    out = ["Applications Memory Usage (in Kilobytes):", f"Uptime: {uptime_ms} Realtime: {uptime_ms}", ""]
    for kind in ("RSS", "PSS"):
        out += _by_process(procs, kind) + _by_adj(procs, kind)
    total = meminfo.get("MemTotal", 0)
    free = meminfo.get("MemFree", 0)
    cached_kernel = meminfo.get("Buffers", 0) + meminfo.get("Cached", 0) + meminfo.get("SReclaimable", 0)
    cached_kernel -= meminfo.get("Mapped", 0)
    cached_pss = sum(p.pss for p in procs if p.adj >= 900)
    used_pss = sum(p.pss for p in procs if p.adj < 900)
    kernel = sum(meminfo.get(k, 0) for k in ("Shmem", "SUnreclaim", "VmallocUsed", "PageTables", "KernelStack"))
    zram_kb = _zram_used_kb(mm_stat)
    free_ram = cached_pss + max(0, cached_kernel) + free
    used_ram = used_pss + kernel
    out += [
        f"Total RAM: {_k(total)} (status normal)",
        f" Free RAM: {_k(free_ram)} ({_k(cached_pss):>10} cached pss + {_k(max(0, cached_kernel)):>10} cached kernel"
        f" + {_k(free):>10} free)",
        f" Used RAM: {_k(used_ram)} ({_k(used_pss):>10} used pss + {_k(kernel):>10} kernel)",
        f" Lost RAM: {_k(max(0, total - free_ram - used_ram - zram_kb)):>10}",
    ]
    if zram_kb:
        swap_total = meminfo.get("SwapTotal", 0)
        swap_used = swap_total - meminfo.get("SwapFree", 0)
        out.append(
            f"     ZRAM: {_k(zram_kb):>10} physical used for {_k(swap_used):>10} in swap ({_k(swap_total)} total swap)"
        )
    out.append("   Tuning: 256 (large 512), oom   322,560K, restore limit   107,520K (high-end-gfx)")
    return "\n".join(out) + "\n"


def _size(p: ProcMem, kind: str) -> int:
    return p.rss if kind == "RSS" else p.pss


def _by_process(procs: list[ProcMem], kind: str) -> list[str]:
    out = [f"Total {kind} by process:"]
    for p in sorted(procs, key=lambda p: _size(p, kind), reverse=True):
        tag = " / activities" if p.activities else ""
        swap = f"    ({p.swap_pss:>10,}K in swap)" if kind == "PSS" else ""
        out.append(f"{_size(p, kind):>13,}K: {p.name} (pid {p.pid}{tag}){swap}")
    return [*out, ""]


def _by_adj(procs: list[ProcMem], kind: str) -> list[str]:
    out = [f"Total {kind} by OOM adjustment:"]
    groups: dict[str, list[ProcMem]] = {}
    for p in sorted(procs, key=lambda p: p.adj):
        groups.setdefault(_group(p.adj), []).append(p)
    for name, members in groups.items():
        out.append(f"{sum(_size(p, kind) for p in members):>13,}K: {name}")
        members.sort(key=lambda p: _size(p, kind), reverse=True)
        out += [f"{_size(p, kind):>17,}K: {p.name} (pid {p.pid})" for p in members]
    return [*out, ""]


def _zram_used_kb(mm_stat: str | None) -> int:
    """mem_used_total (third field of mm_stat, bytes) in KiB; 0 when absent."""
    fields = (mm_stat or "").split()
    return int(fields[2]) // 1024 if len(fields) >= 3 and fields[2].isdigit() else 0


_ANON_SPLIT = (("Native Heap", 0.44), ("Dalvik Heap", 0.34), ("Dalvik Other", 0.05), ("Stack", 0.01),
               ("GL mtrack", 0.10), ("Unknown", 0.06))  # fmt: skip
_FILE_SPLIT = ((".so mmap", 0.38), (".jar mmap", 0.08), (".apk mmap", 0.10), (".ttf mmap", 0.02),
               (".dex mmap", 0.22), (".oat mmap", 0.08), (".art mmap", 0.08), ("Other mmap", 0.04))  # fmt: skip


def render_process(p: ProcMem, uptime_ms: int) -> str:
    """``dumpsys meminfo PKG``: the category table and the App Summary."""
    row = "{:>13} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}".format
    out = [
        "Applications Memory Usage (in Kilobytes):",
        f"Uptime: {uptime_ms} Realtime: {uptime_ms}",
        "",
        f"** MEMINFO in pid {p.pid} [{p.name}] **",
        row("", "Pss", "Private", "Private", "SwapPss", "Rss", "Heap", "Heap", "Heap"),
        row("", "Total", "Dirty", "Clean", "Dirty", "Total", "Size", "Alloc", "Free"),
        row("", *["------"] * 8),
    ]
    sums = {"Java Heap": 0, "Native Heap": 0, "Code": 0, "Stack": 0, "Graphics": 0, "Private Other": 0}
    for label, share in _ANON_SPLIT:
        rss, swap = int(p.anon_rss * share), int(p.swap_pss * share)
        size = rss + swap
        heap = [int(size * 1.25), size, int(size * 1.25) - size] if "Heap" in label else ["", "", ""]
        out.append(row(label, rss, rss, 0, swap, rss, *heap).rstrip())
        key = {"Native Heap": "Native Heap", "Dalvik Heap": "Java Heap", "Stack": "Stack", "GL mtrack": "Graphics"}
        sums[key.get(label, "Private Other")] += rss
    for label, share in _FILE_SPLIT:
        rss = int(p.file_rss * share)
        out.append(row(label, int(rss * FILE_SHARE), 0, int(rss * FILE_SHARE), 0, rss, "", "", "").rstrip())
        sums["Code"] += int(rss * FILE_SHARE)
    out.append(row("TOTAL", p.pss, p.anon_rss, p.pss - p.anon_rss, p.swap_pss, p.rss, "", "", "").rstrip())
    pair = "{:>21} {:>8} {:>21} {:>8}".format
    out += ["", " App Summary", pair("", "Pss(KB)", "", "Rss(KB)"), pair("", "------", "", "------")]
    out += [pair(f"{k}:", v, "", v if k != "Private Other" else "").rstrip() for k, v in sums.items()]
    out += [pair("System:", max(0, p.pss - sum(sums.values())), "", "").rstrip(), ""]
    out.append(
        "{:>21} {:>8} {:>21} {:>8} {:>21} {:>8}".format(
            "TOTAL PSS:", p.pss, "TOTAL RSS:", p.rss, "TOTAL SWAP PSS:", p.swap_pss
        )
    )
    return "\n".join(out) + "\n"
