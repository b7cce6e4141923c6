"""``check_apk``: a built test APK against the contract and Android's install and load rules."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from android_suite.apk.aapt_dump import is_false, parse_badging, parse_xmltree
from android_suite.apk.elf import parse_elf
from android_suite.apk.elf_rules import elf_violations
from android_suite.apk.native import LIB_NAME, MIN_SDK
from android_suite.apk.package import PACKAGE_PREFIX, SETTING_KEYS
from android_suite.apk.signing import run_tool, verify
from android_suite.apk.zipalign import check_alignment
from android_suite.errors import SuiteError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_apk(path: Path) -> list[Check]:
    """Run every check on ``path``; a failing step becomes a failed Check, never an exception."""
    out: list[Check] = []
    steps = (_signature, _badging, _manifest, _zip_layout, _settings, _libraries)
    for step in steps:
        try:
            out += step(path)
        except (SuiteError, zipfile.BadZipFile, OSError) as exc:
            out.append(Check(step.__name__.strip("_"), False, str(exc)))
    return out


def _signature(path: Path) -> list[Check]:
    text = verify(path)
    ok = all(f"Verified using {v} scheme (APK Signature Scheme {v}): true" in text for v in ("v2", "v3"))
    return [Check("signature", ok, "apksigner verify: v2 and v3" + ("" if ok else f"\n{text}"))]


def _badging(path: Path) -> list[Check]:
    b = parse_badging(run_tool(["aapt", "dump", "badging", str(path)], "aapt dump badging"))
    return [
        Check("package", b.package.startswith(PACKAGE_PREFIX), b.package),
        Check("min-sdk", b.sdk_version == str(MIN_SDK), f"sdkVersion {b.sdk_version}"),
        Check("activity", b.launchable_activity == "android.app.NativeActivity", f"{b.launchable_activity}"),
        Check("label", (b.label or "").startswith("ASuite A"), f"{b.label}"),
        Check("native-code", "arm64-v8a" in b.native_code, " ".join(b.native_code)),
    ]


def _manifest(path: Path) -> list[Check]:
    text = run_tool(["aapt", "dump", "xmltree", str(path), "AndroidManifest.xml"], "aapt dump xmltree")
    elements = parse_xmltree(text)
    app = next((e for e in elements if e.name == "application"), None)
    meta = {e.attrs.get("android:name"): e.attrs.get("android:value") for e in elements if e.name == "meta-data"}
    has_code = app.attrs.get("android:hasCode") if app else None
    extract = app.attrs.get("android:extractNativeLibs") if app else None
    return [
        Check("hasCode", is_false(has_code), f"android:hasCode={has_code}"),
        Check("extractNativeLibs", is_false(extract), f"android:extractNativeLibs={extract}"),
        Check("lib_name", meta.get("android.app.lib_name") == "asuiteapp", f"{meta.get('android.app.lib_name')}"),
    ]


def _zip_layout(path: Path) -> list[Check]:
    with zipfile.ZipFile(path) as zf:
        libs = [i for i in zf.infolist() if i.filename.endswith(".so")]
        compressed = [i.filename for i in libs if i.compress_type != zipfile.ZIP_STORED]
    bad = check_alignment(path)
    # Debian's zipalign as a second opinion on the 4-byte rule (it knows nothing of 16 KiB).
    run_tool(["zipalign", "-c", "-p", "4", str(path)], "zipalign -c (Debian package zipalign)")
    return [
        Check("so-stored", bool(libs) and not compressed, f"{len(libs)} libraries, compressed: {compressed}"),
        Check("alignment", not bad, "stored 4, .so 16384" if not bad else "; ".join(map(str, bad))),
    ]


def _settings(path: Path) -> list[Check]:
    with zipfile.ZipFile(path) as zf:
        text = zf.read("assets/asuite.conf").decode()
    keys = [ln.split("=", 1)[0].strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    unknown = [k for k in keys if k not in SETTING_KEYS]
    detail = f"keys {keys}" + (f", unknown {unknown}" if unknown else "")
    return [Check("asuite.conf", not unknown and bool(keys), detail)]


def _libraries(path: Path) -> list[Check]:
    out: list[Check] = []
    with zipfile.ZipFile(path) as zf:
        for name in sorted(n for n in zf.namelist() if n.endswith("/" + LIB_NAME)):
            abi = name.split("/")[1]
            bad = elf_violations(parse_elf(zf.read(name)), abi=abi)
            out.append(Check(f"elf {abi}", not bad, "loader rules hold" if not bad else "; ".join(bad)))
    if not out:
        out.append(Check("elf", False, f"no lib/<abi>/{LIB_NAME}"))
    return out
