"""Records and errors of kcompressd state control (:mod:`android_suite.kernel.control`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from android_suite.errors import SuiteError
from android_suite.kernel.reclaim import ReclaimSetup

Wanted = Literal["on", "off"]
STATES: tuple[Wanted, ...] = ("on", "off")
#: how a state was reached, cheapest first
HOWS = ("already", "knob", "flash", "pool")


@dataclass(frozen=True)
class PoolCandidate:
    """A handset that could stand in for the one under test.

    Attributes:
        serial: its adb serial.
        setup: its detected reclaim set-up.
        name: a human name (virtual profile, lab label); the serial when None.
    """

    serial: str
    setup: ReclaimSetup
    name: str | None = None


@dataclass(frozen=True)
class StateRecord:
    """How a handset was put into a kcompressd state, with the evidence.

    Attributes:
        wanted: ``on`` or ``off``.
        serial / handset: the handset now in that state (another one for ``how="pool"``).
        mechanism: ``none``, ``build``, ``sysctl`` or ``module`` (of that handset's kernel).
        how: ``already``, ``knob``, ``flash`` or ``pool``.
        knob_path: the knob written, if any. knob_before / knob_value: its value
            before and after (as read back).
        threads: kcompressd thread names seen after the change.
        proc_version: ``/proc/version`` after the change (identifies a flashed kernel).
        offload_active / offload_possible: from the verifying detection.
        product: ``ro.product.device``.
        flash: the flash record's fields when flashed.
        reasons: why cheaper means were not used.
        setup: the verifying detection (kernel config left out).
    """

    wanted: str
    serial: str
    handset: str
    mechanism: str | None
    how: str
    knob_path: str | None = None
    knob_before: str | None = None
    knob_value: str | None = None
    threads: tuple[str, ...] = ()
    proc_version: str | None = None
    offload_active: bool | None = None
    offload_possible: bool | None = None
    product: str | None = None
    flash: Mapping[str, Any] | None = None
    reasons: tuple[str, ...] = ()
    setup: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for results."""
        out = dataclasses.asdict(self)
        out["threads"] = list(self.threads)
        out["reasons"] = list(self.reasons)
        out["flash"] = dict(self.flash) if self.flash is not None else None
        out["setup"] = dict(self.setup)
        return out


class StateUnavailable(SuiteError):
    """No means could put a handset into the wanted state; the fixture skips with ``reason``.

    Attributes:
        wanted, serial: what was asked of which handset.
        reasons: one line per means tried.
    """

    def __init__(self, wanted: str, serial: str, reasons: list[str]) -> None:
        self.wanted, self.serial, self.reasons = wanted, serial, tuple(reasons)
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return f"kcompressd={self.wanted} unavailable on {self.serial}: " + "; ".join(self.reasons)


class StateVerificationError(SuiteError):
    """A means was applied but the handset does not show the wanted state (a failure, not a skip)."""
