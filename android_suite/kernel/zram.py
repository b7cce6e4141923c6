"""Reconfigure a zram swap device (algorithm, disksize, streams) and put it back.

zram accepts ``comp_algorithm`` and ``disksize`` only on a reset device
(Documentation/admin-guide/blockdev/zram.rst: EBUSY otherwise), so every
change is the reset dance, as root, in one ``sh -c``: swapoff, ``reset``,
[``backing_dev``], ``comp_algorithm``, [``max_comp_streams``], ``disksize``,
mkswap, swapon. Then a fresh detection verifies it. :meth:`ZramConfigurator.restore`
dances back to what was there, backing device included (a reset clears it).

swapoff must read every swapped page back into RAM: on a loaded phone it
can take long or trigger lmkd kills, hence the generous timeout. Since 4.7
``max_comp_streams`` reads the CPU count and ignores writes, so streams are
written but not verified. A kernel-assigned (negative) swap priority cannot
be given back through ``swapon -p``; the kernel picks a new one.
"""

from __future__ import annotations

import logging
import shlex
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from android_suite.errors import DeviceError, PermanentDeviceError
from android_suite.kernel.detect import detect_reclaim
from android_suite.kernel.reclaim import ZramDevice

if TYPE_CHECKING:
    from android_suite.device.device import Device

log = logging.getLogger(__name__)
SWAP_APPLETS = ("swapoff", "swapon", "mkswap")


@dataclass(frozen=True)
class ZramConfig:
    """A zram set-up to apply; None leaves that setting as it is."""

    algorithm: str | None = None
    disksize: int | None = None  # bytes
    streams: int | None = None


@dataclass(frozen=True)
class ZramRecord:
    """What a zram change did, for results: the device before and after."""

    name: str
    wanted: ZramConfig
    before: ZramDevice
    after: ZramDevice

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def zram_unsupported(device: Device, name: str = "zram0", *, timeout: float = 30.0) -> str | None:
    """Why the reset dance cannot run on ``device`` (one shell call), or None when it can."""
    if not device.is_root():
        return "zram reconfiguration needs root (swapoff, reset, swapon)"
    probe = (
        f"[ -e /sys/block/{name}/reset ] || echo 'missing /sys/block/{name}/reset'; "
        f"a=$(toybox 2>/dev/null); for c in {' '.join(SWAP_APPLETS)}; do "
        'case " $a " in *" $c "*) ;; *) [ -x /system/bin/$c ] || echo "missing command $c";; esac; done'
    )
    out = device.shell(["sh", "-c", probe], timeout=timeout, check=False).stdout
    missing = [line.strip() for line in out.splitlines() if line.strip().startswith("missing")]
    return f"zram reset dance not possible on {device.serial}: " + ", ".join(missing) if missing else None


def dance_script(
    name: str, dev: ZramDevice, want: ZramConfig, *, backing: str | None, swapon: bool, priority: int | None
) -> str:
    """The reset dance for ``name`` (now ``dev``) as one shell script that fails fast, naming the step.

    ``priority`` is given to ``swapon -p`` when it is not negative (negative
    priorities are the kernel's own and cannot be requested).
    """
    sysfs = f"/sys/block/{name}"
    node = dev.swap.filename if dev.swap is not None else f"/dev/block/{name}"
    steps: list[tuple[str, str]] = []
    if dev.swap is not None:
        steps.append(("swapoff", f"swapoff {shlex.quote(node)}"))
    steps.append(("reset", f"echo 1 > {sysfs}/reset"))
    if backing:
        steps.append(("backing_dev", f"echo {shlex.quote(backing)} > {sysfs}/backing_dev"))
    if want.algorithm:
        steps.append(("comp_algorithm", f"echo {shlex.quote(want.algorithm)} > {sysfs}/comp_algorithm"))
    if want.streams is not None:
        steps.append(("max_comp_streams", f"echo {int(want.streams)} > {sysfs}/max_comp_streams"))
    if want.disksize:
        steps.append(("disksize", f"echo {int(want.disksize)} > {sysfs}/disksize"))
        if swapon:
            prio = f"-p {priority} " if priority is not None and priority >= 0 else ""
            steps.append(("mkswap", f"mkswap {shlex.quote(node)}"))
            steps.append(("swapon", f"swapon {prio}{shlex.quote(node)}"))
    return "\n".join(f"{cmd} || {{ echo 'zram step {step} failed' >&2; exit 1; }}" for step, cmd in steps)


class ZramConfigurator:
    """Applies :class:`ZramConfig` to one zram device and restores it. No I/O on construction."""

    def __init__(self, device: Device, name: str = "zram0", *, timeout: float = 300.0) -> None:
        self._device = device
        self._name = name
        self._timeout = timeout
        self._original: ZramDevice | None = None

    def _current(self) -> ZramDevice:
        setup = detect_reclaim(self._device, with_config=False)
        found = next((z for z in setup.zram if z.name == self._name), None)
        if found is None:
            raise PermanentDeviceError(f"no /sys/block/{self._name}", serial=self._device.serial)
        return found

    def _dance(self, dev: ZramDevice, want: ZramConfig, *, original: ZramDevice) -> None:
        priority = original.swap.priority if original.swap is not None else None
        swapon = original.swap_active or not original.disksize
        script = dance_script(self._name, dev, want, backing=original.backing_dev, swapon=swapon, priority=priority)
        self._device.shell(["sh", "-c", script], timeout=self._timeout, root=True)

    def apply(self, config: ZramConfig) -> ZramRecord:
        """Reset and reconfigure; settings left None keep their current value. Verified after.

        Raises:
            CommandError: a step of the dance failed (stderr names it).
            PermanentDeviceError: verification failed, or no such device.
        """
        before = self._current()
        if self._original is None:
            self._original = before
        want = ZramConfig(
            algorithm=config.algorithm or before.algorithm,
            disksize=config.disksize if config.disksize is not None else before.disksize,
            streams=config.streams,
        )
        self._dance(before, want, original=self._original)
        after = self._current()
        checks = (("algorithm", after.algorithm, want.algorithm), ("disksize", after.disksize, want.disksize))
        wrong = [f"{key} is {got!r}, wanted {wanted!r}" for key, got, wanted in checks if wanted and got != wanted]
        if want.disksize and not after.swap_active:
            wrong.append("no swap active on it after swapon")
        if wrong:
            message = f"{self._name} not reconfigured: " + "; ".join(wrong)
            raise PermanentDeviceError(message, serial=self._device.serial)
        return ZramRecord(self._name, want, before, after)

    def restore(self) -> list[str]:
        """Dance back to the original set-up; never raises (failures returned and logged)."""
        original, self._original = self._original, None
        if original is None:
            return []
        try:
            now = self._current()
            want = ZramConfig(original.algorithm, original.disksize or None, None)
            self._dance(now, want, original=original)
            return []
        except DeviceError as exc:
            message = f"{self._name} not restored to {original.algorithm}/{original.disksize}: {exc}"
            log.warning("%s: %s", self._device.serial, message)
            return [message]
