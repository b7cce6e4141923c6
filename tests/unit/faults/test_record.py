"""The matrix's records, table and scenario list (no device)."""

from __future__ import annotations

import json

import pytest

from android_suite.errors import ConfigError
from android_suite.faults.matrix import select
from android_suite.faults.record import FaultRecord, table, to_json
from android_suite.faults.scenarios import SCENARIOS


def test_every_fault_of_the_issue_has_a_scenario() -> None:
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
    for needed in (
        "drop-mid-sample", "drop-mid-push", "drop-mid-flash", "reboot-mid-iteration", "hang-device",
        "hang-command", "garbled-output", "storage-full", "sigkill-runner", "sigint-runner", "sigterm-runner",
    ):  # fmt: skip
        assert needed in names
    assert all(s.expect in ("recovered", "reported") for s in SCENARIOS)


def test_select_keeps_matrix_order_and_rejects_unknown_names() -> None:
    assert [s.name for s in select(["storage-full", "drop-mid-sample"])] == ["drop-mid-sample", "storage-full"]
    assert len(select(None)) == len(SCENARIOS)
    with pytest.raises(ConfigError, match="no-such-fault"):
        select(["no-such-fault"])


def test_a_row_passes_only_with_the_expected_outcome_and_no_problem() -> None:
    good = FaultRecord("a", "drop", "mid", "recovered", outcome="recovered", says=["run complete"])
    wrong = FaultRecord("b", "hang", "mid", "recovered", outcome="reported")
    broken = FaultRecord("c", "full", "before", "reported", outcome="reported", problems=["not restored: knob"])
    assert good.passed and not wrong.passed and not broken.passed
    text = table([good, wrong, broken])
    assert "record:   run complete" in text and "PROBLEM:  not restored: knob" in text
    assert text.endswith("1/3 scenarios passed")
    assert [r["passed"] for r in json.loads(to_json([good, wrong]))] == [True, False]
