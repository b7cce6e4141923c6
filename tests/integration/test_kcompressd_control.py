"""kcompressd on/off on virtual handsets over the real adb server, each change verified and undone.

The mediatek profile boots Kcompressd-Unofficial (``vm.kcompressd``: a runtime
toggle); generic_arm boots a retail kernel without kcompressd, so ``on`` is
unavailable there unless a manifest allows flashing (none is given here).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from android_suite.device.device import Device
from android_suite.kernel.control import KcompressdControl
from android_suite.kernel.detect import detect_reclaim
from android_suite.kernel.fixtures import KCOMPRESSD_STATE, ZRAM_STATE
from android_suite.kernel.reclaim import SYSCTL_PATH
from android_suite.kernel.state import StateRecord, StateUnavailable
from android_suite.kernel.zram import ZramRecord, zram_unsupported
from android_suite.session import HandsetSession, Target

pytestmark = pytest.mark.virtual_only


def knob(device: Device) -> str:
    return device.shell(["cat", SYSCTL_PATH]).stdout.strip()


def test_detect_names_each_profiles_variant(device: Device, handset: Target) -> None:
    setup = detect_reclaim(device)
    assert setup.proc_version is not None and setup.proc_version.startswith("Linux version ")
    assert setup.kswapd_threads == ("kswapd0",)
    assert setup.zram_swap_active
    assert setup.zram[0].algorithm == "lz4"
    assert setup.kernel_config is not None and setup.kernel_config["CONFIG_ZRAM"] == "y"
    assert setup.zswap_enabled is None and setup.mglru_mask is None  # not modelled: absent, so None
    if handset.name.startswith("mediatek"):
        assert (setup.mechanism, setup.sysctl_value, setup.kcompressd_threads) == ("sysctl", 24, ("kcompressd0",))
        assert setup.offload_active is True and setup.offload_possible is True
    else:
        assert (setup.mechanism, setup.kcompressd_threads, setup.offload_active) == ("none", (), False)


def test_on_off_on_each_verified_then_restored(device: Device, handset: Target) -> None:
    control = KcompressdControl(device, target=handset)
    with control:
        if not handset.name.startswith("mediatek"):
            assert control.set_state("off").how == "already"
            with pytest.raises(StateUnavailable) as err:
                control.set_state("on")
            assert "no kcompressd" in err.value.reason and "flash:" in err.value.reason
            return
        first = control.set_state("on")
        assert (first.how, first.mechanism, first.knob_value) == ("already", "sysctl", "24")
        off = control.set_state("off")
        assert (off.how, off.knob_before, off.knob_value, off.offload_active) == ("knob", "24", "0", False)
        assert knob(device) == "0"
        assert "kcompressd0" in off.threads
        again = control.set_state("on")
        assert (again.how, again.knob_before, again.knob_value) == ("knob", "0", "24")  # the previous depth
        assert again.threads == ("kcompressd0",) and again.offload_possible is True
        assert again.proc_version == first.proc_version
    assert knob(device) == "24"


def test_restore_puts_a_changed_depth_back(device: Device, handset: Target) -> None:
    if not handset.name.startswith("mediatek"):
        pytest.skip("generic_arm has no vm.kcompressd")
    device.shell(["sh", "-c", f"echo 64 > {SYSCTL_PATH}"], root=True)
    try:
        control = KcompressdControl(device, target=handset)
        assert control.set_state("off").knob_value == "0"
        assert control.set_state("on").knob_value == "64"  # the depth seen before, not the default
        control.set_state("off")
        assert control.restore() == []
        assert knob(device) == "64"
    finally:
        device.shell(["sh", "-c", f"echo 24 > {SYSCTL_PATH}"], root=True)


def test_kcompressd_fixture(kcompressd: StateRecord, device: Device, request: pytest.FixtureRequest) -> None:
    # Skipped with a reason where the state is unreachable (generic_arm, on).
    assert request.node.stash[KCOMPRESSD_STATE] is kcompressd
    assert ("kcompressd", kcompressd.to_dict()) in request.node.user_properties
    assert detect_reclaim(device, with_config=False).offload_active is (kcompressd.wanted == "on")


def test_fixture_restores_after_a_failing_test(
    device: Device, handset: Target, handset_session: HandsetSession, tmp_path: Path
) -> None:
    """A test that fails with kcompressd off still leaves the knob as it found it."""
    if not handset.name.startswith("mediatek"):
        pytest.skip("generic_arm has no vm.kcompressd to restore")
    test_file = tmp_path / "test_fails_midway.py"
    test_file.write_text(
        textwrap.dedent(
            f"""
            def test_fails_midway(kcompressd, device):
                assert kcompressd.how == "knob"
                assert device.shell(["cat", "{SYSCTL_PATH}"]).stdout.strip() == "0"
                raise AssertionError("deliberate failure mid-way")
            """
        )
    )
    # The inner run treats this handset as a phone on our private adb server.
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)]
    argv += ["--serial", handset.serial, "--adb-port", str(handset_session.adb_port), "--kcompressd=off"]
    env = {k: v for k, v in os.environ.items() if k != "ANDROID_SERIAL"}
    run = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert "1 failed" in run.stdout, run.stdout + run.stderr
    assert "deliberate failure mid-way" in run.stdout
    assert knob(device) == "24"


def test_zram_reset_dance_needs_root(device: Device, handset: Target) -> None:
    reason = zram_unsupported(device)
    if handset.name.startswith("mediatek"):
        assert reason is None  # userdebug root, zram reset, toybox swapoff/swapon/mkswap
    else:
        assert reason is not None and "root" in reason  # a user build: no su


def test_zram_config_switches_algorithm_and_size_then_restores(
    zram_config: Callable[..., ZramRecord], device: Device, request: pytest.FixtureRequest
) -> None:
    """The reset dance on a handset with swap in use: zstd at 256 MiB, verified; lz4 back at teardown."""
    before = detect_reclaim(device, with_config=False).zram[0]
    record = zram_config(algorithm="zstd", disksize=256 << 20)
    assert (record.before.algorithm, record.before.disksize) == (before.algorithm, before.disksize)
    assert (record.after.algorithm, record.after.disksize, record.after.swap_active) == ("zstd", 256 << 20, True)
    assert request.node.stash[ZRAM_STATE] == [record]
    now = detect_reclaim(device, with_config=False).zram[0]
    assert now.algorithm == "zstd" and now.swap is not None and now.swap.size_kb == (256 * 256 - 1) * 4
    # Refused while swapon'd: the dance is what makes the change possible.
    busy = device.shell(["sh", "-c", "echo lz4 > /sys/block/zram0/comp_algorithm"], root=True, check=False)
    assert busy.exit_code != 0 and "busy" in busy.stderr.lower()


def test_zram_config_teardown_restored_the_original(device: Device, handset: Target) -> None:
    if not handset.name.startswith("mediatek"):
        pytest.skip("generic_arm has no root")
    z = detect_reclaim(device, with_config=False).zram[0]
    assert (z.algorithm, z.swap_active) == ("lz4", True) and z.disksize != 256 << 20
