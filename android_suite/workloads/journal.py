"""A restore journal per handset, for the one exit no ``finally`` sees: SIGKILL.

While a run holds a handset, the knob values it found before changing them
are kept in ``<cache>/restore/<serial>.json`` with the writing process's
pid. A clean end (the runner restored the handset itself) deletes the file.
When a run starts on a handset whose journal belongs to a dead process, it
first writes those values back and removes the memory eater binary (the
sampler loop and the eater already died with their adb streams).
Flashed images are not journalled: the flash path restores them itself, and
a killed run leaves the flashed slot, which the next run's control detects.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from android_suite.device.device import Device
from android_suite.errors import DeviceError
from android_suite.kernel.cache import cache_root
from android_suite.kernel.knobs import KnobWriter
from android_suite.results.lifecycle import process_alive
from android_suite.workloads.memeater import REMOTE_PATH

log = logging.getLogger(__name__)


def journal_path(serial: str) -> Path:
    return cache_root() / "restore" / (re.sub(r"[^A-Za-z0-9_.-]", "_", serial) + ".json")


def note_knob(serial: str, path: str, original: str) -> None:
    """Remember ``path``'s value before this run first changed it (kept if already noted)."""
    file = journal_path(serial)
    data = _read(file) or {}
    if data.get("pid") != os.getpid():
        data = {"serial": serial, "pid": os.getpid(), "knobs": {}}
    data["knobs"].setdefault(path, original)
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.replace(file)


def clear(serial: str) -> None:
    """The handset was restored by this process: nothing left to replay."""
    data = _read(journal_path(serial))
    if data is not None and data.get("pid") == os.getpid():
        journal_path(serial).unlink(missing_ok=True)


def replay(device: Device) -> list[str]:
    """Undo what a dead run left on ``device``; returns what was done (empty: nothing pending)."""
    file = journal_path(device.serial)
    data = _read(file)
    if data is None or data.get("pid") == os.getpid() or process_alive(int(data.get("pid", 0)), None):
        return []
    done: list[str] = []
    writer = KnobWriter(device)
    for path, value in dict(data.get("knobs", {})).items():
        try:
            writer.write(path, value)
            done.append(f"{path} back to {value}")
        except DeviceError as exc:
            done.append(f"{path} not restored: {exc.message}")
    try:
        device.shell(["rm", "-f", REMOTE_PATH], timeout=10)
        done.append(f"removed {REMOTE_PATH}")
    except DeviceError as exc:
        done.append(f"{REMOTE_PATH} not removed: {exc.message}")
    file.unlink(missing_ok=True)
    log.warning("%s: a killed run (pid %s) left changes; undone: %s", device.serial, data.get("pid"), done)
    return done


def _read(file: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
