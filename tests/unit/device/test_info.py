"""SoC classification and DeviceInfo over golden getprop dumps."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.device.info import INFO_ARGV, DeviceInfo, classify_soc, device_info, parse_info_dump
from android_suite.errors import ParseError
from android_suite.parsers.getprop import parse_getprop

DATA = Path(__file__).parents[2] / "data" / "getprop"

GOLDEN = [
    # file, soc_vendor, soc_model, sdk, release, model, kind
    ("mediatek_helio_p60_android9.txt", "MediaTek", "MT6771", 28, "9", "CPH1859", "physical"),
    ("mediatek_helio_p60_android9_crlf.txt", "MediaTek", "MT6771", 28, "9", "CPH1859", "physical"),
    ("mediatek_dimensity_android14.txt", "MediaTek", "MT6896", 34, "14", "2306EPN60G", "physical"),
    ("mediatek_empty_board_platform_android10.txt", "MediaTek", "MT6765", 29, "10", "Nokia 2.3", "physical"),
    ("qualcomm_sm8550_android14.txt", "Qualcomm", "SM8550", 34, "14", "SM-S911B", "physical"),
    ("google_pixel6_android14.txt", "Google", "GS101", 34, "14", "Pixel 6", "physical"),
    ("google_pixel6_android14_utf16le.txt", "Google", "GS101", 34, "14", "Pixel 6", "physical"),
    ("samsung_exynos9810_android10.txt", "Samsung", "Exynos 9810", 29, "10", "SM-G960F", "physical"),
    ("samsung_exynos2400_android14.txt", "Samsung", "s5e9945", 34, "14", "SM-S921B", "physical"),
    ("unisoc_t606_android14.txt", "Unisoc", "T606", 34, "14", "RMX3834", "physical"),
    ("virtual_sim_mt6789.txt", "MediaTek", "MT6789", 34, "14", "VirtualPhone", "virtual-sim"),
]


def props_of(name: str) -> dict[str, str]:
    return parse_getprop((DATA / name).read_bytes()).props


@pytest.mark.parametrize(("name", "vendor", "soc", "sdk", "release", "model", "kind"), GOLDEN)
def test_golden_device_info(name: str, vendor: str, soc: str, sdk: int, release: str, model: str, kind: str) -> None:
    info = device_info("SER", props_of(name))
    assert (info.soc_vendor, info.soc_model) == (vendor, soc)
    assert (info.sdk, info.android_release, info.model, info.kind) == (sdk, release, model, kind)
    assert info.build_fingerprint and info.abi and info.brand and info.device
    # Nothing from /proc was given: those stay None, never 0.
    assert info.ram_kb is None and info.cores is None and info.kernel_version is None


def test_empty_board_platform_falls_through() -> None:
    props = props_of("mediatek_empty_board_platform_android10.txt")
    assert props["ro.board.platform"] == ""
    assert classify_soc(props) == ("MediaTek", "MT6765")


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"ro.soc.manufacturer": "MTK", "ro.soc.model": "mt6789"}, ("MediaTek", "MT6789")),
        ({"ro.soc.manufacturer": "MediaTek", "ro.board.platform": "mt6893"}, ("MediaTek", "MT6893")),
        ({"ro.board.platform": "huawei82_cwet_kk", "ro.mediatek.platform": "MT6592"}, ("MediaTek", "MT6592")),
        (
            {"ro.board.platform": "", "ro.hardware": "", "ro.vendor.mediatek.platform": "MT6833"},
            ("MediaTek", "MT6833"),
        ),
        ({"ro.board.platform": "msm8998", "ro.hardware": "qcom"}, ("Qualcomm", "MSM8998")),
        ({"ro.board.platform": "sdm845"}, ("Qualcomm", "SDM845")),
        ({"ro.board.platform": "lahaina", "ro.hardware": "qcom"}, ("Qualcomm", "SM8350")),
        ({"ro.board.platform": "sun"}, ("Qualcomm", "SM8750")),
        ({"ro.board.platform": "parrot"}, ("Qualcomm", "parrot")),
        ({"ro.soc.manufacturer": "Qualcomm", "ro.board.platform": "taro"}, ("Qualcomm", "SM8450")),
        ({"ro.hardware": "qcom"}, ("Qualcomm", "unknown")),
        ({"ro.board.platform": "zuma", "ro.hardware": "husky"}, ("Google", "Tensor G3")),
        ({"ro.board.platform": "", "ro.hardware": "oriole"}, ("Google", "unknown")),
        (
            {"ro.soc.manufacturer": "Samsung Electronics", "ro.board.platform": "s5e9925"},
            ("Samsung", "S5E9925"),
        ),
        ({"ro.board.platform": "universal7904"}, ("Samsung", "Exynos 7904")),
        ({"ro.board.platform": "sp9863a", "ro.hardware": "sp9863a_1h10"}, ("Unisoc", "SP9863A")),
        ({"ro.board.platform": "kirin970"}, ("HiSilicon", "KIRIN970")),
        ({"ro.board.platform": "rk3399"}, ("Rockchip", "RK3399")),
        ({"ro.soc.manufacturer": "Acme Silicon", "ro.soc.model": "X1"}, ("Acme Silicon", "X1")),
        (
            {"ro.soc.manufacturer": "AOSP", "ro.soc.model": "ranchu", "ro.hardware": "ranchu"},
            ("unknown", "ranchu"),
        ),
        ({"ro.board.platform": "someboard", "ro.product.cpu.abi": "arm64-v8a"}, ("unknown", "someboard")),
        ({}, ("unknown", "unknown")),
    ],
)
def test_classify_soc(props: dict[str, str], expected: tuple[str, str]) -> None:
    assert classify_soc(props) == expected


def test_kind_prop_values() -> None:
    assert device_info("s", {"ro.android_suite.kind": "virtual-qemu"}).kind == "virtual-qemu"
    assert device_info("s", {"ro.android_suite.kind": "bogus"}).kind == "physical"
    info = device_info("s", {})
    assert info.kind == "physical" and info.model is None and info.sdk is None


def dump(sections: dict[str, str], end: bool = True) -> str:
    parts = [f"@@android_suite:{k}\n{v}" for k, v in sections.items()]
    return "\n".join(parts) + ("\n@@android_suite:end\n" if end else "")


def test_parse_info_dump_full() -> None:
    text = dump(
        {
            "boot_id": "1b2c3d4e-0000-4000-8000-123456789abc",
            "getprop": (DATA / "google_pixel6_android14.txt").read_text(),
            "version": "Linux version 5.10.198-android13-4-00050-g12f3388846c3-ab11920634 "
            "(build-user@build-host) (Android (10087095, +pgo, +bolt, +lto, -mlgo, based on r487747c) "
            "clang version 17.0.2) #1 SMP PREEMPT",
            "uname": "5.10.198-android13-4-00050-g12f3388846c3-ab11920634",
            "meminfo": "MemTotal:        7868528 kB\nMemFree:          334260 kB\nMemAvailable:    3019876 kB",
            "cpu_possible": "0-7",
            "nproc": "6",
        }
    )
    d = parse_info_dump(text)
    assert d.boot_id == "1b2c3d4e-0000-4000-8000-123456789abc"
    assert d.kernel_version == "5.10.198-android13-4-00050-g12f3388846c3-ab11920634"
    assert d.ram_kb == 7868528
    assert d.cores == 8  # possible, not the 6 online ones
    info = device_info("SER", d.getprop.props, kernel_version=d.kernel_version, ram_kb=d.ram_kb, cores=d.cores)
    assert isinstance(info, DeviceInfo)
    assert info.to_dict()["soc_vendor"] == "Google"
    assert info.to_dict()["ram_kb"] == 7868528


def test_parse_info_dump_missing_facts_are_none() -> None:
    d = parse_info_dump(
        dump(
            {
                "boot_id": "",
                "getprop": "[a]: [1]",
                "version": "",
                "uname": "4.4.146+",
                "meminfo": "",
                "cpu_possible": "",
                "nproc": "",
            }
        )
    )
    assert (d.boot_id, d.ram_kb, d.cores) == (None, None, None)
    assert d.kernel_version == "4.4.146+"  # uname -r fallback
    d2 = parse_info_dump(dump({"getprop": "", "cpu_possible": "", "nproc": "4\r"}))
    assert d2.cores == 4 and d2.kernel_version is None


def test_parse_info_dump_cut_off_raises() -> None:
    with pytest.raises(ParseError):
        parse_info_dump(dump({"boot_id": "x", "getprop": "[a]: [1]"}, end=False))


def test_info_argv_is_one_sh_c_call() -> None:
    assert INFO_ARGV[:2] == ("sh", "-c") and len(INFO_ARGV) == 3
    assert "getprop" in INFO_ARGV[2] and "/proc/meminfo" in INFO_ARGV[2]
