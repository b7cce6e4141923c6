"""The fault-injection matrix: every fault on its own virtual handset, every row must pass.

One virtual-handset process with a handset per scenario, the real adb server
and adb/fastboot clients; the signal rows run ``android-suite run`` as a
subprocess and signal it. Each row is checked for its outcome (recovered or
reported), what the store says, intact results and a restored handset.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.faults.matrix import run_matrix
from android_suite.faults.record import table

pytestmark = pytest.mark.virtual_only


def test_every_fault_is_recovered_or_reported_with_nothing_lost(tmp_path: Path) -> None:
    lines: list[str] = []
    records = run_matrix(workdir=tmp_path, parallel=4, progress=lines.append)
    text = table(records)
    print(text)
    failed = [r for r in records if not r.passed]
    assert not failed, text
    by_name = {r.name: r for r in records}
    assert by_name["storage-full"].outcome == "reported"
    assert any("No space left on device" in s for s in by_name["storage-full"].says)
    assert any(s.startswith("invalid") and "rebooted" in s for s in by_name["reboot-mid-iteration"].says)
    assert any(s.startswith("sampler gap") for s in by_name["drop-mid-sample"].says)
    assert all(r.restored.startswith("yes") for r in records)
