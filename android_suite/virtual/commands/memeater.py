"""The pushed memory eater, emulated, and the exec of files by path (``./prog``, ``/data/local/tmp/x``).

On a phone the suite pushes ``apk_workloads/memeater/memeater.c`` built as a
static ELF and runs it. Here the shell cannot run ELF code, so a file whose
bytes carry the marker the C source embeds (:data:`MARKER`) runs this
emulation instead: same options, same progress lines, but its memory is the
handset's memory model (``MemoryBackend``: spawn, allocate, touch, exit), so
kswapd, zram and kcompressd in the SimKernel see the pressure.

Every other file fails as mksh fails on Android (:func:`program_at`): missing,
not executable, an ELF for another architecture; an executable for the right
architecture without a marker would run on a phone, so here it is loud.

Signals: ``kill`` of an eater's pid from any shell (the builtin handles only
its own shell's jobs and passes other pids to the table's ``kill``, below).
TERM/INT/HUP end it with its final line and status 0 (HUP: 129, no line, as the
C program sets no handler for it); KILL ends it at once with 137. Closing the
adb stream cancels the command; the process leaves the model either way.
"""

from __future__ import annotations

import stat
import weakref
from dataclasses import dataclass

from android_suite.virtual.api import FileSystem, FsError
from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.framework import as_memory_backend, framework_of
from android_suite.virtual.memory_api import MemoryBackend, ProcSpec

MARKER = b"ANDROID_SUITE_MEMEATER v1"  # keep in sync with memeater.c and workloads/build.py
SH = "/system/bin/sh"
_ELF_MACHINES = {183: "aarch64", 62: "x86_64", 40: "arm", 3: "x86"}
_SIGNALS = {"HUP": 1, "INT": 2, "KILL": 9, "TERM": 15}
TICK_S = 0.05  # emulation step: coarser than the C program's 20 ms to keep the model cheap
# The model's scale turns values above 0.8 into zero pages (sim/proc.py page_mix); the real eater
# never writes zero pages (zeromap on 6.12+ would hide them from zram), so stay below that band.
_MODEL_MAX_COMPRESSIBILITY = 0.8

_USAGE = """usage: memeater [options]   (ANDROID_SUITE_MEMEATER v1)
  --size-mb N  --size-pct P  --rate-mbps R  --compressibility C  --touch-fraction F
  --touch-period S  --duration S  --interval S  --seed N  --dump-pages N  --help
"""
_RANGES = {
    "--size-mb": (1.0, 2.0**20),
    "--size-pct": (0.1, 100.0),
    "--rate-mbps": (0.0, 2.0**20),
    "--compressibility": (0.0, 1.0),
    "--touch-fraction": (0.0, 1.0),
    "--touch-period": (0.01, 3600.0),
    "--duration": (0.0, 1e7),
    "--interval": (0.01, 3600.0),
    "--seed": (0.0, 1e15),
    "--dump-pages": (1.0, 2.0**20),
}
_DEFAULTS = {"--size-pct": 50.0, "--rate-mbps": 256.0, "--compressibility": 0.67, "--touch-fraction": 0.5}
_DEFAULTS |= {"--touch-period": 1.0, "--interval": 1.0, "--seed": 1.0, "--duration": 0.0}


@dataclass
class _Eater:
    """A running emulated eater, findable by pid from other shells."""

    pid: int
    signal: int = 0  # the last signal sent (the run loop reads it every tick)


_RUNNING: weakref.WeakKeyDictionary[object, dict[int, _Eater]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class ExecFailure:
    """Why a file given by path does not run: mksh's message and status."""

    status: int
    message: str
    unmodelled: bool = False  # it would run on a phone; the fake cannot (log it loudly)


def program_at(fs: FileSystem, path: str, machine: str) -> CommandFn | ExecFailure:
    """What running the file at ``path`` does on a handset whose CPU is ``machine``."""
    found = fs.stat(path)
    if found is None:
        return ExecFailure(127, "inaccessible or not found")
    if stat.S_ISDIR(found.mode) or not found.mode & 0o111:
        return ExecFailure(126, "can't execute: Permission denied")  # execve: EACCES
    try:
        data = fs.read(path)
    except FsError:
        return ExecFailure(126, "can't execute: Permission denied")
    if data[:4] == b"\x7fELF" and len(data) >= 20:
        bits = 64 if data[4] == 2 else 32
        arch = _ELF_MACHINES.get(int.from_bytes(data[18:20], "little"))
        if arch != machine and not (machine == "aarch64" and arch == "arm"):
            # ENOEXEC from the kernel; mksh then names the ELF class (message from memory, unverified).
            return ExecFailure(126, f"not executable: {bits}-bit ELF file")
    if MARKER in data:
        return memeater
    return ExecFailure(126, "not implemented by the virtual handset: a program the fake cannot run", True)


@dataclass(frozen=True)
class _Options:
    target_kb: int
    rate_kbps: float
    compressibility: float
    touch_fraction: float
    touch_period_s: float
    duration_s: float
    interval_s: float
    seed: int


def _parse(args: list[str], mem_total_kb: int) -> _Options | str | None:
    """Options as memeater.c reads them; a str is the error, None means --help."""
    values = dict(_DEFAULTS)
    size_mb: float | None = None
    it = iter(args)
    for name in it:
        if name in ("--help", "-h"):
            return None
        value = next(it, None)
        if name not in _RANGES or value is None:
            return f"unknown option or missing value: {name}"
        lo, hi = _RANGES[name]
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not lo <= number <= hi:
            return f"bad value for {name}: '{value}' (want {lo:g}..{hi:g})"
        if name == "--size-mb":
            size_mb = number
        values[name] = number
    if "--dump-pages" in values:
        return "--dump-pages is not emulated (it writes raw pages; run the binary on the host)"
    target = int(size_mb * 1024) if size_mb is not None else int(mem_total_kb * values["--size-pct"] / 100)
    return _Options(
        target_kb=target // 4 * 4,
        rate_kbps=values["--rate-mbps"] * 1024,
        compressibility=values["--compressibility"],
        touch_fraction=values["--touch-fraction"],
        touch_period_s=values["--touch-period"],
        duration_s=values["--duration"],
        interval_s=values["--interval"],
        seed=int(values["--seed"]),
    )


def _memory(ctx: CommandContext) -> MemoryBackend | None:
    fw = framework_of(ctx.services)
    return fw.memory if fw is not None else as_memory_backend(ctx.services.kernel)


async def memeater(ctx: CommandContext) -> int:
    """The emulated eater (see the module docstring); output lines match memeater.c."""
    from android_suite.virtual.qemu.eater import guest_kernel, run_guest_eater

    kernel = guest_kernel(ctx.services)
    if kernel is not None:  # a real kernel under QEMU: the guest's own memeater eats real memory
        return await run_guest_eater(ctx, kernel, _RUNNING.setdefault(ctx.services, {}))
    opts = _parse(ctx.argv[1:], ctx.services.profile.mem_total_kb)
    if opts is None:
        await ctx.out(_USAGE)
        return 0
    if isinstance(opts, str):
        await ctx.err(f"memeater: {opts}\n{_USAGE}")
        return 2
    memory = _memory(ctx)
    if memory is None:
        return await ctx.unsupported()
    level = min(opts.compressibility, _MODEL_MAX_COMPRESSIBILITY)
    pid = memory.spawn(ProcSpec(name=ctx.name, uid=ctx.uid, oom_score_adj=0, compressibility=level))
    eater = _Eater(pid)
    _RUNNING.setdefault(ctx.services, {})[pid] = eater
    try:
        await ctx.out(
            f"memeater start pid={pid} version=1 page_size=4096 target_kb={opts.target_kb} "
            f"rate_kbps={opts.rate_kbps:.0f} compressibility={opts.compressibility:.3f} "
            f"touch_fraction={opts.touch_fraction:.3f} seed={opts.seed} duration_s={opts.duration_s:.3f}\n"
        )
        return await _run(ctx, memory, eater, opts, level)
    finally:
        _RUNNING.get(ctx.services, {}).pop(pid, None)
        if memory.alive(pid):
            memory.exit(pid)


async def _run(ctx: CommandContext, memory: MemoryBackend, eater: _Eater, opts: _Options, level: float) -> int:
    clocks = ctx.state.clocks
    start = last_report = clocks.monotonic()
    allocated = at_report = touched = 0
    carry = 0.0
    reason = "signal"
    while True:
        if eater.signal in (_SIGNALS["KILL"], _SIGNALS["HUP"]) or not memory.alive(eater.pid):
            return 128 + (eater.signal or _SIGNALS["KILL"])  # killed (by kill, lmkd or the OOM killer)
        if eater.signal:
            break
        t = clocks.monotonic() - start
        if opts.duration_s > 0 and t >= opts.duration_s:
            reason = "duration"
            break
        want = opts.target_kb if opts.rate_kbps <= 0 else min(opts.target_kb, int(opts.rate_kbps * t) // 4 * 4)
        stall = 0.0
        if want > allocated:
            stall += memory.allocate(eater.pid, want - allocated, level).stall_s
            allocated = want
        share = opts.touch_fraction * TICK_S / opts.touch_period_s
        if allocated and share > 0:
            stall += memory.touch(eater.pid, min(1.0, share)).stall_s
            carry += allocated / 4 * share
            touched += int(carry)
            carry -= int(carry)
        now = clocks.monotonic()
        if now - last_report >= opts.interval_s:
            rate = (allocated - at_report) / (now - last_report)
            line = f"t={now - start:.3f} allocated_kb={allocated} touched_pages={touched} rate_kbps={rate:.0f}"
            await ctx.out(f"memeater progress {line}\n")
            last_report, at_report = now, allocated
        # Reclaim stalls are time the real process would spend blocked, so it paces slower too.
        await clocks.sleep(TICK_S + stall)
    elapsed = clocks.monotonic() - start
    await ctx.out(f"memeater end t={elapsed:.3f} allocated_kb={allocated} touched_pages={touched} reason={reason}\n")
    return 0


async def kill(ctx: CommandContext) -> int:
    """``kill [-SIG] PID...`` for pids that are not the calling shell's jobs: the emulated eaters."""
    args = ctx.argv[1:]
    number = _SIGNALS["TERM"]
    if args[:1] == ["-s"] and len(args) > 1:
        args = ["-" + args[1], *args[2:]]
    if args and args[0].startswith("-") and len(args[0]) > 1:
        spec = args[0][1:].upper().removeprefix("SIG")
        found = int(spec) if spec.isdigit() else _SIGNALS.get(spec)
        if found not in (0, *_SIGNALS.values()):
            return await ctx.unsupported()  # STOP, CONT, USR1, ...: not modelled
        number, args = found or 0, args[1:]
    running = _RUNNING.get(ctx.services, {})
    if not args or not all(a.isdigit() for a in args):
        return await ctx.unsupported()
    known = {p.pid for p in ctx.services.processes()}
    status = 0
    for arg in args:
        eater = running.get(int(arg))
        if eater is None and int(arg) in known:
            return await ctx.unsupported()  # a system or app process: not modelled here
        if eater is None:
            await ctx.err(f"{SH}: kill: {arg}: No such process\n")
            status = 1
        elif number and (number == _SIGNALS["KILL"] or not eater.signal):
            eater.signal = number
    return status


COMMANDS: dict[str, CommandFn] = {"kill": kill}
