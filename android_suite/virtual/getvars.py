"""The fastboot variables of a virtual bootloader (``getvar NAME`` and ``getvar all``).

Names and value formats follow fastbootd (``yes``/``no`` flags, ``0x%X``
sizes), which the real fastboot CLI parses; unknown names give None, which
the endpoint answers with a FAIL, as fastbootd does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from android_suite.virtual.bootloader import Bootloader


def getvar(bl: Bootloader, name: str) -> str | None:
    """The value of one fastboot variable; None when unknown."""
    key, _, arg = name.partition(":")
    simple = {
        "version": "0.4",
        "version-bootloader": "virtual-1.0",
        "product": bl.product,
        "serialno": bl.serialno,
        "secure": "yes",
        "unlocked": _yes(bl.unlocked),
        # fastbootd prints "0x%X"; the CLI parses it with strtoll(base 0).
        "max-download-size": f"0x{bl.max_download:X}",
        "is-userspace": "no",
    }
    if not arg and key in simple:
        return simple[key]
    if bl.slotted and not arg:
        slotvars = {
            "current-slot": bl.active_slot,
            "slot-count": str(len(bl.slots)),
            "slot-suffixes": ",".join(f"_{s}" for s in bl.slots),
        }
        if key in slotvars:
            return slotvars[key]
    if key == "has-slot" and arg:
        # An unknown partition is "no", not a failure (fastbootd does the same).
        return _yes(bl.has_slot(arg))
    if key in ("slot-successful", "slot-unbootable", "slot-retry-count") and bl.slotted:
        letter = arg[1:] if arg.startswith("_") else arg
        if letter not in bl.slots:
            return None  # fastbootd: FAIL for a bad slot suffix
        st = bl.slot_state[letter]
        if key == "slot-retry-count":
            return str(st.retry_count)
        return _yes(st.successful if key == "slot-successful" else st.unbootable)
    if arg in bl.sizes:
        if key == "partition-size":
            return f"0x{bl.sizes[arg]:X}"
        if key == "partition-type":
            # Always "raw": for ext4/f2fs the 29.x CLI turns `erase` into a
            # host-side mkfs plus flash, which needs tools CI lacks.
            return "raw"
        if key == "is-logical":
            return "no"
    return None


def getvar_all(bl: Bootloader) -> list[tuple[str, str]]:
    """(name, value) pairs ``getvar all`` reports, one INFO line each."""
    names = [
        "version",
        "version-bootloader",
        "product",
        "serialno",
        "secure",
        "unlocked",
        "max-download-size",
        "is-userspace",
        "current-slot",
        "slot-count",
        "slot-suffixes",
    ]
    bases = sorted({re.sub(r"_[ab]$", "", p) for p in bl.sizes} if bl.slotted else ())
    names += [f"has-slot:{b}" for b in bases]
    for s in bl.slots:
        names += [f"slot-successful:{s}", f"slot-unbootable:{s}", f"slot-retry-count:{s}"]
    for p in sorted(bl.sizes):
        names += [f"partition-size:{p}", f"partition-type:{p}", f"is-logical:{p}"]
    out = []
    for n in names:
        value = getvar(bl, n)
        if value is not None:
            out.append((n, value))
    return out


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
