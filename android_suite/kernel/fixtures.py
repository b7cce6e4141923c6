"""pytest fixtures for kcompressd state and zram set-up; registered by the plugin at configure time.

- ``kcompressd``: parametrised over ``--kcompressd`` (``on,off`` by default);
  yields the :class:`StateRecord` of the handset in that state and restores
  it afterwards, whether the test passed, failed or skipped. A state no means
  can reach is a skip with the reasons.
- ``zram_config``: a factory; ``zram_config(algorithm="zstd", disksize=...)``
  does the reset dance and returns a :class:`ZramRecord`; the original set-up
  is danced back at teardown. Skipped where the dance cannot run.

Both leave their records for the results layer: in ``user_properties``
(what ``record_property`` writes, so JUnit XML carries them) and in the
item's stash under :data:`KCOMPRESSD_STATE` / :data:`ZRAM_STATE`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from android_suite.kernel.control import KcompressdControl
from android_suite.kernel.state import StateRecord, StateUnavailable
from android_suite.kernel.zram import ZramConfig, ZramConfigurator, ZramRecord, zram_unsupported

if TYPE_CHECKING:
    from android_suite.device.device import Device
    from android_suite.session import Target

KCOMPRESSD_STATE = pytest.StashKey[StateRecord]()
ZRAM_STATE = pytest.StashKey[list[ZramRecord]]()
ZramFactory = Callable[..., ZramRecord]


def _fastboot_for(handset: Target) -> Any:
    """A fastboot client for the handset, or None when the fastboot module is not there."""
    try:
        fastboot = importlib.import_module("android_suite.device.fastboot")
    except ImportError:
        return None
    target = f"tcp:127.0.0.1:{handset.virtual.fastboot_port}" if handset.virtual is not None else handset.serial
    return fastboot.FastbootClient(target)


def _flashable(device: Device) -> bool:
    # An unlocked bootloader reports ro.boot.flash.locked=0; anything else is not ours to flash.
    return device.getprop("ro.boot.flash.locked") == "0"


@pytest.fixture
def kcompressd(request: pytest.FixtureRequest, device: Device, handset: Target) -> Iterator[StateRecord]:
    """The handset with kcompressd in the state of this parametrisation (``on``/``off``)."""
    wanted = request.param
    manifest = request.config.getoption("android_suite_kcompressd_manifest", None)
    flashable = _flashable(device)
    if manifest is None and handset.virtual is not None:
        # Virtual handsets are unlocked and ours: flash them with the test images
        # built for their profile (cached by content), as `android-suite run` does.
        from android_suite.kernel.images import build_virtual_images

        manifest = build_virtual_images([handset.virtual.profile])
        flashable = True
    control = KcompressdControl(
        device,
        target=handset,
        fastboot=_fastboot_for(handset) if flashable and manifest is not None else None,
        manifest=manifest,
        flashable=flashable,
    )
    try:
        try:
            record = control.set_state(wanted)
        except StateUnavailable as exc:
            pytest.skip(exc.reason)
        request.node.stash[KCOMPRESSD_STATE] = record
        request.node.user_properties.append(("kcompressd", record.to_dict()))
        yield record
    finally:
        failures = control.restore()
    if failures:
        # Loud on purpose: the next test would run on a handset in the wrong state.
        pytest.fail(f"{device.serial}: kcompressd state not restored: {'; '.join(failures)}", pytrace=False)


@pytest.fixture
def zram_config(request: pytest.FixtureRequest, device: Device) -> Iterator[ZramFactory]:
    """``zram_config(algorithm=None, disksize=None, streams=None, name="zram0")`` -> ZramRecord."""
    configurators: dict[str, ZramConfigurator] = {}

    def apply(
        algorithm: str | None = None, disksize: int | None = None, streams: int | None = None, name: str = "zram0"
    ) -> ZramRecord:
        if name not in configurators:
            reason = zram_unsupported(device, name)
            if reason is not None:
                pytest.skip(reason)
            configurators[name] = ZramConfigurator(device, name)
        record = configurators[name].apply(ZramConfig(algorithm, disksize, streams))
        request.node.stash.setdefault(ZRAM_STATE, []).append(record)
        request.node.user_properties.append(("zram", record.to_dict()))
        return record

    try:
        yield apply
    finally:
        failures = [m for c in reversed(configurators.values()) for m in c.restore()]
    if failures:
        pytest.fail(f"{device.serial}: zram not restored: {'; '.join(failures)}", pytrace=False)
