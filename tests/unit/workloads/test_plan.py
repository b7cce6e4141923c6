"""RunPlan validation and the interleaved schedule."""

from __future__ import annotations

import pytest

from android_suite.errors import ConfigError
from android_suite.workloads.plan import AppStep, RunPlan, schedule

APPS = (AppStep("com.android.chrome", "com.google.android.apps.chrome.Main"),)


def test_warmups_first_then_counterbalanced_pairs() -> None:
    slots = schedule(RunPlan(apps=APPS, iterations=4, warmup=1))
    assert [(s.variant, s.index, s.warmup) for s in slots] == [
        ("off", 0, True),
        ("on", 0, True),
        ("off", 1, False),
        ("on", 1, False),
        ("on", 2, False),
        ("off", 2, False),
        ("off", 3, False),
        ("on", 3, False),
        ("on", 4, False),
        ("off", 4, False),
    ]


def test_random_order_is_seeded_and_balanced() -> None:
    plan = RunPlan(apps=APPS, iterations=10, warmup=0, order="random", seed=3)
    a, b = schedule(plan), schedule(plan)
    assert a == b
    assert sum(s.variant == "on" for s in a) == sum(s.variant == "off" for s in a) == 10


@pytest.mark.parametrize(
    "kwargs",
    [{"apps": ()}, {"variants": ("on", "on")}, {"iterations": 0}, {"order": "zigzag"}, {"period_s": 0.01}],
)
def test_bad_plans_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        RunPlan(**{"apps": APPS, **kwargs})  # type: ignore[arg-type]
