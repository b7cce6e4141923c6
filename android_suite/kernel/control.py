"""Put a handset into kcompressd ``on`` or ``off``, by the cheapest sound means, and undo it.

Order of means (stop at the first that works):

1. **already**: the detected state is the wanted one.
2. **knob**: ``vm.kcompressd`` (Kcompressd-Unofficial, ABK backport): 0 is
   off; on is the last non-zero value seen, else 24 (Unofficial's default).
   The RFC's module parameters are *not* used: the RFC has no off switch
   (``nr_kcompressd=0`` only makes ``schedule_bio_write()`` refuse work), and
   its parameter setters, as posted, treat ``param_set_int()``'s 0 as failure:
   they stop every thread, clear ``enable_kcompressd`` and return -EINVAL, so
   a runtime write cannot turn it back on, and ``kcompress[]`` is never
   resized (our reading of the March 2025 patch; not run on hardware).
   v1 has no knob at all.
3. **flash**: a manifest image for this product and state, when the handset
   may be flashed (:mod:`android_suite.kernel.flash`, imported lazily).
4. **pool**: another handset of the same product already in the state.

Each change is verified by detecting again: the knob's read-back, the
kcompressd thread, and for ``on`` that offload can engage (zram swap or zswap
active). :meth:`KcompressdControl.restore` undoes every change, newest first,
and never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from android_suite.errors import DeviceError
from android_suite.kernel.detect import detect_reclaim
from android_suite.kernel.flashpath import as_dict, plan_flash
from android_suite.kernel.knobs import KnobWriter
from android_suite.kernel.reclaim import SYSCTL_PATH, ReclaimSetup
from android_suite.kernel.state import (
    STATES,
    PoolCandidate,
    StateRecord,
    StateUnavailable,
    StateVerificationError,
    Wanted,
)

if TYPE_CHECKING:
    from android_suite.device.device import Device
    from android_suite.session import Target

log = logging.getLogger(__name__)

DEFAULT_DEPTH = 24  # Kcompressd-Unofficial's default vm.kcompressd
Detector = Callable[["Device"], ReclaimSetup]


def in_state(setup: ReclaimSetup, wanted: str) -> bool:
    """Whether ``setup`` already is ``wanted`` (unknown facts never count as a match)."""
    if wanted == "on":
        return setup.offload_possible is True
    return setup.offload_active is False


def _detect_quick(device: Device) -> ReclaimSetup:
    return detect_reclaim(device, with_config=False)


class KcompressdControl:
    """Sets and restores the kcompressd state of one handset. No I/O on construction.

    Args:
        device: the handset under test.
        target: its session target (names it in records).
        fastboot: the fastboot link for the flash path (see android_suite.kernel.flash).
        manifest: boot-image manifest: a path, or what ``load_manifest`` returned.
        pool: stand-in handsets with their detected set-ups.
        flashable: whether this handset may be flashed (unlocked, and the run allows it).
        same_product: pool stand-ins must be the same product (A/B across models confounds).
        flash_timeout: seconds for one flash including the reboot.
        detect: how to read the set-up (injected in tests).
    """

    def __init__(
        self,
        device: Device,
        *,
        target: Target | None = None,
        fastboot: Any = None,
        manifest: Any = None,
        pool: Sequence[PoolCandidate] | None = None,
        flashable: bool = False,
        same_product: bool = True,
        flash_timeout: float = 600.0,
        detect: Detector = _detect_quick,
    ) -> None:
        self._device = device
        self._name = target.name if target is not None else device.serial
        self._fastboot = fastboot
        self._manifest = manifest
        self._pool = list(pool or ())
        self._flashable = flashable
        self._same_product = same_product
        self._flash_timeout = flash_timeout
        self._detect = detect
        self._knobs: KnobWriter | None = None
        self._undo: list[tuple[str, Callable[[], list[str]]]] = []
        self._last_depth: int | None = None
        self._first_flash: Any = None  # the FlashRecord of this control's first flash
        self._own_mechanism: str | None = None  # the kcompressd mechanism of the kernel found at first
        self.records: list[StateRecord] = []

    # -- detection --------------------------------------------------------------------
    def detect(self) -> ReclaimSetup:
        """Detect now; remembers a non-zero ``vm.kcompressd`` as the depth for ``on``."""
        setup = self._detect(self._device)
        if setup.sysctl_value:
            self._last_depth = setup.sysctl_value
        return setup

    # -- set --------------------------------------------------------------------------
    def set_state(self, wanted: Wanted) -> StateRecord:
        """Put the handset (or a stand-in) into ``wanted``; see the module docstring.

        Raises:
            StateUnavailable: no means applies (the fixture skips).
            StateVerificationError: a means was applied but the state did not follow.
            KnobError / DeviceError: the handset failed while being changed.
        """
        if wanted not in STATES:
            raise ValueError(f"kcompressd state must be one of {STATES}, not {wanted!r}")
        setup = self.detect()
        if self._first_flash is None and setup.mechanism not in (None, "none"):
            self._own_mechanism = setup.mechanism
        reasons: list[str] = []
        if in_state(setup, wanted):
            return self._keep(self._record(wanted, setup, "already", reasons))
        for means in (self._by_knob, self._by_flash, self._by_pool):
            record = means(wanted, setup, reasons)
            if record is not None:
                return self._keep(record)
        raise StateUnavailable(wanted, self._device.serial, reasons)

    def _keep(self, record: StateRecord) -> StateRecord:
        self.records.append(record)
        return record

    def _by_knob(self, wanted: str, setup: ReclaimSetup, reasons: list[str]) -> StateRecord | None:
        mech = setup.mechanism
        if mech != "sysctl":
            reasons.append(_NO_KNOB.get(mech or "", "kcompressd mechanism unknown (ps unreadable): no knob to use"))
            return None
        if wanted == "on" and not _swap_ready(setup):
            reasons.append("vm.kcompressd exists but neither zram swap nor zswap is active: offload cannot engage")
            return None
        value = 0 if wanted == "off" else (self._last_depth or DEFAULT_DEPTH)
        if self._knobs is None:
            self._knobs = KnobWriter(self._device)
            self._undo.append(("knobs", self._knobs.restore))
        try:
            self._knobs.write(SYSCTL_PATH, value)
        except DeviceError as exc:
            # Root-only on real phones: without root the flash or pool path may still do.
            reasons.append(f"vm.kcompressd={value} not written: {exc.message}")
            return None
        after = self.detect()
        self._verify(wanted, after, "knob", knob_value=value)
        return self._record(wanted, after, "knob", reasons, before=setup)

    def _by_flash(self, wanted: str, setup: ReclaimSetup, reasons: list[str]) -> StateRecord | None:
        plan = plan_flash(
            flashable=self._flashable,
            manifest=self._manifest,
            fastboot=self._fastboot,
            wanted=wanted,
            product=setup.product,
            prefer=self._own_mechanism if wanted == "on" else None,
        )
        if isinstance(plan, str):
            reasons.append(plan)
            return None
        # A second flash (off after on) must keep the original recorded before the
        # first one: pass that record on, and restore once, to the original.
        first = self._first_flash
        extra = {"previous": first} if first is not None else {}
        record = plan.flash_variant(self._device, self._fastboot, plan.entry, timeout=self._flash_timeout, **extra)
        if first is None:
            self._first_flash = record

            def unflash() -> list[str]:
                plan.restore(self._device, self._fastboot, self._first_flash)
                return []

            self._undo.append(("flash", unflash))
        self._knobs = None  # a new kernel: its knobs start from its own defaults
        after = self.detect()
        # The manifest pins uname -r (kernel_release); /proc/version starts with it.
        entry = plan.entry
        version = str(getattr(entry, "kernel_release", None) or getattr(entry, "kernel_version", None) or "")
        if version and version not in (after.proc_version or ""):
            raise StateVerificationError(
                f"{self._device.serial}: flashed {getattr(entry, 'name', entry)} for kcompressd={wanted} "
                f"but /proc/version is {after.proc_version!r} (expected {version!r})"
            )
        self._verify(wanted, after, "flash")
        return self._record(wanted, after, "flash", reasons, flash=as_dict(record))

    def _by_pool(self, wanted: str, setup: ReclaimSetup, reasons: list[str]) -> StateRecord | None:
        others = [c for c in self._pool if c.serial != self._device.serial]
        if self._same_product:
            others = [c for c in others if setup.product is not None and c.setup.product == setup.product]
        for cand in others:
            if in_state(cand.setup, wanted):
                # Evidence is the stand-in's own detection, taken when the pool was built.
                return self._record(wanted, cand.setup, "pool", reasons, name=cand.name or cand.serial)
        scope = f"of product {setup.product!r} " if self._same_product else ""
        reasons.append(f"pool: no other handset {scope}is kcompressd={wanted} ({len(self._pool)} in the pool)")
        return None

    # -- verification and records -------------------------------------------------------
    def _verify(self, wanted: str, after: ReclaimSetup, how: str, *, knob_value: int | None = None) -> None:
        problems = []
        if knob_value is not None and after.sysctl_value != knob_value:
            problems.append(f"vm.kcompressd reads {after.sysctl_value}, wrote {knob_value}")
        if wanted == "on":
            if after.mechanism == "module":
                # The RFC starts its kcompressd:<i> threads on the first queued write,
                # so a fresh boot shows none: the module's parameters are the proof.
                if after.nr_kcompressd is None:
                    problems.append("no kcompressd module parameters")
            elif not after.kcompressd_threads:
                problems.append("no kcompressd thread runs")
            if after.offload_possible is not True:
                problems.append(f"offload cannot engage (active={after.offload_active}, zram swap/zswap off?)")
        elif after.offload_active is not False:
            problems.append(f"offload still active={after.offload_active}")
        if problems:
            raise StateVerificationError(
                f"{self._device.serial}: kcompressd={wanted} by {how} not verified: " + "; ".join(problems)
            )

    def _record(
        self,
        wanted: str,
        setup: ReclaimSetup,
        how: str,
        reasons: list[str],
        *,
        before: ReclaimSetup | None = None,
        flash: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> StateRecord:
        knob = setup.mechanism == "sysctl"
        return StateRecord(
            wanted=wanted,
            serial=setup.serial,
            handset=name or self._name,
            mechanism=setup.mechanism,
            how=how,
            knob_path=SYSCTL_PATH if knob else None,
            knob_before=_str((before or setup).sysctl_value) if knob else None,
            knob_value=_str(setup.sysctl_value) if knob else None,
            threads=setup.kcompressd_threads or (),
            proc_version=setup.proc_version,
            offload_active=setup.offload_active,
            offload_possible=setup.offload_possible,
            product=setup.product,
            flash=flash,
            reasons=tuple(reasons),
            setup=setup.to_dict(with_config=False),
        )

    # -- restore ------------------------------------------------------------------------
    def restore(self) -> list[str]:
        """Undo every change (knobs back, flashed images back), newest first; never raises."""
        failures: list[str] = []
        while self._undo:
            what, undo = self._undo.pop()
            try:
                failures += undo()
            except Exception as exc:  # never raise from cleanup: log and go on
                failures.append(f"{what}: not restored: {exc}")
        self._knobs = None
        for message in failures:
            log.warning("%s: %s", self._device.serial, message)
        return failures

    def __enter__(self) -> KcompressdControl:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.restore()


_NO_KNOB = {
    "none": "knob: this kernel has no kcompressd (no vm.kcompressd, no module parameters, no kcompressd thread)",
    "build": "knob: upstream v1 kcompressd has no runtime toggle (built in; kcompressd0 always runs)",
    "module": "knob: the RFC's module parameters have no sound off/on switch (see android_suite.kernel.control)",
}


def _swap_ready(setup: ReclaimSetup) -> bool:
    return setup.zram_swap_active or (bool(setup.zswap_enabled) and bool(setup.swaps))


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)
