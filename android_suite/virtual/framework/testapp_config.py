"""The suite's test app (``org.androidsuite.testapp.aNN``) as the package manager model knows it.

An installed APK whose launcher activity is ``android.app.NativeActivity``
carries a :class:`NativeInfo`; when its library is ``asuiteapp`` it is the
suite's test app and the framework runs it from its settings instead of a
category's costs. Settings follow the app's own rules (apk_workloads/testapp,
``config.c``): defaults, then ``assets/asuite.conf``, then the system
properties ``debug.asuite.<key>``, then the intent extras ``asuite.<key>``;
a bad value is reported (the app logs a ``v1 error`` line) and the layer
below it stays in force.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

TEST_APP_LIB = "asuiteapp"
PROP_PREFIX = "debug.asuite."
EXTRA_PREFIX = "asuite."
_MILLI = re.compile(r"[01]?(\.\d{1,3})?")
# key -> largest accepted value (the C app's ranges); ratio is checked separately (0..0.9, 3 decimals).
_INT_KEYS = {"anon_mb": 65536, "touch_pct": 100, "frame_work_us": 1_000_000, "fps": 240}
KEYS = ("anon_mb", "ratio", "touch_pct", "frame_work_us", "fps")


@dataclass(frozen=True)
class NativeInfo:
    """A NativeActivity app: its library, whether this handset's ABI has it, its asuite.conf."""

    lib_name: str
    has_lib: bool
    conf: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_test_app(self) -> bool:
        return self.lib_name == TEST_APP_LIB


@dataclass(frozen=True)
class TestAppSettings:
    """What one test-app process runs with (defaults are the C app's)."""

    __test__ = False  # a name pytest would otherwise try to collect

    anon_mb: int = 64
    ratio: float = 0.5  # compressible share of each page; 0 = random
    touch_pct: int = 50  # percent of the working set read on each resume
    frame_work_us: int = 2000  # CPU work per frame
    fps: int = 0  # 0 = the display rate

    @property
    def anon_kb(self) -> int:
        return self.anon_mb * 1024


def _apply(settings: TestAppSettings, key: str, value: str) -> tuple[TestAppSettings, str]:
    """``settings`` with one key set, or unchanged and why not."""
    if key == "ratio":
        if not _MILLI.fullmatch(value) or value in (".", "") or float(value) > 0.9:
            return settings, f"ratio must be 0..0.9: {value}"
        return replace(settings, ratio=round(float(value), 3)), ""
    limit = _INT_KEYS.get(key)
    if limit is None:
        return settings, f"unknown key {key}"
    if not value.isdigit() or len(value) > 9 or int(value) > limit:
        return settings, f"{key} out of range or not an integer"
    return replace(settings, **{key: int(value)}), ""


def resolve_settings(
    conf: Mapping[str, str], props: Mapping[str, str], extras: Mapping[str, str]
) -> tuple[TestAppSettings, list[str]]:
    """Settings in the contract's precedence, and the errors met on the way."""
    settings, errors = TestAppSettings(), []
    layers: Sequence[Mapping[str, str]] = (
        conf,
        # The app asks for each known key by name: other properties and extras are never seen.
        {k: props[PROP_PREFIX + k] for k in KEYS if props.get(PROP_PREFIX + k)},
        {k: extras[EXTRA_PREFIX + k] for k in KEYS if EXTRA_PREFIX + k in extras},
    )
    for layer in layers:
        for key, value in layer.items():
            settings, error = _apply(settings, key, value)
            if error:
                errors.append(error)
    return settings, errors
