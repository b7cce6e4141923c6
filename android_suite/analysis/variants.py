"""Which variant label is the baseline (A) and which the treatment (B).

Runs label their arms "off"/"on", "kcompressd_off"/"kcompressd_on" or
similar; relative changes are always treatment against baseline, so the
order must not depend on alphabetical accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from android_suite.errors import ConfigError

# The last word of a label decides ("kcompressd_off", "vm.kcompressd=0", "on").
_OFF_WORDS = frozenset({"off", "disabled", "baseline", "0"})
_ON_WORDS = frozenset({"on", "enabled", "treatment"})


def _last_word(label: str) -> str:
    return re.split(r"[_\-\s=:]", label.lower())[-1]


def split_arms(labels: Iterable[str], baseline: str | None = None) -> tuple[str, str]:
    """Return ``(baseline, treatment)`` from the two variant labels of a run.

    Args:
        labels: the variant labels seen (duplicates allowed).
        baseline: the baseline label, when the caller knows it; otherwise
            the label ending in "off"/"disabled"/"baseline" (or "A" against "B").

    Raises:
        ConfigError: not exactly two labels, or no way to tell which is the baseline.
    """
    unique = sorted({str(label) for label in labels})
    if len(unique) != 2:
        raise ConfigError(f"an A/B comparison needs exactly two variants, got {unique}")
    if baseline is not None:
        if baseline not in unique:
            raise ConfigError(f"baseline variant {baseline!r} is not one of {unique}")
        return baseline, next(v for v in unique if v != baseline)
    offs = [v for v in unique if _last_word(v) in _OFF_WORDS]
    ons = [v for v in unique if _last_word(v) in _ON_WORDS]
    if len(offs) == 1:
        return offs[0], next(v for v in unique if v != offs[0])
    if len(ons) == 1:
        return next(v for v in unique if v != ons[0]), ons[0]
    if unique == ["A", "B"]:
        return "A", "B"
    raise ConfigError(f"cannot tell the baseline among variants {unique}; name it (baseline=...)")
