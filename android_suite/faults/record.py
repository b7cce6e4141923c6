"""What one fault scenario ended with, and the table of them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FaultRecord:
    """One row of the matrix.

    Attributes:
        name, fault, when: the scenario, what was injected, at which moment.
        expected / outcome: "recovered" (every scheduled iteration ended valid,
            reruns included) or "reported" (the record says what went wrong).
        says: what the store and the runner recorded (invalid iterations and
            reasons, gaps, errors, run status).
        intact: results kept: counts seen before vs found after, run status.
        restored: the handset is as before (kcompressd state and knob, no
            eater or sampler left running, boot slot and image).
        problems: every check that failed; the row passes when it is empty.
        seconds: wall time of the scenario.
    """

    name: str
    fault: str
    when: str
    expected: str
    outcome: str = "not run"
    says: list[str] = field(default_factory=list)
    intact: str = ""
    restored: str = ""
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.problems and self.outcome == self.expected

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def to_json(records: Sequence[FaultRecord]) -> str:
    return json.dumps([r.to_dict() for r in records], indent=2)


def table(records: Sequence[FaultRecord]) -> str:
    """A plain-text table: one block per scenario, the evidence indented under it."""
    head = f"{'scenario':<22} {'outcome':<10} {'expected':<10} {'pass':<5} {'time':>6}  fault (when)"
    lines = [head, "-" * len(head)]
    for r in records:
        ok = "yes" if r.passed else "NO"
        lines.append(f"{r.name:<22} {r.outcome:<10} {r.expected:<10} {ok:<5} {r.seconds:>5.0f}s  {r.fault} ({r.when})")
        lines += [f"{'':<4}record:   {s}" for s in r.says]
        lines.append(f"{'':<4}intact:   {r.intact}")
        lines.append(f"{'':<4}restored: {r.restored}")
        lines += [f"{'':<4}PROBLEM:  {p}" for p in r.problems]
    passed = sum(r.passed for r in records)
    lines.append(f"{passed}/{len(records)} scenarios passed")
    return "\n".join(lines)
