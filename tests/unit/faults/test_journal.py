"""The restore journal: what a SIGKILLed run changed is put back by the next run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from android_suite.device.device import Device
from android_suite.device.fake import FakeTransport
from android_suite.workloads import journal
from android_suite.workloads.memeater import REMOTE_PATH


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANDROID_SUITE_CACHE", str(tmp_path))
    return tmp_path


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_first_value_noted_is_kept_and_a_clean_end_clears_it() -> None:
    journal.note_knob("127.0.0.1:5555", "/proc/sys/vm/kcompressd", "24")
    journal.note_knob("127.0.0.1:5555", "/proc/sys/vm/kcompressd", "0")  # our own write: not the original
    data = json.loads(journal.journal_path("127.0.0.1:5555").read_text())
    assert data["knobs"] == {"/proc/sys/vm/kcompressd": "24"}
    assert journal.journal_path("127.0.0.1:5555").name == "127.0.0.1_5555.json"
    assert journal.replay(Device(FakeTransport("127.0.0.1:5555"))) == []  # ours, and we live: nothing to undo
    journal.clear("127.0.0.1:5555")
    assert not journal.journal_path("127.0.0.1:5555").exists()


def test_a_dead_runs_journal_is_replayed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    path = journal.journal_path("SER1")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"serial": "SER1", "pid": dead_pid(), "knobs": {"/proc/sys/vm/kcompressd": "24"}}))
    written: list[tuple[str, Any]] = []

    class Knobs:
        def __init__(self, _device: Device) -> None:
            pass

        def write(self, knob: str, value: Any) -> None:
            written.append((knob, value))

    monkeypatch.setattr(journal, "KnobWriter", Knobs)
    fake = FakeTransport("SER1").expect(["rm", "-f", REMOTE_PATH])
    done = journal.replay(Device(fake))
    assert written == [("/proc/sys/vm/kcompressd", "24")]
    assert done == ["/proc/sys/vm/kcompressd back to 24", f"removed {REMOTE_PATH}"]
    assert not path.exists()
    assert journal.replay(Device(fake)) == []
    fake.assert_all_consumed()
