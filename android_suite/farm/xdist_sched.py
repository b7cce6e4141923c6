"""xdist scheduling for farm runs: every test of one ``farmN`` slot goes to the same worker.

Each worker leases one device for its whole session, so the tests of a slot
(and the slot's session-scoped A/B run) must not be spread over workers.
xdist's scope scheduler already keeps a scope on one worker; this subclass
makes the scope the slot (tests without a slot keep their own node id, i.e.
plain load balancing). With as many slots as workers (plan.py sees to that)
the first distribution gives each worker one slot.

Imported only from the ``pytest_xdist_make_scheduler`` hook: xdist is a dev
dependency, absent on a plain install.
"""

from __future__ import annotations

import re

from xdist.scheduler.loadscope import LoadScopeScheduling  # type: ignore[import-untyped]

_SLOT = re.compile(r"\[(?:[^\]]*-)?(farm\d+)(?:-[^\]]*)?\]$")


def slot_of(nodeid: str) -> str | None:
    """``test_x.py::test_y[kcompressd-on-farm3]`` -> "farm3"; None without a slot."""
    m = _SLOT.search(nodeid)
    return m.group(1) if m else None


class FarmScheduling(LoadScopeScheduling):  # type: ignore[misc]
    def _split_scope(self, nodeid: str) -> str:
        return slot_of(nodeid) or nodeid
