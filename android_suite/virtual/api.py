"""Contracts between the parts of a virtual handset.

The adb endpoint (``adbd/``) serves a :class:`HandsetEndpoint`; the shell
interpreter (``shell/``) runs commands against :class:`HandsetServices`; the
filesystem (``vfs.py``) and the kernel backend sit underneath. Each side
depends on these Protocols only, so the modelled kernel can later be swapped
for a real one under QEMU without touching the wire protocol code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

# st_mode type bits, as sync STAT/DENT report them.
S_IFDIR = 0o040000
S_IFREG = 0o100000
S_IFLNK = 0o120000


@dataclass(frozen=True)
class FileStat:
    """What sync STAT and LIST report: full st_mode (type bits + permissions)."""

    mode: int
    size: int
    mtime: int


class FsError(Exception):
    """A filesystem operation failed; ``message`` reads like the device's own.

    Attributes:
        errno_name: "ENOENT", "EISDIR", "ENOTDIR", "EACCES", "EROFS", ...
    """

    def __init__(self, errno_name: str, message: str) -> None:
        self.errno_name = errno_name
        self.message = message
        super().__init__(message)


class FileSystem(Protocol):
    """The handset's files, as sync and the shell see them."""

    def stat(self, path: str) -> FileStat | None:
        """lstat semantics; None when the path does not exist."""
        ...

    def listdir(self, path: str) -> list[tuple[str, FileStat]]:
        """Entries of a directory (no "." or ".."); raises FsError."""
        ...

    def read(self, path: str) -> bytes:
        """Whole content of a file (dynamic files are rendered now); raises FsError."""
        ...

    def write(self, path: str, data: bytes, mode: int = 0o644, mtime: int | None = None) -> None:
        """Create or replace a file; raises FsError (read-only, no parent, ...)."""
        ...


class ShellIO(Protocol):
    """Where a running command writes, and where it reads stdin from."""

    async def write_out(self, data: bytes) -> None: ...

    async def write_err(self, data: bytes) -> None: ...

    async def read_stdin(self, n: int = 65536) -> bytes:
        """Up to n bytes of stdin; b"" at end of input."""
        ...


class Shell(Protocol):
    """Runs a command line (``sh -c`` semantics) and returns its exit status."""

    async def run(self, command: str, io: ShellIO) -> int: ...


# A device-local TCP connection (the target of adb's ``tcp:PORT`` service).
TcpOpener = Callable[[int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None]]


@dataclass
class Faults:
    """Fault switches, flipped at run time by the control API in tests.

    Attributes:
        hang: accept nothing new and answer no stream until cleared (a hung adbd).
        delay_s: extra delay before every message the device sends (a slow link).
        garble: corrupt shell stdout (flip bytes), as a failing USB link does.
        refuse: close every new TCP connection at once (adbd not running).
        drop_after_bytes: once this many more payload bytes have crossed the
            adb link (either direction), drop the connection carrying them
            (a cable pulled mid-push or mid-sample); None = off.
        hang_command: a shell command line containing this text never
            finishes (until the host closes its stream); None = off.
        garble_file: reads of this path return corrupted bytes.
        truncate_file: reads of this path return only the first
            ``truncate_bytes`` bytes (a file cut short by a dying device).
        truncate_bytes: see truncate_file.
        fail_flash: fastboot ``flash`` of this partition base name ("boot",
            or "*" for any) answers FAIL and writes nothing.
        storage_full: writes of data to files under this path prefix
            ("/data") fail with ENOSPC, "No space left on device" (a push, a
            ``>`` redirection); None = off.
        fastboot_drop_after_bytes: once this many bytes of a fastboot
            ``download`` have arrived, the fastboot link is reset mid-transfer
            (a cable pulled while flashing); one drop per arming; None = off.
    """

    hang: bool = False
    delay_s: float = 0.0
    garble: bool = False
    refuse: bool = False
    drop_after_bytes: int | None = None
    hang_command: str | None = None
    garble_file: str | None = None
    truncate_file: str | None = None
    truncate_bytes: int = 0
    fail_flash: str | None = None
    storage_full: str | None = None
    fastboot_drop_after_bytes: int | None = None

    def disk_full(self, path: str) -> bool:
        """Whether a data write to ``path`` must fail with ENOSPC now."""
        prefix = self.storage_full
        if prefix is None:
            return False
        prefix = prefix.rstrip("/") or "/"
        return prefix == "/" or path == prefix or path.startswith(prefix + "/")

    def consume_fastboot_bytes(self, n: int) -> bool:
        """Count ``n`` download bytes against fastboot_drop_after_bytes; True: reset the link now."""
        if self.fastboot_drop_after_bytes is None:
            return False
        self.fastboot_drop_after_bytes -= n
        if self.fastboot_drop_after_bytes > 0:
            return False
        self.fastboot_drop_after_bytes = None  # one drop per arming
        return True

    def consume_link_bytes(self, n: int) -> bool:
        """Count ``n`` bytes against drop_after_bytes; True when the link must drop now."""
        if self.drop_after_bytes is None:
            return False
        self.drop_after_bytes -= n
        if self.drop_after_bytes > 0:
            return False
        self.drop_after_bytes = None  # one drop per arming
        return True

    def filter_read(self, path: str, data: bytes) -> bytes:
        """What a read of ``path`` returns under the file faults."""
        if self.truncate_file is not None and path == self.truncate_file:
            data = data[: self.truncate_bytes]
        if self.garble_file is not None and path == self.garble_file:
            data = bytes(b ^ 0x5A if i % 7 == 3 else b for i, b in enumerate(data))
        return data


@dataclass
class BootState:
    """What changes across a reboot."""

    boot_id: str
    booted_at: float  # time.monotonic() when the boot started
    boot_seconds: float = 2.0  # sys.boot_completed stays 0 this long after boot
    mode: str = "android"  # "android" | "bootloader" | "off"


class HandsetEndpoint(Protocol):
    """What the adb endpoint needs from a handset."""

    @property
    def banner(self) -> bytes:
        """The CNXN payload.

        ``device::ro.product.name=..;ro.product.model=..;ro.product.device=..;features=shell_v2,cmd``
        """
        ...

    @property
    def accepts_adb(self) -> bool:
        """False while the handset is off or in the bootloader (no adbd runs then)."""
        ...

    @property
    def fs(self) -> FileSystem: ...

    @property
    def shell(self) -> Shell: ...

    @property
    def faults(self) -> Faults: ...

    async def open_tcp(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """Connect to a device-local TCP port; None if nothing listens there."""
        ...

    def register_connection(self, closer: Callable[[], None]) -> Callable[[], None]:
        """Track a live adb connection so a drop/reboot can close it.

        Returns a function that unregisters it (call it when the connection ends).
        """
        ...

    def request_reboot(self, target: str = "") -> None:
        """Reboot ("" = Android, "bootloader" = fastboot mode); drops connections."""
        ...


@dataclass
class ServiceLog:
    """What the handset saw: handy for tests that check what the suite sent."""

    shell_commands: list[str] = field(default_factory=list)
    unknown_commands: list[str] = field(default_factory=list)
    # Shell commands running now (key: a per-run token), so a test can see that
    # nothing the suite started (a sampler loop, an eater) was left behind.
    running: dict[int, str] = field(default_factory=dict)


class FastbootTarget(Protocol):
    """What the fastboot endpoint needs from a handset.

    ``bootloader`` is a :class:`android_suite.virtual.bootloader.Bootloader`
    (partitions, A/B slots, getvar table); it outlives reboots.
    """

    @property
    def bootloader(self) -> object: ...

    @property
    def in_bootloader(self) -> bool:
        """True while the handset sits in fastboot mode (the only time fastboot answers)."""
        ...

    def request_reboot(self, target: str = "") -> None: ...
