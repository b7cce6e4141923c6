"""One APK variant: manifest, resources, settings and native libraries -> aapt -> aligned zip -> signed APK."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

from android_suite.apk import zipalign
from android_suite.apk.cache import TESTAPP_DIR
from android_suite.apk.native import LIB_NAME, MIN_SDK
from android_suite.apk.signing import SigningKey, run_tool, sign

FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")  # Debian android-framework-res (API 29)
# 34 (Android 14): a target under 28 shows an "older version" dialog on new phones, which would disturb
# app switching; aapt knows API 29's attributes only, which is all this manifest uses.
TARGET_SDK = 34
PACKAGE_PREFIX = "org.androidsuite.testapp.a"
SETTING_KEYS = ("anon_mb", "ratio", "touch_pct", "frame_work_us", "fps")


@dataclass(frozen=True)
class Variant:
    """One package of the set: ``org.androidsuite.testapp.aNN`` labelled "ASuite ANN"."""

    index: int
    settings: Mapping[str, str]

    @property
    def package(self) -> str:
        return f"{PACKAGE_PREFIX}{self.index:02d}"

    @property
    def label(self) -> str:
        return f"ASuite A{self.index:02d}"


def manifest_text(variant: Variant) -> str:
    template = Template((TESTAPP_DIR / "AndroidManifest.xml.in").read_text())
    return template.substitute(package=variant.package, version_code="1", version_name="1.0")


def strings_xml(variant: Variant) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<resources>\n  <string name="app_name">{variant.label}</string>\n</resources>\n'
    )


def conf_text(variant: Variant) -> str:
    """``assets/asuite.conf``: the variant's defaults (intent extras and debug.asuite.* override them)."""
    lines = [f"# {variant.package}: defaults; see apk_workloads/testapp/README.md"]
    lines += [f"{k}={variant.settings[k]}" for k in SETTING_KEYS if k in variant.settings]
    return "\n".join(lines) + "\n"


def package_apk(variant: Variant, libs: Mapping[str, Path], key: SigningKey, work: Path, out: Path) -> None:
    """Build the signed APK for ``variant`` at ``out``, using ``work`` as scratch space.

    Args:
        libs: ABI -> built ``libasuiteapp.so``.
    """
    (work / "manifest").mkdir(parents=True)
    (work / "manifest" / "AndroidManifest.xml").write_text(manifest_text(variant))
    (work / "res" / "values").mkdir(parents=True)
    (work / "res" / "values" / "strings.xml").write_text(strings_xml(variant))
    (work / "assets").mkdir()
    (work / "assets" / "asuite.conf").write_text(conf_text(variant))
    for abi, lib in sorted(libs.items()):
        (work / "native" / "lib" / abi).mkdir(parents=True)
        shutil.copyfile(lib, work / "native" / "lib" / abi / LIB_NAME)
    unaligned = work / "unaligned.apk"
    # The native tree is a positional dir so `-0 so` keeps the .so stored (`aapt add` would deflate it).
    run_tool(
        ["aapt", "package", "-f", "-M", str(work / "manifest" / "AndroidManifest.xml"),
         "-S", str(work / "res"), "-A", str(work / "assets"), "-I", str(FRAMEWORK_RES),
         "--min-sdk-version", str(MIN_SDK), "--target-sdk-version", str(TARGET_SDK),
         "-0", "so", "-0", "arsc", "-F", str(unaligned), str(work / "native")],
        "aapt package",
    )  # fmt: skip
    aligned = work / "aligned.apk"
    zipalign.rewrite(unaligned, aligned)
    sign(aligned, out, key)
