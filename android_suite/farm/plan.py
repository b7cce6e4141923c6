"""What a farm run will use, decided once (by the xdist controller, or the only process) and sent to workers.

Modes:

- ``inventory``: ``--inventory`` given; the candidates are the selected usable devices;
- ``serials``: under xdist, phones named by ``--serial`` (an ad-hoc inventory on one adb server);
- ``pool``: under xdist with no phone and no inventory; the candidates are the
  virtual handsets of one pool (pool.py) with one handset per worker.

``slots`` is how many ``handset`` parameters the tests get (``farm0``...):
one per worker that can have a device, each worker leasing one device.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from android_suite.farm.inventory import AdbServerAddr

INVENTORY, SERIALS, POOL = "inventory", "serials", "pool"
DEFAULT_LEASE_TIMEOUT_S = 60.0
WORKERINPUT_KEY = "android_suite_farm"


@dataclass(frozen=True)
class Candidate:
    """A device a worker may lease."""

    serial: str
    host: str
    port: int
    flashable: bool = False
    manifest: str | None = None

    @property
    def server(self) -> AdbServerAddr:
        return AdbServerAddr(self.host, self.port)


@dataclass(frozen=True)
class FarmPlan:
    mode: str
    slots: int
    candidates: tuple[Candidate, ...] = ()
    pool: dict[str, Any] | None = None  # pool.PoolSpec.to_dict()
    lease_store: str | None = None
    lease_timeout: float = DEFAULT_LEASE_TIMEOUT_S
    health: dict[str, float] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)  # serial -> why not selected

    def slot_ids(self) -> list[str]:
        return [f"farm{i}" for i in range(self.slots)]

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> FarmPlan:
        data = json.loads(text)
        data["candidates"] = tuple(Candidate(**c) for c in data["candidates"])
        return cls(**data)
