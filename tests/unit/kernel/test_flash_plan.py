"""The flash path's pure decisions: who may be flashed, which slot, what restoring takes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from android_suite.errors import ConfigError, PermanentDeviceError
from android_suite.kernel.flash_plan import (
    DeviceFacts,
    FlashRefusedError,
    RestorePlan,
    check_entry,
    factory_problem,
    kernel_release,
    may_flash,
    other_slot,
    plan_restore,
    refuse_without_original,
    target_slot,
)
from android_suite.kernel.manifest import ImageEntry

RELEASE = "6.1.68-android14-11-g3e9b6c5a1d27-ab11431029"
ENTRY = ImageEntry(
    name="rubens-on",
    variant="on",
    mechanism="build",
    product="rubens",
    kernel_release=f"{RELEASE}-kcompressd-on",
    sha256="ab" * 32,
    path=Path("/images/on.img"),
    manifest=Path("/m/virtual.toml"),
)
FACTORY = dataclasses.replace(ENTRY, name="rubens-factory", kernel_release=RELEASE, mechanism="sysctl", factory=True)
PHONE = DeviceFacts(serial="SER1", product="rubens", kernel_release=RELEASE, slot_suffix="_a", virtual=False)
VIRTUAL = dataclasses.replace(PHONE, virtual=True)


def test_kernel_release_from_proc_version() -> None:
    line = f"Linux version {RELEASE} (build-user@build-host) (Android clang 17.0.2) #1 SMP PREEMPT\n"
    assert kernel_release(line) == RELEASE
    assert kernel_release("garbage") is None


@pytest.mark.parametrize(
    ("flashable", "facts", "allowed"),
    [(None, VIRTUAL, True), (None, PHONE, False), (True, PHONE, True), (False, VIRTUAL, False)],
)
def test_only_flashable_handsets(flashable: bool | None, facts: DeviceFacts, allowed: bool) -> None:
    assert may_flash(flashable, facts) is allowed
    if allowed:
        check_entry(ENTRY, facts, flashable=flashable)
    else:
        with pytest.raises(FlashRefusedError, match="not marked flashable"):
            check_entry(ENTRY, facts, flashable=flashable)


def test_product_mismatch_is_refused_with_both_names() -> None:
    other = dataclasses.replace(VIRTUAL, product="fuxi")
    with pytest.raises(FlashRefusedError) as caught:
        check_entry(ENTRY, other, flashable=True)
    err = caught.value
    assert isinstance(err, PermanentDeviceError) and not err.transient
    assert "'rubens'" in err.message and "'fuxi'" in err.message and "nothing was written" in err.message
    assert err.serial == "SER1"
    assert "/m/virtual.toml" in err.hint


def test_unknown_product_is_a_mismatch() -> None:
    with pytest.raises(FlashRefusedError):
        check_entry(ENTRY, dataclasses.replace(VIRTUAL, product=None), flashable=True)


def test_factory_image_stands_for_the_original_only_when_it_is_running() -> None:
    assert factory_problem(FACTORY, PHONE) is None
    assert "lists no factory image" in (factory_problem(None, PHONE) or "")
    leftover = dataclasses.replace(PHONE, kernel_release=f"{RELEASE}-kcompressd-on")
    assert "but the phone runs" in (factory_problem(FACTORY, leftover) or "")
    assert "for product 'fuxi'" in (factory_problem(dataclasses.replace(FACTORY, product="fuxi"), PHONE) or "")


def test_no_original_means_refusal_with_every_reason() -> None:
    err = refuse_without_original(PHONE, ["no factory image", "no root on this phone"])
    assert "no factory image; no root on this phone" in err.message
    assert "factory = true" in err.hint and "dd" in err.hint


@pytest.mark.parametrize(
    ("policy", "original", "target"),
    [("inactive", "a", "b"), ("inactive", "b", "a"), ("active", "a", "a"), ("active", None, None)],
)
def test_target_slot(policy: str, original: str | None, target: str | None) -> None:
    assert target_slot(dataclasses.replace(ENTRY, slot_policy=policy), original, "SER1") == target


def test_inactive_policy_on_a_phone_without_slots_is_refused() -> None:
    with pytest.raises(FlashRefusedError, match="no A/B slots") as caught:
        target_slot(ENTRY, None, "SER1")
    assert 'slot_policy = "active"' in caught.value.hint


def test_other_slot_rejects_odd_slots() -> None:
    assert other_slot("a") == "b"
    with pytest.raises(ConfigError):
        other_slot("c")


@pytest.mark.parametrize(
    ("original", "written", "attempted", "unbootable", "plan"),
    [
        # A/B, the other slot was written: switching back is enough.
        ("a", "b", True, False, RestorePlan(reflash=False, set_active="a")),
        # ... unless the bootloader gave up on the original slot.
        ("a", "b", True, True, RestorePlan(reflash=True, set_active="a")),
        # The original slot itself was (maybe half) written: reflash it.
        ("a", "a", True, False, RestorePlan(reflash=True, set_active="a")),
        ("a", "a", False, False, RestorePlan(reflash=False, set_active="a")),
        # Non-A/B: only the one partition, reflash whenever a write was attempted.
        (None, None, True, False, RestorePlan(reflash=True, set_active=None)),
        (None, None, False, False, RestorePlan(reflash=False, set_active=None)),
    ],
)
def test_plan_restore(
    original: str | None, written: str | None, attempted: bool, unbootable: bool, plan: RestorePlan
) -> None:
    assert plan_restore(original, written, attempted=attempted, original_unbootable=unbootable) == plan


def test_expected_thread_per_mechanism() -> None:
    expected = {"none": False, "build": True, "sysctl": True, "module": None}
    for mechanism, thread in expected.items():
        variant = "off" if mechanism == "none" else "on"
        assert dataclasses.replace(ENTRY, mechanism=mechanism, variant=variant).expects_thread is thread
