"""A strict in-process fake of the QEMU guest agent (contract_qemu) and a launcher that boots it.

Files are a dict; ``asuite-app`` processes and the memeater wrapper are tiny
state machines answering signals as the real programs do. Anything the fake
does not know fails loudly (AssertionError), like the suite's FakeTransport.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from android_suite.virtual.bootimg import build_boot_image
from android_suite.virtual.qemu.guest import BootFiles

DATA = Path(__file__).resolve().parents[3] / "data" / "qemu"
BANNER = b"Linux version 6.12.38 (builder@android-suite) (aarch64-linux-gnu-gcc 14.2.0) #1 SMP PREEMPT 2026"
KNOB_FILES = {"/proc/sys/vm/swappiness": b"100\n", "/proc/sys/vm/kcompressd": b"256\n"}


def arm64_image(tag: bytes = b"") -> bytes:
    """Bytes shaped like an arm64 ``Image``: "ARMd" magic at offset 56, then the banner."""
    head = bytearray(64)
    head[56:60] = b"ARM\x64"
    return bytes(head) + BANNER + tag + b"\0" * 64


def boot_image(tag: bytes = b"", ramdisk: bytes = b"070701fake-cpio") -> bytes:
    return build_boot_image(arm64_image(tag), ramdisk, cmdline="console=ttyAMA0")


@dataclass
class FakeApp:
    pid: int
    argv: list[str]
    stats_path: str
    anon_kb: int
    touch_count: int = 0
    majflt: int = 0
    frames: int = 0
    janky: int = 0
    state: str = "background"
    alive: bool = True

    def render(self) -> bytes:
        return (
            f"pid={self.pid}\nanon_kb={self.anon_kb}\ntouch_count={self.touch_count}\nlast_touch_ms=250.0\n"
            f"frames={self.frames}\njanky={self.janky}\nframe_ms_p50=10\nframe_ms_p90=20\nframe_ms_max=40\n"
            f"majflt={self.majflt}\nstate={self.state}\n"
        ).encode()


@dataclass
class FakeAgent:
    files: dict[str, bytes] = field(default_factory=dict)
    apps: dict[int, FakeApp] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    next_pid: int = 200
    closed: bool = False

    def __post_init__(self) -> None:
        base = {
            "/proc/version": BANNER + b"\n",
            "/proc/vmstat": b"nr_free_pages 1000\npgsteal_anon 0\nallocstall_movable 0\n",
            "/proc/uptime": b"12.00 20.00\n",
            "/proc/meminfo": b"MemTotal:        1000000 kB\n",
            "/sys/block/zram0/mm_stat": b"0 0 0 0 0 0 0 0 0\n",
            **KNOB_FILES,
        }
        self.files = {**base, **self.files}

    # -- the agent's ops ---------------------------------------------------------------
    def ping(self, timeout: float | None = None) -> None:
        self.calls.append(("P", ""))

    def read(self, path: str, timeout: float | None = None) -> bytes:
        self.calls.append(("R", path))
        m = re.fullmatch(r"/proc/(\d+)/(stat|status|oom_score_adj)", path)
        if m and int(m.group(1)) in self.apps:
            app = self.apps[int(m.group(1))]
            if not app.alive:
                raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), path)
            if m.group(2) == "stat":
                tail = f"S 1 1 1 0 -1 4194624 0 0 {app.majflt} 0 5 5 0 0 20 0 1 0 9 1 1"
                return f"{app.pid} (asuite-app) {tail}\n".encode()
            if m.group(2) == "status":
                half = app.anon_kb // 2
                return f"Name:\tasuite-app\nRssAnon:\t   {half} kB\nVmSwap:\t   {half} kB\n".encode()
        if path in self.files:
            return self.files[path]
        raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), path)

    def write(self, path: str, data: bytes, timeout: float | None = None) -> None:
        self.calls.append(("W", path))
        if re.fullmatch(r"/proc/\d+/oom_score_adj", path):
            return
        if path not in KNOB_FILES:
            raise OSError(errno.ENOENT if path not in self.files else errno.EACCES, "refused", path)
        if path == "/proc/sys/vm/kcompressd" and not (data.strip().isdigit() and int(data) <= 256):
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL), path)
        self.files[path] = data

    def listdir(self, path: str, timeout: float | None = None) -> list[str]:
        raise AssertionError(f"unexpected listdir {path}")

    def exec(self, argv: Sequence[str], timeout: float) -> tuple[int, bytes]:
        self.calls.append(("X", " ".join(argv[:3])))
        if list(argv[:2]) == ["sh", "-c"] and len(argv) > 3 and argv[3] == "probe":
            return 0, "".join(f"{p}\n" for p in argv[4:] if p in self.files).encode()
        if list(argv[:2]) == ["sh", "-c"] and "/proc/[0-9]*/stat" in argv[2]:
            return 0, (DATA / "stat_all.txt").read_bytes()
        if list(argv[:2]) == ["rm", "-f"]:
            self.files.pop(argv[2], None)
            return 0, b""
        raise AssertionError(f"unexpected exec {list(argv)}")

    def spawn(self, argv: Sequence[str], log: str | None = None, timeout: float | None = None) -> int:
        self.calls.append(("S", argv[0]))
        pid, self.next_pid = self.next_pid, self.next_pid + 1
        if argv[0] == "asuite-app":
            opts = dict(zip(argv[1::2], argv[2::2], strict=False))
            app = FakeApp(pid, list(argv), opts["--stats"], int(opts["--anon-mb"]) * 1024)
            self.apps[pid] = app
            self.files[app.stats_path] = app.render()
            return pid
        if argv[:2] == ["sh", "-c"] and "memeater" in argv[2] and log:
            eater = pid + 1
            self.next_pid += 1
            self.files[log] = (
                f"::asuite-pid {eater}\nmemeater start pid={eater} version=1 target_kb=1024\n"
                f"memeater end t=0.1 allocated_kb=1024 touched_pages=0 reason=duration\n::asuite-exit 0\n"
            ).encode()
            return pid
        raise AssertionError(f"unexpected spawn {list(argv)}")

    def kill(self, pid: int, sig: int = 15, timeout: float | None = None) -> None:
        self.calls.append(("K", f"{pid} {sig}"))
        app = self.apps.get(pid)
        if app is None or not app.alive:
            raise OSError(errno.ESRCH, os.strerror(errno.ESRCH), str(pid))
        if sig == 10:  # SIGUSR1: foreground, touch everything, render
            app.touch_count += 1
            app.majflt += 100
            app.frames += 50
            app.janky += 10
            app.state = "foreground"
        elif sig == 12:
            app.state = "background"
        else:
            app.alive = False
            return
        self.files[app.stats_path] = app.render()

    def close(self) -> None:
        self.closed = True


class FakeGuest:
    def __init__(self, agent: FakeAgent, console: str = "") -> None:
        self._agent = agent
        self.console = console
        self.stopped = False

    @property
    def agent(self) -> FakeAgent:
        return self._agent

    def console_text(self) -> str:
        return self.console

    def stop(self) -> None:
        self.stopped = True


class FakeLauncher:
    """Boots a fresh FakeGuest per call; remembers every guest and what it booted."""

    def __init__(self, fail: bool = False, panic_tag: bytes | None = None) -> None:
        self.guests: list[FakeGuest] = []
        self.booted: list[BootFiles] = []
        self.fail = fail
        self.panic_tag = panic_tag  # kernels carrying this tag panic at boot

    def __call__(self, files: BootFiles) -> FakeGuest:
        self.booted.append(files)
        if self.fail or (self.panic_tag is not None and self.panic_tag in files.kernel.read_bytes()):
            raise RuntimeError("kernel panic (fake)")
        guest = FakeGuest(FakeAgent())
        self.guests.append(guest)
        return guest

    @property
    def current(self) -> FakeGuest:
        return self.guests[-1]
