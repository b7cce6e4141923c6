"""Fixtures for device-layer unit tests: a strict fake transport and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from android_suite.device.fake import FakeClock, FakeTransport
from android_suite.device.waits import Poller


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def poller(clock: FakeClock) -> Poller:
    return Poller(clock=clock, sleep=clock.sleep, interval=1.0)


@pytest.fixture
def fake() -> Iterator[FakeTransport]:
    t = FakeTransport("SER123")
    yield t
    t.assert_all_consumed()
