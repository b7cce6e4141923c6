"""The fault switches added for the matrix: full storage, a fastboot drop mid-download, running commands."""

from __future__ import annotations

import pytest

from android_suite.virtual.api import Faults, FsError
from android_suite.virtual.vfs import VirtualFS


def test_storage_full_covers_a_prefix_and_nothing_else() -> None:
    f = Faults(storage_full="/data")
    assert f.disk_full("/data") and f.disk_full("/data/local/tmp/x")
    assert not f.disk_full("/database") and not f.disk_full("/sdcard/x")
    assert not Faults().disk_full("/data/x")
    assert Faults(storage_full="/").disk_full("/anything")


def test_a_full_filesystem_refuses_data_with_enospc_but_reads_and_empty_writes_work() -> None:
    fs = VirtualFS()
    fs.mkdir("/data/local/tmp", parents=True)
    fs.write("/data/local/tmp/old", b"kept")
    faults = Faults(storage_full="/data")
    fs.full_check = faults.disk_full
    with pytest.raises(FsError) as err:
        fs.write("/data/local/tmp/new", b"x" * 10)
    assert err.value.errno_name == "ENOSPC"
    assert err.value.message == "/data/local/tmp/new: No space left on device"
    fs.write("/data/local/tmp/empty", b"")  # creating an empty file needs no blocks
    assert fs.read("/data/local/tmp/old") == b"kept"
    faults.storage_full = None
    fs.write("/data/local/tmp/new", b"now")
    assert fs.read("/data/local/tmp/new") == b"now"


def test_fastboot_drop_fires_once_after_its_byte_count() -> None:
    f = Faults(fastboot_drop_after_bytes=4096)
    assert not f.consume_fastboot_bytes(4000)
    assert f.consume_fastboot_bytes(200)
    assert f.fastboot_drop_after_bytes is None
    assert not f.consume_fastboot_bytes(10_000)  # one drop per arming
