from __future__ import annotations

from pathlib import Path

from android_suite.farm.plan import Candidate, FarmPlan
from android_suite.farm.pool import PoolSpec, cycled
from android_suite.farm.xdist_sched import slot_of


def test_plan_round_trips_through_workerinput_json() -> None:
    plan = FarmPlan("inventory", 2, (Candidate("A", "lab2", 5037, True, "/m.toml"),), lease_store="x.db")
    back = FarmPlan.from_json(plan.to_json())
    assert back == plan and back.slot_ids() == ["farm0", "farm1"]
    assert back.candidates[0].server.host == "lab2"


def test_pool_profiles_cycle_one_per_worker(tmp_path: Path) -> None:
    assert cycled(("mediatek", "generic_arm"), 3) == ("mediatek", "generic_arm", "mediatek")
    spec = PoolSpec(tmp_path, 5040, ("mediatek",))
    assert PoolSpec.from_dict(spec.to_dict()) == spec


def test_slot_of_node_ids() -> None:
    assert slot_of("tests/device/test_basics.py::test_x[farm3]") == "farm3"
    assert slot_of("t.py::test_y[kcompressd-on-farm12]") == "farm12"
    assert slot_of("t.py::test_z[farm1-extra]") == "farm1"
    assert slot_of("t.py::test_plain") is None
    assert slot_of("t.py::test_q[myfarm1]") is None
