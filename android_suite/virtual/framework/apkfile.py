"""What the package manager model reads from an APK, and the checks Android makes before installing it.

Pure: APK bytes and the handset's SDK level and ABIs in, an :class:`ApkInfo`
out, or an :class:`InstallFailure` carrying the code ``pm install`` prints
(``INSTALL_PARSE_FAILED_*`` for a package that cannot be parsed,
``INSTALL_FAILED_*`` for one this handset refuses). The checks are the ones
PackageManagerService makes that a hand-built APK can trip over: a zip at
all, a binary manifest, a valid package name, a signature (v1 JAR files or a
v2+ signing block), SDK bounds, code present when ``hasCode`` says so, a
native library for one of the device's ABIs, and R+'s rule on resources.arsc.
Messages follow Android 14's wording where known; the codes are exact.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from android_suite.virtual.framework.arsc import resolve_string
from android_suite.virtual.framework.axml import AxmlError, XmlElement, parse_axml

MANIFEST = "AndroidManifest.xml"
SETTINGS_ASSET = "assets/asuite.conf"
NATIVE_ACTIVITY = "android.app.NativeActivity"
LIB_NAME_META = "android.app.lib_name"
MIN_TARGET_SDK = 23  # Android 14 refuses apps targeting below M (INSTALL_FAILED_DEPRECATED_SDK_VERSION)
_V2_MAGIC = b"APK Sig Block 42"
_V1_SIGNATURE = re.compile(r"META-INF/[^/]+\.(RSA|DSA|EC)$")
_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+")


class InstallFailure(Exception):
    """An install refused, as ``Failure [CODE: message]``."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message

    @property
    def line(self) -> str:
        return f"Failure [{self}]"


@dataclass(frozen=True)
class ApkInfo:
    """The parts of an APK the handset model uses.

    Attributes:
        package / version_code / label: from the manifest (a label that is a
            string resource is read from resources.arsc; the application's, else
            the launcher activity's, else the package name).
        has_code: ``android:hasCode`` (default true).
        activity: the launcher activity (MAIN/LAUNCHER), fully qualified; "" if none.
        lib_name: NativeActivity's ``android.app.lib_name`` meta-data ("main" by default).
        abis: ABIs with native libraries under ``lib/``.
        settings: ``assets/asuite.conf`` key=value lines (the suite's test app), else empty.
        min_sdk / target_sdk: from ``uses-sdk`` (1 and min_sdk when absent).
        test_only: ``android:testOnly`` (needs ``pm install -t``).
    """

    package: str
    version_code: int
    label: str
    has_code: bool
    activity: str
    lib_name: str
    abis: tuple[str, ...]
    settings: Mapping[str, str] = field(default_factory=dict)
    min_sdk: int = 1
    target_sdk: int = 1
    test_only: bool = False
    libs: tuple[str, ...] = ()  # every lib/<abi>/<file> entry

    def has_lib(self, abi: str) -> bool:
        return f"lib/{abi}/lib{self.lib_name}.so" in self.libs


def parse_settings(text: str) -> dict[str, str]:
    """``key=value`` lines; blank lines and ``#`` comments skipped, later keys win."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def _qualify(package: str, name: str) -> str:
    return package + name if name.startswith(".") else (name if "." in name else f"{package}.{name}")


def _launcher(app: XmlElement, package: str) -> tuple[str, str, str]:
    """(activity, its label, its lib_name) of the first MAIN/LAUNCHER activity."""
    for act in app.find_all("activity") + app.find_all("activity-alias"):
        for f in act.find_all("intent-filter"):
            actions = {str(a.attrs.get("android:name")) for a in f.find_all("action")}
            cats = {str(c.attrs.get("android:name")) for c in f.find_all("category")}
            if "android.intent.action.MAIN" in actions and "android.intent.category.LAUNCHER" in cats:
                lib = "main"
                for meta in act.find_all("meta-data"):
                    if meta.attrs.get("android:name") == LIB_NAME_META:
                        lib = str(meta.attrs.get("android:value", "main"))
                label = act.attrs.get("android:label", "")
                return _qualify(package, str(act.attrs.get("android:name", ""))), str(label), lib
    return "", "", "main"


def _label(value: object, arsc: bytes | None) -> str:
    """A label as text: a literal, or a string resource looked up in resources.arsc ("" if neither)."""
    text = str(value or "")
    if text.startswith("@0x") and arsc is not None:
        return resolve_string(arsc, int(text[1:], 16)) or ""
    return "" if text.startswith(("@", "?")) else text


def parse_apk(data: bytes, *, sdk: int = 34, abis: Sequence[str] = ("arm64-v8a",), test_ok: bool = True) -> ApkInfo:
    """Parse and check ``data`` as ``pm install`` would on a handset of ``sdk`` with ``abis``.

    Raises:
        InstallFailure: with Android's code for the first problem found.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InstallFailure(
            "INSTALL_PARSE_FAILED_NOT_APK", f"Failed to parse base.apk: not a zip archive ({exc})"
        ) from None
    if MANIFEST not in names:
        raise InstallFailure("INSTALL_PARSE_FAILED_BAD_MANIFEST", "Failed to parse base.apk: no AndroidManifest.xml")
    try:
        root = parse_axml(zf.read(MANIFEST))
    except (AxmlError, zipfile.BadZipFile, OSError) as exc:
        raise InstallFailure("INSTALL_PARSE_FAILED_MANIFEST_MALFORMED", f"AndroidManifest.xml: {exc}") from None
    if root.tag != "manifest":
        raise InstallFailure("INSTALL_PARSE_FAILED_MANIFEST_MALFORMED", f"No <manifest> tag (found <{root.tag}>)")
    package = str(root.attrs.get("package", ""))
    if not _PACKAGE.fullmatch(package):
        raise InstallFailure(
            "INSTALL_PARSE_FAILED_BAD_PACKAGE_NAME",
            f"Invalid manifest package: {package!r} must have at least one '.' separator",
        )
    apps = root.find_all("application")
    if len(apps) != 1:
        raise InstallFailure("INSTALL_PARSE_FAILED_MANIFEST_MALFORMED", f"<manifest> has {len(apps)} <application>")
    app = apps[0]
    uses_sdk = root.find("uses-sdk")
    sdk_attrs = uses_sdk.attrs if uses_sdk is not None else {}
    min_sdk = int(sdk_attrs.get("android:minSdkVersion", 1))
    target_sdk = int(sdk_attrs.get("android:targetSdkVersion", min_sdk))
    if not _signed(data, names):
        raise InstallFailure(
            "INSTALL_PARSE_FAILED_NO_CERTIFICATES",
            f"Scanning Failed.: No signature found in package of version 2 or newer for package {package}",
        )
    if min_sdk > sdk:
        raise InstallFailure(
            "INSTALL_FAILED_OLDER_SDK", f"Requires newer sdk version #{min_sdk} (current version is #{sdk})"
        )
    if target_sdk < MIN_TARGET_SDK and sdk >= 34:
        raise InstallFailure(
            "INSTALL_FAILED_DEPRECATED_SDK_VERSION",
            f"App package must target at least SDK version {MIN_TARGET_SDK}, but found {target_sdk}",
        )
    _check_arsc(zf, target_sdk)
    has_code = bool(app.attrs.get("android:hasCode", True))
    if has_code and "classes.dex" not in names:
        raise InstallFailure("INSTALL_FAILED_INVALID_APK", f"Package {package} code is missing")
    test_only = bool(app.attrs.get("android:testOnly", False))
    if test_only and not test_ok:
        raise InstallFailure("INSTALL_FAILED_TEST_ONLY", "installPackageLI")
    libs = tuple(n for n in names if n.startswith("lib/") and n.count("/") == 2 and not n.endswith("/"))
    lib_abis = tuple(sorted({n.split("/")[1] for n in libs}))
    if lib_abis and not set(lib_abis) & set(abis):
        raise InstallFailure("INSTALL_FAILED_NO_MATCHING_ABIS", "Failed to extract native libraries, res=-113")
    activity, act_label, lib_name = _launcher(app, package)
    settings = parse_settings(zf.read(SETTINGS_ASSET).decode("utf-8", "replace")) if SETTINGS_ASSET in names else {}
    arsc = zf.read("resources.arsc") if "resources.arsc" in names else None
    label = _label(app.attrs.get("android:label"), arsc) or _label(act_label, arsc) or package
    return ApkInfo(
        package=package,
        version_code=int(root.attrs.get("android:versionCode", 0)),
        label=label,
        has_code=has_code,
        activity=activity,
        lib_name=lib_name,
        abis=lib_abis,
        settings=settings,
        min_sdk=min_sdk,
        target_sdk=target_sdk,
        test_only=test_only,
        libs=libs,
    )


def _signed(data: bytes, names: Sequence[str]) -> bool:
    # v2/v3 put a signing block right before the central directory, ending in
    # its magic; finding it is enough for the model (no cryptography is checked).
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd >= 0 and eocd + 20 <= len(data):
        cd_offset = int.from_bytes(data[eocd + 16 : eocd + 20], "little")
        if cd_offset >= 16 and data[cd_offset - 16 : cd_offset] == _V2_MAGIC:
            return True
    return any(_V1_SIGNATURE.match(n) for n in names)


def _check_arsc(zf: zipfile.ZipFile, target_sdk: int) -> None:
    try:
        info = zf.getinfo("resources.arsc")
    except KeyError:
        return
    # PackageManagerService (R+): resources.arsc must be mmap-able in place.
    if target_sdk >= 30 and (info.compress_type != zipfile.ZIP_STORED or _data_offset(zf, info) % 4):
        raise InstallFailure(
            "INSTALL_PARSE_FAILED_RESOURCES_ARSC_COMPRESSED",
            "Targeting R+ (version 30 and above) requires the resources.arsc of installed APKs to be stored "
            "uncompressed and aligned on a 4-byte boundary",
        )


def _data_offset(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    fp = zf.fp
    assert fp is not None
    fp.seek(info.header_offset + 26)
    name_len, extra_len = int.from_bytes(fp.read(2), "little"), int.from_bytes(fp.read(2), "little")
    return info.header_offset + 30 + name_len + extra_len
