"""Helpers for the SimKernel tests: small handsets, an injected clock, a memory eater."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from android_suite.virtual.api import BootState
from android_suite.virtual.memory_api import ProcSpec
from android_suite.virtual.profile import Profile, load_profile
from android_suite.virtual.sim import SimKernel, SimParams, build_kernel_image, default_config, parse_kernel_image


class Clock:
    """The handset clock; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def small_profile(ram_mb: int = 256, swap_mb: int = 512, cores: int = 8, base: str = "mediatek") -> Profile:
    """A handset with little RAM, so that a short eater run reaches steady reclaim."""
    p = load_profile(base)
    if cores != p.cores:
        p = dataclasses.replace(p, clusters=(dataclasses.replace(p.clusters[0], count=cores),))
    return dataclasses.replace(p, mem_total_kb=ram_mb * 1024, swap_total_kb=swap_mb * 1024)


def make_kernel(
    variant: str = "none",
    *,
    release: str = "6.1.68-android14-11-g3e9b6c5a1d27",
    params: SimParams | None = None,
    seed: int = 0,
    **profile_kw: int,
) -> tuple[SimKernel, Clock]:
    clock = Clock()
    image = parse_kernel_image(build_kernel_image(release, default_config(variant)))
    kernel = SimKernel(small_profile(**profile_kw), clock, image=image, seed=seed, params=params)
    kernel.on_boot(BootState("00000000-0000-4000-8000-000000000000", 0.0))
    return kernel, clock


def vmstat(kernel: SimKernel) -> dict[str, int]:
    text = kernel.files()["/proc/vmstat"]().decode()
    return {k: int(v) for k, v in (line.split() for line in text.splitlines())}


@dataclass(frozen=True)
class EaterRun:
    stall_s: float
    allocstalls: int
    vm: dict[str, int]
    kswapd_cpu: float
    kcompressd_cpu: float
    kills: int
    psi_some: float
    psi_full: float


def eat(
    kernel: SimKernel,
    clock: Clock,
    seconds: float,
    *,
    chunk_kb: int = 256,
    write_gbps: float = 4.0,
    cap_mb: int = 400,
    compressibility: float = 0.6,
    check: bool = False,
    keep: bool = False,
) -> EaterRun:
    """A memory eater: writes ``chunk_kb`` at ``write_gbps`` (plus its stalls), frees all at ``cap_mb``.

    Its clock is its own progress, so stalls slow it down as they slow a real one. It exits at the end unless ``keep``.
    With ``check`` the page-conservation invariant is asserted after every call.
    """
    pid = kernel.spawn(ProcSpec("memeater", oom_score_adj=-900, compressibility=compressibility))
    stall, stalls, size = 0.0, 0, 0
    end = clock.now + seconds
    while clock.now < end and kernel.alive(pid):
        r = kernel.allocate(pid, chunk_kb, compressibility)
        stall += r.stall_s
        stalls += r.allocstalls
        size += chunk_kb
        clock.now += chunk_kb * 1024 / (write_gbps * 1e9) + r.stall_s
        if size >= cap_mb * 1024:
            kernel.free(pid, size)
            size = 0
        if check:
            assert kernel.node.accounted() == kernel.node.total
    if kernel.alive(pid) and not keep:
        kernel.exit(pid)  # the eater ends with its run
    kernel.sync()
    return EaterRun(
        stall,
        stalls,
        vmstat(kernel),
        kernel.kswapd_cpu,
        sum(kernel.kcompressd_cpu),
        len(kernel.kills),
        kernel.psi.total["some"],
        kernel.psi.total["full"],
    )


@functools.cache
def eater_run(variant: str, cores: int = 8, seconds: float = 1.5, sysctl: int | None = None) -> EaterRun:
    """One cached eater run per configuration (several tests read the same run)."""
    kernel, clock = make_kernel(variant, cores=cores)
    if sysctl is not None:
        kernel.knobs()["/proc/sys/vm/kcompressd"].on_write(f"{sysctl}\n".encode())
    return eat(kernel, clock, seconds)
