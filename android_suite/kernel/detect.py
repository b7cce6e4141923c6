"""Detect a handset's reclaim set-up (kcompressd variant, zram, zswap, MGLRU) in one shell call.

One ``sh -c`` script reads every file, each read tolerant of absence, and
frames the output in sections (``\\n::rs:: TAG [!absent|!unreadable]``); the
kernel config is pulled as ``/proc/config.gz`` and decompressed here because
phones may lack ``zcat``. The parsing is pure (:func:`parse_reclaim_dump`),
done by the parsers in :mod:`android_suite.parsers` where one exists.

Variant rules (shared/docs/kcompressd.md): ``/proc/sys/vm/kcompressd`` means
Kcompressd-Unofficial or the ABK backport (``sysctl``); the module parameter
directory means the RFC (``module``; built in or loaded, the directory exists
either way); a ``kcompressd<nid>`` thread with neither means upstream v1
(``build``).
"""

from __future__ import annotations

import dataclasses
import gzip
import logging
import shlex
import tempfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from android_suite.errors import DeviceError, ParseError
from android_suite.kernel import reclaim as r
from android_suite.kernel.kconfig import parse_kernel_config
from android_suite.kernel.reclaim import ReclaimSetup, ZramDevice
from android_suite.parsers.procstat import classify_reclaim_thread
from android_suite.parsers.ps import parse_ps
from android_suite.parsers.swaps import SwapArea, parse_swaps
from android_suite.parsers.text import as_text
from android_suite.parsers.zram import parse_comp_algorithm, parse_disksize, parse_max_comp_streams

if TYPE_CHECKING:
    from android_suite.device.device import Device

log = logging.getLogger(__name__)

MARK = "\n::rs:: "
CONFIG_GZ = "/proc/config.gz"
_FILES = {
    "version": "/proc/version",
    "sysctl": r.SYSCTL_PATH,
    "nr_kcompressd": f"{r.MODULE_PARAMS}/nr_kcompressd",
    "queue_size_per_kcompressd": f"{r.MODULE_PARAMS}/queue_size_per_kcompressd",
    "zswap": r.ZSWAP_ENABLED,
    "swappiness": r.SWAPPINESS,
    "lru_gen": r.LRU_GEN_ENABLED,
    "swaps": "/proc/swaps",
}
_ZRAM_FILES = ("comp_algorithm", "disksize", "max_comp_streams", "backing_dev")


def _script() -> str:
    # printf starts each marker with a newline, so a file without a final
    # newline still leaves the marker at the start of a line.
    lines = [
        # Not "r": mksh (Android's sh) predefines the alias r='fc -e -'.
        'rs_read() { if [ -e "$2" ]; then printf \'\\n::rs:: %s\\n\' "$1"; '
        'cat "$2" 2>/dev/null || printf \'\\n::rs:: %s !unreadable\\n\' "$1"; '
        "else printf '\\n::rs:: %s !absent\\n' \"$1\"; fi; }",
        *(f"rs_read {tag} {shlex.quote(path)}" for tag, path in _FILES.items()),
        'for d in /sys/block/zram*; do [ -e "$d" ] || continue; n=${d##*/}; '
        + "; ".join(f'rs_read "$n/{name}" "$d/{name}"' for name in _ZRAM_FILES)
        + "; done",
        # toybox ps needs -A for every process; old toolbox ps lists them all anyway.
        "printf '\\n::rs:: ps\\n'; ps -A 2>/dev/null || ps",
        "printf '\\n::rs:: product\\n'; getprop ro.product.device",
        f"[ -e {CONFIG_GZ} ] && printf '\\n::rs:: config present\\n'",
        "exit 0",
    ]
    return "\n".join(lines)


DETECT_ARGV = ("sh", "-c", _script())


def split_sections(text: str | bytes) -> tuple[dict[str, str], dict[str, str]]:
    """``(contents, statuses)``: tag -> text, and tag -> ``absent``/``unreadable``/``present``."""
    contents: dict[str, str] = {}
    statuses: dict[str, str] = {}
    for chunk in as_text(text).split(MARK)[1:]:
        head, _, body = chunk.partition("\n")
        tag, _, status = head.strip().partition(" ")
        if status:
            statuses[tag] = status.lstrip("!")
            contents.pop(tag, None)
        else:
            contents[tag] = body
    return contents, statuses


def detect_reclaim(device: Device, *, with_config: bool = True, timeout: float = 30.0) -> ReclaimSetup:
    """Read the handset's reclaim set-up: one shell call, plus a pull of /proc/config.gz.

    Args:
        device: the handset.
        with_config: also pull and parse /proc/config.gz when present.
        timeout: for the shell call and the pull, each.
    """
    result = device.shell(list(DETECT_ARGV), timeout=timeout, check=False)
    _, statuses = split_sections(result.stdout)
    config, notes = None, []
    if with_config and statuses.get("config") == "present":
        config, note = _pull_config(device, timeout)
        notes += [note] if note else []
    return parse_reclaim_dump(device.serial, result.stdout, config=config, notes=notes)


def _pull_config(device: Device, timeout: float) -> tuple[dict[str, str] | None, str | None]:
    with tempfile.TemporaryDirectory(prefix="android_suite-config-") as tmp:
        local = Path(tmp) / "config.gz"
        try:
            device.pull(CONFIG_GZ, local, timeout=timeout)
            text = gzip.decompress(local.read_bytes()).decode("utf-8", "replace")
            return parse_kernel_config(text), None
        except (DeviceError, OSError, EOFError, zlib.error, ParseError) as exc:
            log.warning("%s: kernel config not read: %s", device.serial, exc)
            return None, f"{CONFIG_GZ} present but not read: {exc}"


def parse_reclaim_dump(
    serial: str, text: str | bytes, *, config: dict[str, str] | None = None, notes: list[str] | None = None
) -> ReclaimSetup:
    """Turn the detection script's output into a :class:`ReclaimSetup` (pure).

    Raises:
        ParseError: a file was read but its content is malformed.
    """
    c, statuses = split_sections(text)
    notes = list(notes or [])
    notes += [f"{_FILES.get(t, t)} unreadable" for t, s in sorted(statuses.items()) if s == "unreadable"]
    swaps = parse_swaps(c["swaps"]).entries if "swaps" in c else None
    threads = _threads(c["ps"]) if c.get("ps", "").strip() else None
    setup = ReclaimSetup(
        serial=serial,
        proc_version=_line(c.get("version")),
        product=_line(c.get("product")),
        sysctl_value=_int(c, "sysctl"),
        nr_kcompressd=_int(c, "nr_kcompressd"),
        queue_size_per_kcompressd=_int(c, "queue_size_per_kcompressd"),
        kcompressd_threads=threads[0] if threads else None,
        kswapd_threads=threads[1] if threads else None,
        zram=_zram_devices(c, swaps or ()),
        swaps=swaps,
        zswap_enabled=_bool(c, "zswap"),
        swappiness=_int(c, "swappiness"),
        mglru_mask=_int(c, "lru_gen", base=0),
        kernel_config=config,
    )
    present = {t for t in _FILES if t in c or statuses.get(t) == "unreadable"}
    module = bool(present & {"nr_kcompressd", "queue_size_per_kcompressd"})
    mechanism, active, more = _mechanism("sysctl" in present, module, setup)
    return dataclasses.replace(setup, mechanism=mechanism, offload_active=active, notes=tuple(notes + more))


def _mechanism(sysctl: bool, module: bool, s: ReclaimSetup) -> tuple[str | None, bool | None, list[str]]:
    """``(mechanism, offload_active, notes)`` from the knobs found and the threads."""
    threads = s.kcompressd_threads
    per_node = [t for t in threads or () if ":" not in t]
    rfc = [t for t in threads or () if ":" in t]
    if sysctl:
        active = None if threads is None or s.sysctl_value is None else bool(per_node) and s.sysctl_value != 0
        gone = threads is not None and not per_node
        return "sysctl", active, ["vm.kcompressd exists but no kcompressd<nid> thread runs"] if gone else []
    if module:
        # The RFC starts kcompressd:<i> on the first queued write, so no thread
        # yet is normal; nr_kcompressd=0 makes schedule_bio_write() refuse all work.
        active = None if s.nr_kcompressd is None else s.nr_kcompressd > 0
        idle = threads is not None and not rfc
        return "module", active, ["RFC threads not started yet (they start on the first queued write)"] if idle else []
    if threads is None:
        return None, None, ["ps unreadable: kcompressd variant unknown"]
    if per_node:
        return "build", True, []
    if rfc:
        return "module", True, ["kcompressd:<i> threads run but /sys/module/kcompressd/parameters is missing"]
    config = s.kernel_config or {}
    if config.get("CONFIG_KCOMPRESSD") == "m":
        return "none", False, ["CONFIG_KCOMPRESSD=m but the kcompressd module is not loaded"]
    return "none", False, []


def _threads(ps_text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    kinds: dict[str, list[str]] = {"kcompressd": [], "kswapd": []}
    for entry in parse_ps(ps_text).entries:
        name = entry.name.strip("[]")
        kind = classify_reclaim_thread(name)
        if kind is not None:
            kinds[kind[0]].append(name)
    return tuple(sorted(kinds["kcompressd"])), tuple(sorted(kinds["kswapd"]))


def _line(text: str | None) -> str | None:
    value = text.strip() if text is not None else ""
    return value or None


def _int(c: dict[str, str], tag: str, *, base: int = 10) -> int | None:
    text = _line(c.get(tag))
    if text is None:
        return None
    try:
        return int(text, base)
    except ValueError:
        raise ParseError(_FILES.get(tag, tag), f"not an integer: {text[:40]!r}", 1) from None


def _bool(c: dict[str, str], tag: str) -> bool | None:
    """A bool module parameter: the kernel prints Y/N (param_get_bool); some vendors print 1/0."""
    text = _line(c.get(tag))
    if text is None:
        return None
    if text in ("Y", "y", "1"):
        return True
    if text in ("N", "n", "0"):
        return False
    raise ParseError(_FILES.get(tag, tag), f"not a boolean: {text[:40]!r}", 1)


def _zram_devices(c: dict[str, str], swaps: tuple[SwapArea, ...]) -> tuple[ZramDevice, ...]:
    names = sorted({tag.split("/", 1)[0] for tag in c if tag.startswith("zram") and "/" in tag})
    out = []
    for name in names:
        alg = parse_comp_algorithm(c[f"{name}/comp_algorithm"]) if f"{name}/comp_algorithm" in c else None
        size = c.get(f"{name}/disksize")
        streams = c.get(f"{name}/max_comp_streams")
        backing = _line(c.get(f"{name}/backing_dev"))
        out.append(
            ZramDevice(
                name=name,
                algorithm=alg.selected if alg else None,
                algorithms=tuple(alg.available) if alg else None,
                disksize=parse_disksize(size) if size is not None and size.strip() else None,
                max_comp_streams=parse_max_comp_streams(streams) if streams is not None and streams.strip() else None,
                backing_dev=None if backing in (None, "none") else backing,
                swap=next((s for s in swaps if s.filename.rsplit("/", 1)[-1] == name), None),
            )
        )
    return tuple(out)
