"""The kcompressd claim check on a real kernel: the reclaim-throughput workload in QEMU guests, off vs on.

Two comparisons, each "off" (baseline) against "on":

* ``builds``: the stock kernel (no kcompressd) against the v1 build (kcompressd
  built in; the sysctl build at its default depth when v1 is not cached), each
  booted fresh, in alternating blocks (off, on, off, on) so drift in the host's
  load does not line up with one arm. Booting a build is what flashing it and
  rebooting does on the QEMU handset; here the guests are booted directly.
* ``sysctl``: one boot of the sysctl build, ``vm.kcompressd`` written to 0 or
  to its default before each iteration, alternating (ABAB).

One iteration is the reclaim-throughput scenario's workload: the guest's
memeater (same C source as on phones) allocating more than the guest's RAM
and re-touching half of its pages every second. Once it has pushed the guest
into swap, the rates are taken over a fixed window of steady reclaim from
``/proc/vmstat`` and the reclaim threads' ``/proc/<pid>/stat``, read before and
after; then the eater is killed and the guest left to settle. The kernel log
of every boot is scanned for warnings, lockups and OOM kills, which the
report lists whatever the outcome.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from android_suite.parsers.vmstat import parse_vmstat
from android_suite.virtual.qemu.guest import AgentLike
from android_suite.virtual.qemu.guestfacts import kernel_trouble, parse_oom_kills, parse_task_stats

KNOB = "/proc/sys/vm/kcompressd"
SETTLE_POLL_S = 1.0  # reclaim counts as stopped when pgscan did not move over this long
UNITS = {
    "pgsteal_anon_per_s": "pages/s",
    "allocstall_total_per_s": "events/s",
    "pgscan_anon_per_s": "pages/s",
    "pswpout_per_s": "pages/s",
    "kswapd_cpu_pct": "%",
    "kcompressd_cpu_pct": "%",
    "pswpin_per_s": "pages/s",
}
SWAP_START_PAGES = 256  # swap-outs that mark the start of steady reclaim


@dataclass(frozen=True)
class ClaimSettings:
    """How hard and how long each iteration pushes the guest.

    Attributes:
        eater_pct: memeater size as a share of the guest's MemTotal (over 100: reclaim is certain).
        seconds: the measurement window per iteration, once the eater has pushed the guest into swap.
        rate_mbps: its allocation rate (0 = as fast as the guest can; under TCG about 100 MB/s).
        compressibility: of the eater's pages (0.67: the suite's default workload).
        touch_fraction: share of its pages re-touched per second (swap-ins, more reclaim).
        warmup: unmeasured iterations after every boot.
    """

    iterations: int = 6
    warmup: int = 1  # unmeasured iterations after each boot
    eater_pct: float = 110.0
    seconds: float = 20.0
    rate_mbps: float = 0.0
    compressibility: float = 0.67
    touch_fraction: float = 0.5


@dataclass
class Guest:
    """What one booted guest offers the check (the claim command adapts QemuMachine to this)."""

    agent: AgentLike
    console: Callable[[], str]
    uses_kvm: bool
    boot_seconds: float | None
    mem_total_kb: int = 0  # read at boot
    image: str = ""  # which kernel file booted (a cache key: a rebuilt kernel shows as another one)


BootFn = Callable[[str], AbstractContextManager[Guest]]  # boots one build ("stock", "v1", "sysctl")


@dataclass
class ClaimRun:
    """Everything the report needs: per-iteration values and facts about the guests."""

    rows: list[dict[str, object]] = field(default_factory=list)  # device, metric, variant, value, unit, iteration
    facts: dict[str, str] = field(default_factory=dict)
    boots: list[dict[str, object]] = field(default_factory=list)  # build, release, boot_s, trouble, oom kills


def eater_argv(settings: ClaimSettings, mem_total_kb: int) -> list[str]:
    """The guest memeater at ``eater_pct`` of RAM, unpaced, re-touching its pages, running until stopped."""
    size_mb = max(1, int(mem_total_kb * settings.eater_pct / 100 / 1024))
    return [
        "memeater", "--size-mb", str(size_mb), "--rate-mbps", f"{settings.rate_mbps:g}",
        "--compressibility", f"{settings.compressibility:g}", "--touch-fraction", f"{settings.touch_fraction:g}",
        "--interval", "5",
    ]  # fmt: skip


def _reclaim_cpu(agent: AgentLike) -> tuple[float, float]:
    """(kswapd, kcompressd) CPU seconds since boot, all nodes."""
    _, out = agent.exec(["sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null; true"], timeout=30.0)
    ks = kc = 0.0
    for task in parse_task_stats(out.decode(errors="replace")):
        if task.kernel_thread and task.comm.startswith("kswapd"):
            ks += task.utime_s + task.stime_s
        elif task.kernel_thread and task.comm.startswith("kcompressd"):
            kc += task.utime_s + task.stime_s
    return ks, kc


def _settle(agent: AgentLike, timeout: float = 30.0) -> None:
    """Wait until reclaim stops (pgscan still for a poll period) after the previous eater, then drop caches."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        scanned = parse_vmstat(agent.read("/proc/vmstat")).pgscan_total
        if scanned == last:
            break
        last = scanned
        time.sleep(SETTLE_POLL_S)  # wait-ok: the quiet period itself is the condition being waited for
    agent.exec(["sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches"], timeout=60.0)


class EaterDied(RuntimeError):
    """The eater did not survive the iteration (the OOM killer): the iteration is discarded."""


def _alive(agent: AgentLike, pid: int) -> bool:
    try:
        return " Z " not in agent.read(f"/proc/{pid}/stat").decode(errors="replace")
    except FileNotFoundError:
        return False


def _wait_for_reclaim(agent: AgentLike, pid: int, base: int, timeout: float) -> None:
    """Block until the eater has pushed the guest into swap (pswpout moved), or raise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (parse_vmstat(agent.read("/proc/vmstat")).pswpout or 0) > base + SWAP_START_PAGES:
            return
        if not _alive(agent, pid):
            raise EaterDied("the memory eater died before the guest reached swap (OOM kill)")
        time.sleep(SETTLE_POLL_S / 4)  # wait-ok: poll interval of a deadline-bounded wait for swap-out
    raise RuntimeError(f"no swap-out within {timeout:.0f} s of starting the eater: raise --eater-pct")


def measure(agent: AgentLike, settings: ClaimSettings, mem_total_kb: int) -> dict[str, float]:
    """One iteration: start the eater, wait for reclaim, then rates over a fixed window of steady reclaim."""
    _settle(agent)
    base = parse_vmstat(agent.read("/proc/vmstat")).pswpout or 0
    pid = agent.spawn(eater_argv(settings, mem_total_kb), log="/run/claim-eater.log")
    try:
        _wait_for_reclaim(agent, pid, base, timeout=180.0)
        v0, cpu0, t0 = parse_vmstat(agent.read("/proc/vmstat")), _reclaim_cpu(agent), time.monotonic()
        time.sleep(settings.seconds)  # wait-ok: the measurement window itself, not a wait for a condition
        v1, cpu1, t1 = parse_vmstat(agent.read("/proc/vmstat")), _reclaim_cpu(agent), time.monotonic()
        if not _alive(agent, pid):
            raise EaterDied("the memory eater was killed during the measured window (OOM kill)")
    finally:
        with contextlib.suppress(ProcessLookupError):  # the OOM killer may have taken it
            agent.kill(pid, 9)
    wall = t1 - t0

    def rate(before: int | None, after: int | None) -> float:
        return float("nan") if before is None or after is None else (after - before) / wall

    return {
        "pgsteal_anon_per_s": rate(v0.pgsteal_anon, v1.pgsteal_anon),
        "allocstall_total_per_s": rate(v0.allocstall_total, v1.allocstall_total),
        "pgscan_anon_per_s": rate(v0.values.get("pgscan_anon"), v1.values.get("pgscan_anon")),
        "pswpout_per_s": rate(v0.pswpout, v1.pswpout),
        "pswpin_per_s": rate(v0.pswpin, v1.pswpin),
        "kswapd_cpu_pct": 100 * (cpu1[0] - cpu0[0]) / wall,
        "kcompressd_cpu_pct": 100 * (cpu1[1] - cpu0[1]) / wall,
    }


def measure_valid(
    guest: Guest, settings: ClaimSettings, run: ClaimRun, say: Callable[[str], None]
) -> dict[str, float]:
    """:func:`measure`, again when the OOM killer spoilt the iteration (counted in the report's facts)."""
    for _ in range(3):
        try:
            return measure(guest.agent, settings, guest.mem_total_kb)
        except EaterDied as exc:
            key = "iterations discarded (OOM kill)"
            run.facts[key] = str(int(run.facts.get(key, "0")) + 1)
            say(f"[claim-check] iteration discarded: {exc}")
    raise EaterDied("three iterations in a row lost their eater to the OOM killer: lower --eater-pct")


def _record(run: ClaimRun, device: str, variant: str, iteration: int, values: dict[str, float]) -> None:
    for metric, value in values.items():
        if metric in UNITS:
            run.rows.append({"device": device, "metric": metric, "variant": variant, "value": value,
                             "unit": UNITS[metric], "iteration": iteration})  # fmt: skip


def _note_boot(run: ClaimRun, build: str, guest: Guest) -> None:
    version = guest.agent.read("/proc/version").decode(errors="replace").split()
    meminfo = guest.agent.read("/proc/meminfo").decode(errors="replace")
    run.facts.setdefault("guest MemTotal", " ".join(meminfo.splitlines()[0].split()[1:]))
    guest.mem_total_kb = int(meminfo.splitlines()[0].split()[1])
    run.facts["accelerator"] = "KVM" if guest.uses_kvm else "TCG (no KVM)"
    run.boots.append({"build": build, "release": version[2] if len(version) > 2 else "?", "image": guest.image,
                      "boot_s": guest.boot_seconds, "console": guest.console})  # fmt: skip


def _finish_boot(run: ClaimRun) -> None:
    boot = run.boots[-1]
    console = boot.pop("console")
    text = console() if callable(console) else ""
    boot["trouble"] = kernel_trouble(text)
    boot["oom_kills"] = len(parse_oom_kills(text))


@contextmanager
def _booted(run: ClaimRun, boot: BootFn, build: str, settings: ClaimSettings,
            say: Callable[[str], None]) -> Iterator[Guest]:  # fmt: skip
    with boot(build) as guest:
        _note_boot(run, build, guest)
        try:
            for i in range(settings.warmup):
                # The first eater after a boot meets an empty zram and a cold page cache and
                # reclaims several times slower than the ones after it: not measured.
                values = measure_valid(guest, settings, run, say)
                say(f"[claim-check] {build}: warm-up {i + 1}: {_brief(values)}")
            yield guest
        finally:
            _finish_boot(run)


def run_builds(run: ClaimRun, boot: BootFn, on_build: str, settings: ClaimSettings,
               say: Callable[[str], None]) -> None:  # fmt: skip
    """Comparison (a): stock ("off") against ``on_build`` ("on"), booted in alternating blocks."""
    device = f"builds: stock vs {on_build}"
    blocks = 2 if settings.iterations >= 4 else 1
    sizes = [settings.iterations // blocks + (1 if i < settings.iterations % blocks else 0) for i in range(blocks)]
    done = {"off": 0, "on": 0}
    for size in sizes:
        for variant, build in (("off", "stock"), ("on", on_build)):
            with _booted(run, boot, build, settings, say) as guest:
                for _ in range(size):
                    values = measure_valid(guest, settings, run, say)
                    done[variant] += 1
                    _record(run, device, variant, done[variant], values)
                    say(f"[claim-check] {device}: {variant} #{done[variant]}: {_brief(values)}")


def run_sysctl(run: ClaimRun, boot: BootFn, settings: ClaimSettings,
               say: Callable[[str], None]) -> None:  # fmt: skip
    """Comparison (b): one sysctl-build boot, vm.kcompressd 0 ("off") against its default ("on"), ABAB."""
    device = "sysctl: vm.kcompressd 0 vs default"
    with _booted(run, boot, "sysctl", settings, say) as guest:
        default = guest.agent.read(KNOB).decode().strip()
        run.facts["vm.kcompressd default"] = default
        try:
            for i in range(settings.iterations * 2):
                variant, value = ("off", "0") if i % 2 == 0 else ("on", default)
                guest.agent.write(KNOB, f"{value}\n".encode())
                if guest.agent.read(KNOB).decode().strip() != value:
                    raise RuntimeError(f"{KNOB} did not take {value}")
                values = measure_valid(guest, settings, run, say)
                _record(run, device, variant, i // 2 + 1, values)
                say(f"[claim-check] {device}: {variant} #{i // 2 + 1}: {_brief(values)}")
        finally:
            guest.agent.write(KNOB, f"{default}\n".encode())


def _brief(values: dict[str, float]) -> str:
    return (f"pgsteal_anon {values['pgsteal_anon_per_s']:.0f}/s, allocstall {values['allocstall_total_per_s']:.1f}/s, "
            f"kswapd {values['kswapd_cpu_pct']:.0f}%, kcompressd {values['kcompressd_cpu_pct']:.0f}%")  # fmt: skip


def host_facts() -> dict[str, str]:
    import os
    import platform

    model = ""
    try:
        text = Path("/proc/cpuinfo").read_text()
        m = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
        model = m.group(1) if m else ""
    except OSError:
        pass
    return {"host CPUs": str(os.cpu_count()), "host CPU model": model or platform.machine()}
