"""Which farm devices a run may use: ``--serial``, ``--vendor``, ``--model``, ``--tags``, ``--kcompressd-mechanism``.

Pure: takes discovery rows and returns the usable ones that match, each with
why the others were left out (so "0 devices selected" always comes with reasons).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from android_suite.farm.discovery import FarmDevice


def csv_set(text: str | None) -> frozenset[str]:
    """``"a, b"`` -> {"a", "b"} (lower-cased); None or empty -> empty (no filter)."""
    return frozenset(p.strip().lower() for p in (text or "").split(",") if p.strip())


@dataclass(frozen=True)
class Selection:
    """What the run asks for; an empty field does not filter.

    Attributes:
        serials: only these serials.
        vendors: SoC vendor names (``classify_soc`` spelling, any case).
        models: ``ro.product.model`` values (any case).
        tags: every one of these inventory tags (all, not any: ``--tags nightly,mtk``
            means nightly MediaTek phones).
        mechanisms: kcompressd mechanism the kernel offers (none, build, sysctl, module),
            read from the device only when asked for.
    """

    serials: frozenset[str] = frozenset()
    vendors: frozenset[str] = frozenset()
    models: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    mechanisms: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.serials or self.vendors or self.models or self.tags or self.mechanisms)


Mechanism = Callable[[FarmDevice], str | None]


def select(
    devices: list[FarmDevice], sel: Selection, mechanism_of: Mechanism | None = None
) -> tuple[list[FarmDevice], dict[str, str]]:
    """The usable devices that match ``sel`` (in input order), and serial -> why left out for the rest."""
    chosen: list[FarmDevice] = []
    left_out: dict[str, str] = {}
    for d in devices:
        why = _why_not(d, sel, mechanism_of)
        if why:
            left_out[d.serial] = why
        else:
            chosen.append(d)
    return chosen, left_out


def _why_not(d: FarmDevice, sel: Selection, mechanism_of: Mechanism | None) -> str | None:
    if not d.usable:
        return f"not usable: {d.status}" + (f" ({'; '.join(d.problems)})" if d.problems else "")
    if sel.serials and d.serial.lower() not in {s.lower() for s in sel.serials}:
        return "serial not selected"
    if sel.vendors and (d.soc_vendor or "").lower() not in sel.vendors:
        return f"SoC vendor {d.soc_vendor} not in {sorted(sel.vendors)}"
    if sel.models and (d.model or "").lower() not in sel.models:
        return f"model {d.model} not in {sorted(sel.models)}"
    missing = sel.tags - {t.lower() for t in d.tags}
    if missing:
        return f"lacks tag(s) {sorted(missing)}"
    if sel.mechanisms:
        found = mechanism_of(d) if mechanism_of else None
        if (found or "unknown").lower() not in sel.mechanisms:
            return f"kcompressd mechanism {found or 'unknown'} not in {sorted(sel.mechanisms)}"
    return None
