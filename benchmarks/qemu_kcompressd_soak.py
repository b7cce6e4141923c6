"""Memory-eater soak of a real kbuild kernel under QEMU, vm.kcompressd flipped between phases.

Boots the cached build (``android-suite kernel-build`` first), runs memeater
over the whole soak (allocation past RAM, then a working set rewritten every
few seconds, so kswapd keeps swapping to zram) and alternates phases of
``vm.kcompressd`` = 256 and 0 (sysctl build; other builds run one arm).
Prints per-phase rates from /proc/vmstat (pswpout, pgsteal_anon, pgsteal
kswapd/direct, allocstall summed over zones), kswapd0/kcompressd0 CPU time,
and fails (exit 1) if the kernel log shows a WARNING, BUG, lockup or hung task
(allocation failures and swap write errors, which a too-fast eater causes on
the stock kernel too, are counted and printed).
Run: ``.venv/bin/python benchmarks/qemu_kcompressd_soak.py --minutes 10``.
Figures are one TCG guest on this machine, not a phone.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from android_suite.virtual.qemu.agent import GuestAgent
from android_suite.virtual.qemu.machine import QemuMachine, find_image

BAD = re.compile(r"WARNING:|BUG:|lockup|blocked for more than|Oops|Kernel panic")
PRESSURE = re.compile(r"page allocation failure|Write-error on swap-device")
KEYS = ("pswpout", "pswpin", "pgsteal_anon", "pgsteal_kswapd", "pgsteal_direct", "allocstall", "pgmajfault")


def vmstat(agent: GuestAgent) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in agent.read("/proc/vmstat").decode().splitlines():
        key, value = line.split()
        name = "allocstall" if key.startswith("allocstall_") else key
        out[name] = out.get(name, 0) + int(value)
    return out


def thread_cpu(agent: GuestAgent) -> dict[str, float]:
    """utime+stime seconds of kswapd*/kcompressd* (USER_HZ 100)."""
    script = 'for p in /proc/[0-9]*; do echo "$(cat $p/comm) $(cut -d" " -f14,15 $p/stat)"; done'
    _code, out = agent.exec(["sh", "-c", script], timeout=30)
    cpu: dict[str, float] = {}
    for line in out.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(("kswapd", "kcompressd")):
            cpu[parts[0]] = (int(parts[1]) + int(parts[2])) / 100
    return cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--arch", default="arm64")
    parser.add_argument("--variant", default="sysctl")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--phase-s", type=float, default=60.0, help="seconds per vm.kcompressd phase")
    parser.add_argument("--memory-mb", type=int, default=512)
    parser.add_argument("--cpus", type=int, default=2, help="guest vCPUs")
    parser.add_argument("--eater-pct", type=float, default=110.0, help="memeater size, %% of MemTotal (may pass 100)")
    parser.add_argument("--console", type=Path, default=Path("out/qemu-soak/console.log"))
    args = parser.parse_args()
    image = find_image(args.arch, args.variant)
    if image is None:
        print(f"no cached {args.arch}/{args.variant} build: android-suite kernel-build --arch {args.arch} "
              f"--variant {args.variant}", file=sys.stderr)  # fmt: skip
        return 2
    with QemuMachine(image, cpus=args.cpus, memory_mb=args.memory_mb, console_log=args.console) as machine:
        agent = machine.start(timeout=120)
        print(f"booted {args.arch}/{args.variant} in {machine.boot_seconds:.1f} s (kvm={machine.uses_kvm}), "
              f"{args.memory_mb} MB, {args.cpus} vCPUs; {agent.read('/proc/version').decode().split()[2]}")  # fmt: skip
        knob = agent.listdir("/proc/sys/vm").count("kcompressd") == 1
        total_kb = int(agent.read("/proc/meminfo").decode().split("MemTotal:")[1].split()[0])
        eater = ["memeater", "--size-mb", f"{total_kb * args.eater_pct / 100 / 1024:.0f}", "--rate-mbps", "100",
                 "--compressibility", "0.6", "--touch-fraction", "1", "--touch-period", "5"]  # fmt: skip
        pid = agent.spawn(eater, log="/tmp/memeater.log")
        end = time.monotonic() + args.minutes * 60
        totals: dict[str, dict[str, float]] = {}
        phase = 0
        while time.monotonic() < end:
            setting = ("256" if phase % 2 == 0 else "0") if knob else "n/a"
            if knob:
                agent.write("/proc/sys/vm/kcompressd", setting.encode())
            v0, c0, t0 = vmstat(agent), thread_cpu(agent), time.monotonic()
            time.sleep(max(1.0, min(args.phase_s, end - time.monotonic())))
            v1, c1, dt = vmstat(agent), thread_cpu(agent), time.monotonic() - t0
            if agent.exec(["kill", "-0", str(pid)], timeout=10)[0] != 0:
                print("memeater died (OOM?); restarting it")
                pid = agent.spawn(eater, log="/tmp/memeater.log")
            rates = {k: (v1.get(k, 0) - v0.get(k, 0)) / dt for k in KEYS}
            cpu = {k: c1.get(k, 0) - c0.get(k, 0) for k in c1}
            swap = agent.read("/proc/swaps").decode().splitlines()[1].split()[3]
            print(f"phase {phase} kcompressd={setting:>3}: " + ", ".join(f"{k} {v:.0f}/s" for k, v in rates.items())
                  + f"; cpu s {cpu}; zram used {swap} kB", flush=True)  # fmt: skip
            acc = totals.setdefault(setting, {"seconds": 0.0})
            acc["seconds"] += dt
            for k in KEYS:
                acc[k] = acc.get(k, 0.0) + rates[k] * dt
            for k, v in cpu.items():
                acc[f"cpu_{k}"] = acc.get(f"cpu_{k}", 0.0) + v
            phase += 1
        agent.kill(pid, 15)
        for setting, acc in totals.items():
            secs = acc.pop("seconds")
            print(f"TOTAL kcompressd={setting}: {secs:.0f} s; "
                  + ", ".join(f"{k} {v / secs:.0f}/s" if not k.startswith("cpu_") else f"{k} {v:.1f} s"
                              for k, v in acc.items()))  # fmt: skip
        bad = [line for line in machine.console_text().splitlines() if BAD.search(line)]
    console = machine.console_text().splitlines()
    ooms = sum("Out of memory: Killed" in line for line in console)
    pressure = sum(bool(PRESSURE.search(line)) for line in console)
    print(f"kernel log: {len(bad)} bad lines, {ooms} OOM kills, {pressure} allocation-failure/write-error lines; "
          f"console {args.console}")  # fmt: skip
    for line in bad[:20]:
        print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
