"""kcompressd on/off: the difference must come out of the mechanism, not from a constant.

Every run drives the same memory eater (4 GB/s of writes, slowed by its own
stalls) on the same small handset; only the kernel's variant differs.
"""

from __future__ import annotations

import pytest

from android_suite.virtual.sim.kcompressd import SYSCTL
from android_suite.virtual.vfs import FsError
from tests.unit.virtual.sim.simkit import eat, eater_run, make_kernel

SECONDS = 1.5


def per_s(run_vm: dict[str, int], key: str) -> float:
    return run_vm[key] / SECONDS


def test_v1_reclaims_faster_and_stalls_less_than_inline_compression() -> None:
    off, on = eater_run("none"), eater_run("v1")
    assert per_s(on.vm, "pgsteal_anon") > 1.1 * per_s(off.vm, "pgsteal_anon")
    assert on.vm["allocstall_movable"] < 0.9 * off.vm["allocstall_movable"]
    assert on.stall_s < off.stall_s
    # The work moved: kswapd compresses less itself, kcompressd0 does the rest on another core.
    assert off.kcompressd_cpu == 0 and on.kcompressd_cpu > 0.1
    assert on.kswapd_cpu < off.kswapd_cpu
    # A busy kcompressd is a non-idle, non-stalled task: less "full" pressure.
    assert on.psi_full < off.psi_full


def test_no_gain_on_a_single_cpu() -> None:
    # Andrew Morton's concern: with one CPU the thread competes with kswapd for it.
    off, on = eater_run("none", cores=1), eater_run("v1", cores=1)
    assert per_s(on.vm, "pgsteal_anon") < 1.05 * per_s(off.vm, "pgsteal_anon")
    gain_8 = eater_run("v1").vm["pgsteal_anon"] / eater_run("none").vm["pgsteal_anon"]
    gain_1 = on.vm["pgsteal_anon"] / off.vm["pgsteal_anon"]
    assert gain_1 < gain_8


def test_unofficial_sysctl_zero_is_off_and_depth_matters() -> None:
    off = eater_run("none")
    zero = eater_run("unofficial", sysctl=0)
    assert zero.kcompressd_cpu == 0
    assert abs(zero.vm["pgsteal_anon"] - off.vm["pgsteal_anon"]) <= 0.02 * off.vm["pgsteal_anon"]
    shallow, deep = eater_run("unofficial", sysctl=24), eater_run("unofficial", sysctl=256)
    assert shallow.vm["pgsteal_anon"] < deep.vm["pgsteal_anon"]
    assert deep.vm["allocstall_movable"] < zero.vm["allocstall_movable"]


def test_rfc_threads_start_on_first_use() -> None:
    kernel, _ = make_kernel("rfc")
    names = {t.name for t in kernel.threads()}
    assert "kswapd0" in names and not any(n.startswith("kcompressd") for n in names)
    run = eater_run("rfc")
    assert run.kcompressd_cpu > 0
    kernel, clock = make_kernel("rfc")
    eat(kernel, clock, 0.2)
    names = {t.name for t in kernel.threads()}
    assert {f"kcompressd:{i}" for i in range(4)} <= names and "kcompressd0" not in names
    params = "/sys/module/kcompressd/parameters"
    assert kernel.knobs()[f"{params}/nr_kcompressd"].render() == b"4\n"
    assert kernel.knobs()[f"{params}/queue_size_per_kcompressd"].render() == b"4096\n"


@pytest.mark.parametrize(
    ("variant", "knob", "thread"),
    [("none", None, None), ("v1", None, "kcompressd0"), ("unofficial", SYSCTL, "kcompressd0")],
)
def test_variant_knobs_and_threads(variant: str, knob: str | None, thread: str | None) -> None:
    kernel, _ = make_kernel(variant)
    knobs = kernel.knobs()
    assert (SYSCTL in knobs) is (knob == SYSCTL)
    assert not any(path.startswith("/sys/module/kcompressd") for path in knobs)
    names = {t.name for t in kernel.threads()}
    assert ("kcompressd0" in names) is (thread == "kcompressd0")
    if knob:
        assert knobs[knob].render() == b"24\n"
        for bad in (b"257\n", b"-1\n", b"on\n"):
            with pytest.raises(FsError) as info:
                knobs[knob].on_write(bad)
            assert info.value.errno_name == "EINVAL"
        knobs[knob].on_write(b"0\n")
        assert knobs[knob].render() == b"0\n"
