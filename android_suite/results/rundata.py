"""One run's results as pandas frames: the contract between the store and its readers.

The store (``results/store*.py``) loads a run into a :class:`RunData`; analysis,
report and nightly read only this, never the database or a device. Every frame
has the columns listed below (extra columns are allowed and kept). Strings are
pandas ``category`` or ``object``; numbers ``float64`` unless stated; a value
that was not measured is NaN, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

SCHEMA_VERSION = 2  # 2: farm leases + quarantine tables (migrate.py)

# Column contracts (name -> meaning). Keep in step with the store's tables.
DEVICE_COLUMNS = {
    "device": "adb serial (or virtual handset name)",
    "model": "ro.product.model",
    "soc_vendor": "MediaTek | Qualcomm | Google | Samsung | ... | unknown",
    "soc_model": "e.g. MT6895",
    "kind": "physical | virtual-sim | virtual-qemu",
    "android_release": "e.g. 14",
    "sdk": "int API level",
    "kernel_version": "uname -r",
    "ram_kb": "MemTotal",
    "build_fingerprint": "ro.build.fingerprint",
}
ITERATION_COLUMNS = {
    "device": "serial",
    "variant": "kcompressd on | off",
    "iteration": "int, 0-based, per device and variant",
    "warmup": "bool: warm-up iterations are recorded but not compared",
    "valid": "bool: False when a reboot, drop or fault spoilt it",
    "reason": "why it is invalid (empty when valid)",
    "started_at": "wall clock (UTC, datetime64)",
    "ended_at": "wall clock (UTC, datetime64), NaT while running",
    "mechanism": "none | build | sysctl | module: how the variant was set",
    "comp_algorithm": "zram algorithm in force (lz4, zstd, ...)",
}
SAMPLE_COLUMNS = {  # the tidy format of android_suite.analysis.frames
    "device": "serial",
    "variant": "on | off",
    "iteration": "int",
    "t": "seconds on the device's monotonic clock",
    "metric": "kernel name (pgsteal_anon, allocstall_total, some_avg10); rates end in _per_s",
    "value": "float",
    "unit": "pages, kB, %, us, ms, mW, ...",
}
LAUNCH_COLUMNS = {
    "device": "serial",
    "variant": "on | off",
    "iteration": "int",
    "package": "app",
    "launch_state": "COLD | WARM | HOT | UNKNOWN",
    "total_time_ms": "float",
    "wait_time_ms": "float",
    "status": "ok | timeout | error",
}
FRAME_COLUMNS = {
    "device": "serial",
    "variant": "on | off",
    "iteration": "int",
    "package": "app",
    "frame_ms": "float: one frame's duration",
    "janky": "bool: missed its deadline",
}
KILL_COLUMNS = {
    "device": "serial",
    "variant": "on | off",
    "iteration": "int",
    "t": "seconds (device clock)",
    "process": "name",
    "oom_score_adj": "int",
    "rss_kb": "float",
    "swap_kb": "float",
    "reason": "lmkd's reason",
}
ENERGY_COLUMNS = {
    "device": "serial",
    "variant": "on | off",
    "iteration": "int",
    "joules": "float",
    "mah": "float",
    "charging_s": "seconds of the interval spent charging (excluded from joules)",
}


def empty(columns: dict[str, str]) -> pd.DataFrame:
    """An empty frame with the contract's columns."""
    return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})


@dataclass(frozen=True)
class RunData:
    """Everything recorded in one run.

    Attributes:
        run_id: the store's id for the run (a UUID string).
        status: "complete" | "incomplete" (the runner died or was killed) | "running".
        started_at, finished_at: ISO 8601 UTC strings ("" when unknown).
        context: run-wide facts (host, suite version, workload name, seed,
            options); per-device context lives in ``devices``.
        schema_version: the record schema the run was written with.
        status_reason: why an "incomplete" run is so (the runner raised, or its
            process was found gone); empty otherwise.
    """

    run_id: str
    status: str
    started_at: str = ""
    finished_at: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    devices: pd.DataFrame = field(default_factory=lambda: empty(DEVICE_COLUMNS))
    iterations: pd.DataFrame = field(default_factory=lambda: empty(ITERATION_COLUMNS))
    samples: pd.DataFrame = field(default_factory=lambda: empty(SAMPLE_COLUMNS))
    launches: pd.DataFrame = field(default_factory=lambda: empty(LAUNCH_COLUMNS))
    frames: pd.DataFrame = field(default_factory=lambda: empty(FRAME_COLUMNS))
    kills: pd.DataFrame = field(default_factory=lambda: empty(KILL_COLUMNS))
    energy: pd.DataFrame = field(default_factory=lambda: empty(ENERGY_COLUMNS))
    status_reason: str = ""

    @property
    def virtual(self) -> bool:
        """True when any device was a virtual handset: reports must say so."""
        kinds = set(self.devices["kind"].astype(str)) if "kind" in self.devices else set()
        return any(k.startswith("virtual") for k in kinds)
