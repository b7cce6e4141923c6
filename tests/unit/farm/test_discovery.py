from __future__ import annotations

from pathlib import Path

from android_suite.device.info import DeviceInfo
from android_suite.errors import DeviceDisconnectedError
from android_suite.farm.discovery import discover, merge
from android_suite.farm.inventory import AdbServerAddr, inventory_from_dict
from android_suite.farm.select import Selection, csv_set, select

LOCAL = AdbServerAddr("127.0.0.1", 5037)
LAB2 = AdbServerAddr("lab2", 5037)


def info(serial: str, vendor: str = "MediaTek", model: str = "Phone 1") -> DeviceInfo:
    return DeviceInfo(serial, model, "brand", "dev", vendor, "MT6895", "14", 34, "6.1", 8_000_000, 8, "arm64-v8a",
                      "fp", "physical")  # fmt: skip


INV = inventory_from_dict(
    {
        "device": [
            {"serial": "A", "tags": ["nightly", "mtk"], "soc_vendor": "MediaTek"},
            {"serial": "B", "adb_server": "lab2:5037", "tags": ["nightly"], "soc_vendor": "Qualcomm"},
            {"serial": "C", "tags": ["mtk"]},
            {"serial": "D"},
            {"serial": "E", "adb_server": "lab3:5037"},
        ]
    },
    Path("farm.toml"),
)


def test_merge_statuses_and_problems() -> None:
    listings = {LOCAL: [("A", "device"), ("C", "unauthorized"), ("Z", "device")], LAB2: [("B", "device")]}
    rows = {d.serial: d for d in merge(INV, listings, {"A": info("A"), "B": info("B"), "Z": "timed out"})}
    assert [rows[s].status for s in "ABCDZ"] == ["ready", "ready", "unauthorized", "missing", "unlisted"]
    assert rows["A"].usable and not rows["C"].usable and not rows["Z"].usable
    assert rows["B"].problems == ("inventory says soc_vendor 'Qualcomm', device says 'MediaTek'",)
    assert rows["Z"].problems == ("device info: timed out",)
    assert rows["A"].to_dict()["tags"] == ["mtk", "nightly"]


def test_discover_lists_each_server_once_and_reports_a_dead_one() -> None:
    asked: list[AdbServerAddr] = []

    def lister(addr: AdbServerAddr) -> list[tuple[str, str]]:
        asked.append(addr)
        if addr.host == "lab3":
            raise DeviceDisconnectedError("connection refused")
        return {LOCAL: [("A", "device"), ("D", "offline")], LAB2: [("B", "device")]}[addr]

    rows = {d.serial: d for d in discover(INV, lister=lister, info_reader=lambda s, a: info(s))}
    assert sorted(map(str, asked)) == ["127.0.0.1:5037", "lab2:5037", "lab3:5037"]
    assert rows["D"].status == "offline"
    assert rows["E"].status == "missing" and "adb server down" in rows["E"].problems[0]


def test_select_by_vendor_tags_serial_and_mechanism() -> None:
    listings = {LOCAL: [("A", "device"), ("C", "device"), ("D", "device")], LAB2: [("B", "device")]}
    infos = {"A": info("A"), "B": info("B", "Qualcomm", "Pixel"), "C": info("C"), "D": info("D", "Google")}
    rows = merge(INV, listings, infos)
    chosen, why = select(rows, Selection(vendors=csv_set("mediatek"), tags=csv_set("mtk")))
    assert [d.serial for d in chosen] == ["A", "C"]
    assert why["B"].startswith("SoC vendor Qualcomm") and why["D"].startswith("SoC vendor Google")
    chosen, why = select(rows, Selection(tags=csv_set("nightly,mtk")))
    assert [d.serial for d in chosen] == ["A"] and "lacks tag(s) ['nightly']" in why["C"]
    chosen, _ = select(rows, Selection(serials=frozenset({"b"}), models=csv_set("pixel")))
    assert [d.serial for d in chosen] == ["B"]
    mech = {"A": "sysctl", "C": "none"}
    chosen, why = select(rows, Selection(mechanisms=csv_set("sysctl")), lambda d: mech.get(d.serial))
    assert [d.serial for d in chosen] == ["A"] and "mechanism none" in why["C"]
