"""Manifest-only test APKs built with Debian's aapt (and signed with apksigner) for the install tests.

They have the test app's manifest (NativeActivity, ``android.app.lib_name``
= asuiteapp, ``hasCode="false"``), its ``assets/asuite.conf`` and a
placeholder ``lib/<abi>/libasuiteapp.so``: enough for the package manager
model, not for a phone. The real app comes from ``android_suite.apk.build``.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")
TOOLS = ("aapt", "apksigner", "keytool", "zipalign")

_MANIFEST = """<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="{package}" android:versionCode="{version}" android:versionName="1.0">
  <uses-sdk android:minSdkVersion="{min_sdk}" android:targetSdkVersion="{target_sdk}"/>
  <application android:label="{label}" android:hasCode="{has_code}"{app_extra}>
    <activity android:name="android.app.NativeActivity" android:label="{label}" android:exported="true">
      <meta-data android:name="android.app.lib_name" android:value="{lib}"/>
      <intent-filter>
        <action android:name="android.intent.action.MAIN"/>
        <category android:name="android.intent.category.LAUNCHER"/>
      </intent-filter>
    </activity>
  </application>
</manifest>
"""


@dataclass(frozen=True)
class FixtureApk:
    package: str
    path: Path
    sha256: str
    settings: Mapping[str, str]


def require_tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing or not FRAMEWORK_RES.is_file():
        pytest.skip(f"needs {', '.join(missing) or FRAMEWORK_RES} (Debian: aapt apksigner default-jdk-headless)")


@functools.cache
def _keystore() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="asuite-testkey-"))
    ks = folder / "debug.p12"
    subprocess.run(
        ["keytool", "-genkeypair", "-keystore", str(ks), "-storetype", "PKCS12", "-storepass", "android",
         "-keypass", "android", "-alias", "debug", "-keyalg", "RSA", "-keysize", "2048", "-validity", "10000",
         "-dname", "CN=android_suite test"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return ks


def build_apk(
    out_dir: Path,
    package: str,
    *,
    label: str = "ASuite Test",
    settings: Mapping[str, str] | None = None,
    abis: Sequence[str] = ("arm64-v8a", "x86_64"),
    sign: bool = True,
    version: int = 1,
    min_sdk: int = 26,
    target_sdk: int = 34,
    has_code: bool = False,
    lib: str = "asuiteapp",
    app_extra: str = "",
    label_resource: bool = False,
    store_arsc: bool = True,
) -> FixtureApk:
    """One APK at ``out_dir/<package>.apk``."""
    require_tools()
    work = out_dir / f"{package}.build"
    shutil.rmtree(work, ignore_errors=True)
    (work / "assets").mkdir(parents=True)
    (work / "root").mkdir()
    conf = dict(settings or {})
    (work / "assets" / "asuite.conf").write_text("".join(f"{k}={v}\n" for k, v in conf.items()))
    for abi in abis:
        (work / "root" / "lib" / abi).mkdir(parents=True)
        (work / "root" / "lib" / abi / f"lib{lib}.so").write_bytes(b"\x7fELF placeholder")
    manifest = _MANIFEST.format(
        package=package, label=label, version=version, min_sdk=min_sdk, target_sdk=target_sdk,
        has_code=str(has_code).lower(), lib=lib, app_extra=app_extra,
    )  # fmt: skip
    res: list[str] = []
    if label_resource:
        # As the real build does: the label is @string/app_name, with a French translation beside it.
        manifest = manifest.replace(f'android:label="{label}"', 'android:label="@string/app_name"')
        for folder, text in (("values", label), ("values-fr", label + " (fr)")):
            (work / "res" / folder).mkdir(parents=True)
            (work / "res" / folder / "strings.xml").write_text(
                f'<resources><string name="app_name">{text}</string></resources>\n'
            )
        # targetSdk 30+ needs resources.arsc stored and 4-byte aligned (store_arsc=False breaks that rule).
        res = ["-S", str(work / "res"), *(["-0", "arsc"] if store_arsc else [])]
    (work / "AndroidManifest.xml").write_text(manifest)
    unsigned = work / "unsigned.apk"
    subprocess.run(
        ["aapt", "package", "-f", "-M", str(work / "AndroidManifest.xml"), "-I", str(FRAMEWORK_RES),
         *res, "-A", str(work / "assets"), "-F", str(unsigned), str(work / "root")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    if label_resource and store_arsc:
        aligned = work / "aligned.apk"
        argv = ["zipalign", "-f", "4", str(unsigned), str(aligned)]
        subprocess.run(argv, check=True, capture_output=True, timeout=60)
        unsigned = aligned
    final = out_dir / f"{package}.apk"
    if sign:
        subprocess.run(
            ["apksigner", "sign", "--ks", str(_keystore()), "--ks-pass", "pass:android", "--out", str(final),
             str(unsigned)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        final.with_name(final.name + ".idsig").unlink(missing_ok=True)
    else:
        shutil.copyfile(unsigned, final)
    shutil.rmtree(work, ignore_errors=True)
    return FixtureApk(package, final, hashlib.sha256(final.read_bytes()).hexdigest(), conf)


def build_set(out_dir: Path, count: int = 4, anon_mb: Sequence[int] | None = None) -> list[FixtureApk]:
    """The contract's set: org.androidsuite.testapp.a01.. labelled "ASuite A01".."""
    out = []
    for i in range(1, count + 1):
        mb = anon_mb[i - 1] if anon_mb else 32 + 16 * i
        settings = {"anon_mb": str(mb), "ratio": "0.5", "touch_pct": "50", "frame_work_us": "3000", "fps": "0"}
        out.append(
            build_apk(out_dir, f"org.androidsuite.testapp.a{i:02d}", label=f"ASuite A{i:02d}", settings=settings)
        )
    return out
