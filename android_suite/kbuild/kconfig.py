"""Config fragments: parse, merge in order, verify a built ``.config`` against them (pure functions).

A fragment holds ``CONFIG_X=value`` and ``# CONFIG_X is not set`` lines; later
fragments override earlier ones (as ``merge_config.sh`` does). After
``allnoconfig`` + ``olddefconfig`` a symbol can silently not take (an unmet
dependency); :func:`unmet` names every such symbol so the build fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_SET = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$")

# None stands for "is not set".
Settings = dict[str, str | None]


def parse_config(text: str) -> Settings:
    """Settings in a fragment or ``.config``; comments and blank lines are skipped."""
    out: Settings = {}
    for raw in text.splitlines():
        line = raw.strip()
        if m := _SET.match(line):
            out[m.group(1)] = m.group(2)
        elif m := _UNSET.match(line):
            out[m.group(1)] = None
    return out


def merge(fragments: Iterable[str]) -> Settings:
    """Settings of every fragment text, later ones winning."""
    merged: Settings = {}
    for text in fragments:
        merged.update(parse_config(text))
    return merged


def render(settings: Mapping[str, str | None]) -> str:
    """A fragment for ``KCONFIG_ALLCONFIG``, in a stable order."""
    lines = [f"{k}={v}" if v is not None else f"# {k} is not set" for k, v in sorted(settings.items())]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Unmet:
    symbol: str
    wanted: str | None
    got: str | None

    def __str__(self) -> str:
        want = "not set" if self.wanted is None else self.wanted
        got = "absent" if self.got is None else self.got
        return f"{self.symbol}: wanted {want}, got {got}"


def unmet(requested: Mapping[str, str | None], actual: Mapping[str, str | None]) -> list[Unmet]:
    """Requested settings the final config does not have ("not set" accepts absent or ``n``)."""
    bad: list[Unmet] = []
    for symbol, wanted in sorted(requested.items()):
        got = actual.get(symbol)
        ok = got in (None, "n") if wanted is None else got == wanted
        if not ok:
            bad.append(Unmet(symbol, wanted, got))
    return bad
