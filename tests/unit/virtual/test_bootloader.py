"""The virtual bootloader without sockets: slots, flash routing, errors, boot images."""

from __future__ import annotations

import gzip
import hashlib
import struct

import pytest

from android_suite.virtual.bootloader import (
    DEFAULT_KERNEL_RELEASE,
    DEFAULT_RETRIES,
    Bootloader,
    BootloaderEvent,
    FlashError,
    SlotError,
    build_boot_image,
    parse_boot_image,
)

KERNEL = b"\0" * 64 + b"Linux version 6.1.75-android14-11-gkcompressd (builder@host) #1 SMP PREEMPT\n"
PARTS = {"boot": 1 << 20, "vendor_boot": 1 << 20, "init_boot": 1 << 20, "userdata": 1 << 20}


def make(**kwargs: object) -> Bootloader:
    kwargs.setdefault("partitions", PARTS)
    return Bootloader("vphone", "SER123", **kwargs)  # type: ignore[arg-type]


# -- partitions and flash routing ------------------------------------------------


def test_ab_partitions_are_doubled_but_userdata_is_not() -> None:
    bl = make()
    assert sorted(bl.sizes) == [
        "boot_a",
        "boot_b",
        "init_boot_a",
        "init_boot_b",
        "userdata",
        "vendor_boot_a",
        "vendor_boot_b",
    ]


def test_unslotted_device_keeps_plain_names() -> None:
    bl = make(slotted=False)
    assert "boot" in bl.sizes and "boot_a" not in bl.sizes
    assert bl.flash("boot", b"img") == "boot"
    assert bl.getvar("current-slot") is None
    assert bl.getvar("has-slot:boot") == "no"
    with pytest.raises(SlotError, match="boot control HAL absent"):
        bl.set_active("a")


def test_flash_without_suffix_goes_to_active_slot() -> None:
    bl = make()
    assert bl.flash("boot", b"A") == "boot_a"
    bl.set_active("b")
    assert bl.flash("vendor_boot", b"B") == "vendor_boot_b"
    assert bl.contents["boot_a"] == b"A" and bl.contents["vendor_boot_b"] == b"B"


def test_flash_explicit_slot_and_unslotted_partition() -> None:
    bl = make()
    assert bl.flash("boot_b", b"B") == "boot_b"
    assert bl.flash("userdata", b"U") == "userdata"
    assert bl.active_slot == "a"


def test_flash_uses_download_buffer_by_default() -> None:
    bl = make()
    with pytest.raises(FlashError, match="No image downloaded"):
        bl.flash("boot")
    bl.download(b"payload")
    bl.flash("boot_b")
    assert bl.read("boot_b") == b"payload"


@pytest.mark.parametrize(
    ("kwargs", "part", "data", "message"),
    [
        ({}, "nosuchpart", b"x", "No such file or directory"),
        ({}, "boot", b"x" * ((1 << 20) + 1), "Value too large for defined data type"),
        ({"unlocked": False}, "boot", b"x", "Flashing is not allowed on locked devices"),
        ({}, "boot", struct.pack("<I", 0xED26FF3A) + b"\0" * 24, "sparse images are not supported"),
    ],
)
def test_flash_errors_carry_the_message_fastboot_prints(
    kwargs: dict[str, object], part: str, data: bytes, message: str
) -> None:
    bl = make(**kwargs)
    before = dict(bl.contents)
    with pytest.raises(FlashError, match=message) as info:
        bl.flash(part, data)
    assert message in info.value.message
    assert bl.contents == before and not bl.events


def test_download_limits() -> None:
    bl = make(max_download=1024)
    assert bl.getvar("max-download-size") == "0x400"
    with pytest.raises(FlashError, match="Invalid size"):
        bl.download(b"x" * 1025)
    with pytest.raises(FlashError, match="Invalid size"):
        bl.check_download(0)
    with pytest.raises(FlashError, match="Download is not allowed on locked devices"):
        make(unlocked=False).download(b"x")


def test_erase() -> None:
    bl = make()
    bl.erase("boot")
    assert bl.contents["boot_a"] == b""
    assert bl.bootable_slots() == ["b"]
    with pytest.raises(FlashError, match="Partition doesn't exist"):
        bl.erase("nosuch")
    with pytest.raises(FlashError, match="Erase is not allowed on locked devices"):
        make(unlocked=False).erase("boot")


def test_event_log_records_writes_in_order() -> None:
    bl = make()
    bl.flash("boot_b", b"img")
    bl.set_active("_b")
    bl.erase("boot_a")
    assert [(e.kind, e.target, e.size) for e in bl.events] == [
        ("flash", "boot_b", 3),
        ("set_active", "b", 0),
        ("erase", "boot_a", 0),
    ]
    assert bl.events[0] == BootloaderEvent("flash", "boot_b", 3, hashlib.sha256(b"img").hexdigest())


# -- slots ------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["b", "_b"])
def test_set_active_accepts_both_spellings(spelling: str) -> None:
    bl = make()
    bl.set_active(spelling)
    assert bl.active_slot == "b"
    assert bl.getvar("current-slot") == "b"
    assert bl.state("b").retry_count == DEFAULT_RETRIES and not bl.state("b").successful


@pytest.mark.parametrize(
    ("slot", "message"),
    [("c", "Slot out of range"), ("ab", "Bad slot suffix"), ("", "Bad slot suffix"), ("_", "Bad slot suffix")],
)
def test_set_active_rejects_bad_slots(slot: str, message: str) -> None:
    with pytest.raises(SlotError, match=message):
        make().set_active(slot)


def test_set_active_refused_when_locked() -> None:
    with pytest.raises(SlotError, match="not allowed on locked devices"):
        make(unlocked=False).set_active("b")


def test_factory_state_boots_the_default_kernel_from_both_slots() -> None:
    bl = make()
    assert bl.bootable_slots() == ["a", "b"]
    info = bl.boot_image("b")
    assert info is not None and info.kernel_release == DEFAULT_KERNEL_RELEASE


def test_factory_images_replace_the_default() -> None:
    bl = make(images={"boot_b": build_boot_image(KERNEL)})
    assert bl.bootable_slots() == ["b"]
    with pytest.raises(ValueError, match="unknown partition"):
        make(images={"boot_c": b""})


def test_bootable_slots_need_a_valid_boot_image() -> None:
    bl = make()
    bl.flash("boot_b", b"not a boot image")
    assert bl.bootable_slots() == ["a"]
    bl.flash("boot_b", build_boot_image(KERNEL))
    bl.set_active("b")
    assert bl.bootable_slots() == ["b", "a"]  # active first


def test_boot_falls_back_when_the_new_slot_never_succeeds() -> None:
    bl = make()
    bl.flash("boot_b", build_boot_image(KERNEL))
    bl.set_active("b")
    for _ in range(DEFAULT_RETRIES):
        assert bl.begin_boot() == "b"
    assert bl.getvar("slot-retry-count:b") == "0"
    # Tries exhausted without mark_successful: the bootloader gives up on b.
    assert bl.begin_boot() == "a"
    assert bl.getvar("slot-unbootable:b") == "yes"
    assert bl.bootable_slots() == ["a"]
    assert [e.kind for e in bl.events][-2:] == ["boot_failed", "boot"]


def test_mark_successful_stops_spending_tries() -> None:
    bl = make()
    bl.set_active("b")
    assert bl.begin_boot() == "b"
    bl.mark_successful()
    for _ in range(DEFAULT_RETRIES + 2):
        assert bl.begin_boot() == "b"
    assert bl.getvar("slot-successful:b") == "yes"


def test_no_bootable_slot_boots_nothing() -> None:
    bl = make()
    bl.erase("boot_a")
    bl.erase("boot_b")
    assert bl.bootable_slots() == []
    assert bl.begin_boot() is None


# -- getvar -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("product", "vphone"),
        ("serialno", "SER123"),
        ("version", "0.4"),
        ("secure", "yes"),
        ("unlocked", "yes"),
        ("current-slot", "a"),
        ("slot-count", "2"),
        ("slot-suffixes", "_a,_b"),
        ("has-slot:boot", "yes"),
        ("has-slot:userdata", "no"),
        ("has-slot:boot_a", "no"),
        ("has-slot:nosuch", "no"),
        ("max-download-size", "0x10000000"),
        ("is-logical:boot_a", "no"),
        ("partition-size:boot_a", "0x100000"),
        ("partition-type:userdata", "raw"),
        ("is-userspace", "no"),
        ("slot-successful:a", "yes"),
        ("slot-successful:_b", "no"),
        ("slot-unbootable:b", "no"),
        ("slot-retry-count:b", str(DEFAULT_RETRIES)),
        ("nosuchvar", None),
        ("partition-size:boot", None),
        ("slot-successful:c", None),
        ("has-slot", None),
    ],
)
def test_getvar(name: str, value: str | None) -> None:
    assert make().getvar(name) == value


def test_getvar_all_matches_single_getvars() -> None:
    bl = make(unlocked=False)
    pairs = dict(bl.getvar_all())
    assert pairs["unlocked"] == "no"
    assert pairs["partition-size:vendor_boot_b"] == "0x100000"
    assert all(bl.getvar(k) == v for k, v in pairs.items())


# -- boot images ----------------------------------------------------------------------


@pytest.mark.parametrize("version", [0, 1, 2, 3, 4])
def test_boot_image_round_trip(version: int) -> None:
    cmdline = "console=ttynull kcompressd.enable=1"
    img = build_boot_image(
        KERNEL, b"RD" * 1000, header_version=version, cmdline=cmdline, os_version="15.1.2", patch_level="2025-02"
    )
    info = parse_boot_image(img)
    assert info is not None
    assert info.header_version == version
    assert (info.kernel_size, info.ramdisk_size) == (len(KERNEL), 2000)
    assert (info.os_version, info.os_patch_level) == ("15.1.2", "2025-02")
    assert info.cmdline == cmdline
    assert info.kernel_release == "6.1.75-android14-11-gkcompressd"


@pytest.mark.parametrize(("version", "page", "header_size"), [(0, 2048, None), (2, 2048, 1660), (4, 4096, 1584)])
def test_boot_image_layout_follows_bootimg_h(version: int, page: int, header_size: int | None) -> None:
    img = build_boot_image(KERNEL, b"R" * 10, header_version=version)
    assert img[:8] == b"ANDROID!"
    assert struct.unpack_from("<I", img, 40)[0] == version  # same offset in every version
    assert img[page : page + len(KERNEL)] == KERNEL  # kernel starts on the second page
    assert img[2 * page : 2 * page + 10] == b"R" * 10  # ramdisk on the next page boundary
    assert len(img) % page == 0
    if version < 3:
        assert struct.unpack_from("<I", img, 36)[0] == page
    if header_size is not None:
        offset = 20 if version >= 3 else 1644
        assert struct.unpack_from("<I", img, offset)[0] == header_size
    # os_version for 14.0.0 / 2024-06, encoded as A<<25 | B<<18 | C<<11 | (Y-2000)<<4 | M.
    os_offset = 16 if version >= 3 else 44
    assert struct.unpack_from("<I", img, os_offset)[0] == (14 << 25) | (24 << 4) | 6


def test_long_cmdline_spills_into_extra_cmdline_on_v0() -> None:
    cmdline = " ".join(f"opt{i}=1" for i in range(120))
    assert len(cmdline) > 512
    info = parse_boot_image(build_boot_image(KERNEL, header_version=0, cmdline=cmdline))
    assert info is not None and info.cmdline == cmdline


def test_gzip_kernel_release_is_found() -> None:
    info = parse_boot_image(build_boot_image(gzip.compress(KERNEL)))
    assert info is not None and info.kernel_release == "6.1.75-android14-11-gkcompressd"


def test_kernel_without_banner_has_no_release() -> None:
    info = parse_boot_image(build_boot_image(b"\x00" * 100))
    assert info is not None and info.kernel_release is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"ANDROID",
        b"VNDRBOOT" + b"\0" * 4096,
        build_boot_image(KERNEL)[:4200],
        build_boot_image(KERNEL, header_version=0)[:3000],
    ],
)
def test_parse_rejects_non_images_and_truncated_ones(data: bytes) -> None:
    assert parse_boot_image(data) is None


def test_zero_os_version_decodes_to_none() -> None:
    img = bytearray(build_boot_image(KERNEL))
    img[16:20] = b"\0\0\0\0"
    info = parse_boot_image(bytes(img))
    assert info is not None and (info.os_version, info.os_patch_level) == (None, None)


@pytest.mark.parametrize(
    "kwargs", [{"header_version": 5}, {"os_version": "200.0.0"}, {"patch_level": "2024-13"}, {"cmdline": "x" * 1536}]
)
def test_build_rejects_what_the_header_cannot_hold(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        build_boot_image(KERNEL, **kwargs)  # type: ignore[arg-type]
