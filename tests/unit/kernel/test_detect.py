"""detect_reclaim: the script's output to a ReclaimSetup, per kcompressd variant, with absent files as None."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import pytest

from android_suite.device.device import Device
from android_suite.device.fake import FakeTransport
from android_suite.errors import ParseError
from android_suite.kernel.detect import CONFIG_GZ, DETECT_ARGV, detect_reclaim, parse_reclaim_dump, split_sections
from android_suite.kernel.kconfig import config_string, parse_kernel_config
from tests.unit.kernel.dumps import VERSION, dump, phone, ps

CONFIG_LINES = ("#", "# Automatically generated file; DO NOT EDIT.", "#", "CONFIG_ZRAM=y", 'CONFIG_ZRAM_DEF_COMP="lz4"')
CONFIG = "\n".join([*CONFIG_LINES, "", "# CONFIG_ZSWAP is not set", ""])


@pytest.fixture
def fake() -> Iterator[FakeTransport]:
    t = FakeTransport("SER1")
    yield t
    t.assert_all_consumed()


def test_unofficial_phone() -> None:
    s = parse_reclaim_dump("SER1", phone())
    assert (s.mechanism, s.sysctl_value, s.kcompressd_threads, s.kswapd_threads) == (
        "sysctl",
        24,
        ("kcompressd0",),
        ("kswapd0",),
    )
    assert s.offload_active is True and s.offload_possible is True
    assert s.proc_version == VERSION.strip() and s.product == "rubens"
    assert (s.zswap_enabled, s.swappiness, s.mglru_mask, s.mglru_enabled) == (False, 100, 7, True)
    (z,) = s.zram
    assert (z.name, z.algorithm, z.disksize, z.max_comp_streams, z.backing_dev) == (
        "zram0",
        "lz4",
        4294967296,
        8,
        "/dev/block/loop42",
    )
    assert z.algorithms == ("lzo", "lzo-rle", "lz4", "zstd")
    assert z.swap is not None and z.swap.used_kb == 1048576
    assert s.nr_kcompressd is None and s.kernel_config is None and s.notes == ()


def test_sysctl_zero_is_off_though_the_thread_stays() -> None:
    s = parse_reclaim_dump("S", phone(sysctl="0\n"))
    assert (s.mechanism, s.offload_active, s.offload_possible) == ("sysctl", False, False)


def test_v1_is_a_thread_without_a_knob() -> None:
    s = parse_reclaim_dump("S", phone(sysctl=None))
    assert (s.mechanism, s.offload_active, s.sysctl_value) == ("build", True, None)


def test_rfc_module_parameters_with_threads_not_started() -> None:
    s = parse_reclaim_dump(
        "S", phone(sysctl=None, nr_kcompressd="4\n", queue_size_per_kcompressd="4096\n", ps=ps("kswapd0"))
    )
    assert (s.mechanism, s.nr_kcompressd, s.queue_size_per_kcompressd, s.offload_active) == ("module", 4, 4096, True)
    assert any("first queued write" in n for n in s.notes)
    started = parse_reclaim_dump(
        "S", phone(sysctl=None, nr_kcompressd="4\n", ps=ps("kswapd0", "kcompressd:0", "kcompressd:1"))
    )
    assert started.kcompressd_threads == ("kcompressd:0", "kcompressd:1") and started.notes == ()


def test_no_kcompressd_and_nothing_guessed() -> None:
    s = parse_reclaim_dump("S", phone(sysctl=None, zswap=None, lru_gen=None, ps=ps("kswapd0")))
    assert (s.mechanism, s.offload_active, s.kcompressd_threads) == ("none", False, ())
    assert s.zswap_enabled is None and s.mglru_mask is None and s.mglru_enabled is None


def test_unreadable_ps_leaves_the_variant_unknown() -> None:
    s = parse_reclaim_dump("S", phone(sysctl=None, ps=""))
    assert (s.mechanism, s.offload_active, s.offload_possible, s.kcompressd_threads) == (None, None, None, None)
    sysctl = parse_reclaim_dump("S", phone(ps=""))
    assert (sysctl.mechanism, sysctl.offload_active) == ("sysctl", None)


def test_unreadable_knob_is_none_and_noted() -> None:
    s = parse_reclaim_dump("S", phone(sysctl="!unreadable"))
    assert (s.mechanism, s.sysctl_value, s.offload_active) == ("sysctl", None, None)
    assert "/proc/sys/vm/kcompressd unreadable" in s.notes


def test_no_swap_means_offload_impossible() -> None:
    header = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
    s = parse_reclaim_dump("S", phone(swaps=header))
    assert s.offload_active is True and s.offload_possible is False
    assert s.zram[0].swap is None
    zswap = parse_reclaim_dump("S", phone(swaps=header, zswap="Y\n"))
    assert zswap.offload_possible is False  # zswap needs a swap area behind it


def test_missing_final_newline_and_missing_zram_files() -> None:
    text = dump(version=VERSION, sysctl="16", zram0__disksize="0", zram0__comp_algorithm=None, ps=ps("kcompressd0"))
    s = parse_reclaim_dump("S", text)
    assert s.sysctl_value == 16
    assert s.zram[0].disksize == 0 and s.zram[0].algorithm is None and s.zram[0].backing_dev is None
    assert s.swaps is None


def test_malformed_content_raises_parse_error() -> None:
    with pytest.raises(ParseError, match="swappiness"):
        parse_reclaim_dump("S", phone(swappiness="lots\n"))
    with pytest.raises(ParseError, match="zswap"):
        parse_reclaim_dump("S", phone(zswap="maybe\n"))


def test_split_sections_statuses() -> None:
    contents, statuses = split_sections(dump(a="1\n", b=None, c="!unreadable") + "\n::rs:: config present\n")
    assert contents == {"a": "1\n"}
    assert statuses == {"b": "absent", "c": "unreadable", "config": "present"}


def test_detect_is_one_shell_call_plus_a_config_pull(fake: FakeTransport) -> None:
    fake.expect(list(DETECT_ARGV), stdout=phone() + "\n::rs:: config present\n")
    fake.expect_pull(CONFIG_GZ, gzip.compress(CONFIG.encode()))
    s = detect_reclaim(Device(fake))
    assert s.kernel_config == {"CONFIG_ZRAM": "y", "CONFIG_ZRAM_DEF_COMP": '"lz4"', "CONFIG_ZSWAP": "n"}
    assert [c.op for c in fake.calls] == ["run", "pull"]
    json.dumps(s.to_dict())  # recordable as is
    assert s.to_dict(with_config=False)["kernel_config"] is None


def test_detect_without_config(fake: FakeTransport) -> None:
    fake.expect(list(DETECT_ARGV), stdout=phone())
    assert detect_reclaim(Device(fake)).kernel_config is None
    fake.expect(list(DETECT_ARGV), stdout=phone() + "\n::rs:: config present\n")
    assert detect_reclaim(Device(fake), with_config=False).kernel_config is None


def test_corrupt_config_is_noted_not_raised(fake: FakeTransport) -> None:
    fake.expect(list(DETECT_ARGV), stdout=phone() + "\n::rs:: config present\n")
    fake.expect_pull(CONFIG_GZ, b"not gzip")
    s = detect_reclaim(Device(fake))
    assert s.kernel_config is None
    assert any(n.startswith("/proc/config.gz present but not read") for n in s.notes)


def test_module_not_loaded_is_noted() -> None:
    s = parse_reclaim_dump("S", phone(sysctl=None, ps=ps("kswapd0")), config={"CONFIG_KCOMPRESSD": "m"})
    assert s.mechanism == "none"
    assert "CONFIG_KCOMPRESSD=m but the kcompressd module is not loaded" in s.notes


def test_kernel_config_parser() -> None:
    cfg = parse_kernel_config(CONFIG)
    assert config_string(cfg, "CONFIG_ZRAM_DEF_COMP") == "lz4"
    assert config_string(cfg, "CONFIG_ZRAM") == "y" and config_string(cfg, "CONFIG_NOPE") is None
    with pytest.raises(ParseError) as err:
        parse_kernel_config("CONFIG_A=y\ngarbage here\n")
    assert err.value.line == 2
