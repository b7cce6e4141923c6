"""Budget checks of the device scenarios, the --serial list and the results-store default (pure)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from android_suite.errors import ConfigError
from android_suite.options import resolve_serials
from android_suite.scenario_budgets import FAIL, INCONCLUSIVE, PASS, Budget, check, judge, load_budgets
from android_suite.scenario_run import soc_matches, store_url
from android_suite.session import HandsetSession

LATENCY = Budget("launch_time_ms", "up", 0.10)
THROUGHPUT = Budget("pgsteal_anon_per_s", "down", 0.10)


@pytest.mark.parametrize(
    ("budget", "low", "high", "outcome"),
    [
        (LATENCY, 0.12, 0.30, FAIL),  # whole interval beyond +10%
        (LATENCY, -0.05, 0.08, PASS),
        (LATENCY, 0.02, 0.40, INCONCLUSIVE),  # straddles: noise must not fail it
        (THROUGHPUT, -0.30, -0.15, FAIL),
        (THROUGHPUT, -0.05, 0.50, PASS),
        (THROUGHPUT, float("nan"), float("nan"), INCONCLUSIVE),
    ],
)
def test_judge(budget: Budget, low: float, high: float, outcome: str) -> None:
    assert judge(budget, low, high)[0] == outcome


def _values(off: list[float], on: list[float]) -> pd.DataFrame:
    rows = [("off", v) for v in off] + [("on", v) for v in on]
    return pd.DataFrame({"variant": [r[0] for r in rows], "metric": "launch_time_ms", "value": [r[1] for r in rows]})


def test_check_fails_a_clear_regression_and_passes_no_change() -> None:
    assert check(LATENCY, _values([100, 101, 99, 100], [150, 152, 149, 151])).outcome == FAIL
    assert check(LATENCY, _values([100, 101, 99, 100], [100, 100, 101, 99])).outcome == PASS


def test_check_with_two_iterations_is_inconclusive() -> None:
    assert check(LATENCY, _values([100, 101], [150, 151])).outcome == INCONCLUSIVE


def test_shipped_budgets_load() -> None:
    budgets = load_budgets(Path(__file__).resolve().parents[2] / "tests" / "device" / "budgets.toml")
    assert budgets["energy_per_round_j"].max_change == 0.05
    assert budgets["launch_time_ms"].confidence == 0.90


def test_bad_budget_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "b.toml"
    bad.write_text('[budgets.x]\nworse = "sideways"\nmax_change = 0.1\n')
    with pytest.raises(ConfigError, match=r"b\.toml"):
        load_budgets(bad)


def test_serials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANDROID_SERIAL", raising=False)
    assert resolve_serials(None) == ()
    assert resolve_serials(["a", "b", "a"]) == ("a", "b")
    monkeypatch.setenv("ANDROID_SERIAL", "env1")
    assert resolve_serials(None) == ("env1",)
    with pytest.raises(ConfigError):
        resolve_serials([" "])


def test_session_serials_compatible() -> None:
    assert HandsetSession(serial="x").serials == ("x",)
    both = HandsetSession(serial=None, serials=("p1", "p2"))
    assert both.serial == "p1" and not both.is_virtual
    assert HandsetSession(serial=None).is_virtual


def test_soc_and_store_url(tmp_path: Path) -> None:
    assert soc_matches("mediatek", "MediaTek", None)
    assert soc_matches("arm", "Qualcomm", None) and soc_matches("arm", "unknown", "arm64-v8a")
    assert not soc_matches("arm", "unknown", "x86_64") and not soc_matches("qualcomm", "MediaTek", None)
    assert store_url(None, tmp_path) == str(tmp_path / "ab_results.db")
    assert store_url("sqlite:///x.db", tmp_path) == "sqlite:///x.db"
    assert store_url(str(tmp_path / "out"), tmp_path) == str(tmp_path / "out" / "results.db")
