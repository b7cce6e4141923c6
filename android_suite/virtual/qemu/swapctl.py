"""mkswap, swapon and swapoff on a QEMU handset: the guest's busybox applets on the guest's devices.

The handset names block devices as Android does (``/dev/block/zram0``); the
guest's devtmpfs has them at ``/dev/zram0``. Failures come back as FsError
with the errno the applet's message names (EBUSY for a busy device, ...).
"""

from __future__ import annotations

from android_suite.errors import SuiteError
from android_suite.virtual.api import FsError
from android_suite.virtual.qemu.guest import AgentLike
from android_suite.virtual.vfs import STRERROR

SWAP_HEADER_KB = 4  # mkswap's first page


def guest_device(path: str) -> str:
    return path.replace("/dev/block/", "/dev/", 1)


def _errno_of(output: str) -> str:
    for name, text in STRERROR.items():
        if text.lower() in output.lower():
            return name
    return "EINVAL"


def run_swap_applet(agent: AgentLike, argv: list[str], path: str) -> None:
    try:
        status, out = agent.exec(argv, timeout=120.0)  # swapoff of a full zram device swaps everything back in
    except SuiteError as exc:
        raise FsError("EIO", f"{path}: {exc}") from exc
    if status != 0:
        text = out.decode(errors="replace").strip()
        raise FsError(_errno_of(text), f"{path}: {text or 'failed'}")


def mkswap_kb(agent: AgentLike, path: str) -> int:
    """Run mkswap on the guest device; the swap area's size in KiB (disksize less the header page)."""
    run_swap_applet(agent, ["mkswap", guest_device(path)], path)
    name = guest_device(path).rsplit("/", 1)[-1]
    try:
        size = int(agent.read(f"/sys/block/{name}/size").decode().strip()) * 512
    except (OSError, ValueError):
        return 0
    return max(0, size // 1024 - SWAP_HEADER_KB)
