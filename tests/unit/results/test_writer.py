"""RunWriter: batching and flushing, status transitions, and what it refuses."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from android_suite.analysis.frames import MetricSample, check_frame, to_frame
from android_suite.results.schema import runs, samples
from android_suite.results.store import ResultStore
from android_suite.results.writer import RunWriter
from android_suite.results.writer_sql import IterationKey


class Clock:
    """A clock the test moves by hand (both wall and monotonic)."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ResultStore]:
    with ResultStore.open(tmp_path / "r.db") as s:
        yield s


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _writer(store: ResultStore, clock: Clock, **options: object) -> RunWriter:
    return store.writer(background=False, clock=clock, monotonic=clock, **options)


def _ticks(n: int, start: int = 0, metrics: int = 2) -> list[MetricSample]:
    return [
        MetricSample("dev", "on", 0, 0.1 * i, f"m{k}", float(i), "pages", "boot-1")
        for i in range(start, start + n)
        for k in range(metrics)
    ]


def _stored(store: ResultStore) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(samples)).scalar_one())


def _started(store: ResultStore, clock: Clock, **options: object) -> RunWriter:
    w = _writer(store, clock, **options)
    w.begin_run({"workload": "unit"})
    w.add_device({"serial": "dev", "device": "oriole", "kind": "virtual-sim", "sdk": 34, "cores": 8})
    w.begin_iteration("dev", "on", 0, warmup=False, mechanism="sysctl", comp_algorithm="lz4")
    return w


def test_samples_wait_for_a_full_batch(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock, batch_rows=10, batch_interval_s=0.5)
    w.add_samples(_ticks(4))  # 8 rows
    assert _stored(store) == 0
    w.add_samples(_ticks(1, start=4))  # 10 rows: a full batch
    assert _stored(store) == 10


def test_an_old_batch_is_flushed_by_the_tick(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock, batch_rows=1000, batch_interval_s=0.5)
    w.add_samples(_ticks(3))
    w.tick()
    assert _stored(store) == 0
    clock.now += 0.5
    w.tick()
    assert _stored(store) == 6


def test_finish_flushes_and_completes(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock, batch_rows=1000)
    w.add_samples(_ticks(3))
    assert w.finish() == "complete"
    run = store.load_run(w.run_id or "")
    assert (run.status, run.status_reason, len(run.samples)) == ("complete", "", 6)
    assert run.finished_at.startswith("2023-11-14T22:13:20")
    assert w.finish() == "complete"  # idempotent


def test_close_before_finish_leaves_an_incomplete_run_with_its_data(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock, batch_rows=1000)
    w.add_samples(_ticks(3))
    w.close()
    run = store.load_run(w.run_id or "")
    assert (run.status, len(run.samples)) == ("incomplete", 6)
    assert "closed before finish" in run.status_reason
    assert not run.iterations["valid"].iloc[0]
    assert "run ended before the iteration" in run.iterations["reason"].iloc[0]


def test_an_exception_in_the_block_marks_the_run_incomplete(store: ResultStore, clock: Clock) -> None:
    with pytest.raises(RuntimeError, match="device fell over"), _writer(store, clock) as w:
        w.begin_run({})
        raise RuntimeError("device fell over")
    run = store.load_run(w.run_id or "")
    assert run.status == "incomplete"
    assert run.status_reason == "the runner raised RuntimeError: device fell over"


def test_leaving_the_block_normally_completes_the_run(store: ResultStore, clock: Clock) -> None:
    with _writer(store, clock) as w:
        w.begin_run({})
    assert store.load_run(w.run_id or "").status == "complete"


def test_the_heartbeat_moves_while_idle(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock, heartbeat_s=5.0)

    def beat() -> float:
        with store.engine.connect() as conn:
            return float(conn.execute(select(runs.c.heartbeat_at)).scalar_one())

    first = beat()
    clock.now += 4.0
    w.tick()
    assert beat() == first
    clock.now += 1.0
    w.tick()
    assert beat() == first + 5.0


def test_iterations_keep_their_flags_times_and_extras(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock)
    w.end_iteration(IterationKey("dev", "on", 0), valid=False, reason="reboot")
    k = w.begin_iteration("dev", "off", 1, warmup=True, at=1_700_000_100.0, boot_count=2)
    w.end_iteration(k, at=1_700_000_160.5)
    w.finish()
    its = store.load_run(w.run_id or "").iterations
    assert its[["variant", "iteration", "warmup", "valid", "reason"]].values.tolist() == [
        ["on", 0, False, False, "reboot"],
        ["off", 1, True, True, ""],
    ]
    assert its["ended_at"].iloc[1] - its["started_at"].iloc[1] == pd.Timedelta(seconds=60.5)
    assert str(its["ended_at"].dtype) == "datetime64[us, UTC]"
    assert its["boot_count"].iloc[1] == 2


def test_samples_keep_missing_values_as_nan_and_the_tidy_dtypes(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock)
    w.add_samples(
        [
            MetricSample("dev", "on", 0, 1.0, "pgsteal_anon", None, "pages"),
            MetricSample("dev", "on", 0, 1.0, "some_avg10", 0.0, "%", "b1"),
            MetricSample("dev", "on", 0, 1.1, "pgsteal_anon", float("nan"), "pages"),
        ]
    )
    w.finish()
    frame = store.load_run(w.run_id or "").samples
    check_frame(frame)
    assert math.isnan(frame["value"].iloc[0]) and frame["value"].iloc[1] == 0.0 and math.isnan(frame["value"].iloc[2])
    assert frame["boot_id"].isna().tolist() == [True, False, True]


def test_a_tidy_frame_is_accepted_like_records(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock)
    w.add_samples(to_frame(_ticks(5)))
    w.finish()
    assert len(store.load_run(w.run_id or "").samples) == 10


def test_device_fields_map_from_device_info(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock)
    w.finish()
    devices = store.load_run(w.run_id or "").devices
    row = devices.iloc[0]
    assert (row["device"], row["product_device"], row["kind"], row["sdk"], row["cores"]) == (
        "dev",
        "oriole",
        "virtual-sim",
        34,
        8,
    )
    assert pd.isna(row["ram_kb"])  # not given: NaN, never 0


def test_launch_kill_energy_and_frames_round_trip_with_extras(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock)
    key = w.begin_iteration("dev", "off", 0)
    w.add_launch(key, package="p", launch_state=None, total_time_ms=None, wait_time_ms=800.0, cold_start_ms=5)
    w.add_kill(key, t=1.5, process="bg", oom_score_adj=None, rss_kb=10.0, swap_kb=None, reason="low")
    w.add_energy(key, joules=3.0, mah=None, charging_s=0.0)
    w.add_frames(key, "p", [16.0, 40.0], [False, True])
    w.finish()
    run = store.load_run(w.run_id or "")
    assert run.launches["launch_state"].isna().all() and run.launches["cold_start_ms"].iloc[0] == 5
    assert run.kills["oom_score_adj"].isna().all() and str(run.kills["oom_score_adj"].dtype) == "Int64"
    assert run.energy["mah"].isna().all()
    assert run.frames["janky"].tolist() == [False, True]


@pytest.mark.parametrize(
    ("action", "words"),
    [
        (lambda w: w.begin_iteration("nobody", "on", 1), "never added"),
        (lambda w: w.begin_iteration("dev", "on", 0), "already begun"),
        (lambda w: w.add_device({"device": "dev"}), "already added"),
        (lambda w: w.add_samples([MetricSample("dev", "on", 9, 0.0, "m", 1.0, "u")]), "call begin_iteration first"),
        (lambda w: w.add_samples([MetricSample("dev", "on", 0, math.inf, "m", 1.0, "u")]), "finite time"),
        (lambda w: w.add_device({"model": "x"}), "without a serial"),
        (lambda w: w.begin_run({}), "already writes run"),
    ],
)
def test_mistakes_are_refused(store: ResultStore, clock: Clock, action: object, words: str) -> None:
    w = _started(store, clock)
    with pytest.raises((ValueError, RuntimeError), match=words):
        action(w)  # type: ignore[operator]


def test_an_invalid_iteration_needs_a_reason(store: ResultStore, clock: Clock) -> None:
    w = _started(store, clock)
    with pytest.raises(ValueError, match="no reason"):
        w.end_iteration(IterationKey("dev", "on", 0), valid=False)


def test_nothing_is_written_before_begin_run(store: ResultStore, clock: Clock) -> None:
    with pytest.raises(RuntimeError, match="begin_run"):
        _writer(store, clock).add_device({"device": "d"})


def test_the_background_thread_flushes_without_new_samples(store: ResultStore) -> None:
    w = store.writer(batch_rows=1000, batch_interval_s=0.05)
    w.begin_run({})
    w.add_device({"device": "dev"})
    w.begin_iteration("dev", "on", 0)
    w.add_samples(_ticks(2))
    deadline = time.monotonic() + 10.0
    while _stored(store) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a condition with a deadline
    assert _stored(store) == 4
    w.finish()
