"""Packages installed at run time (``pm install``): an :class:`ApkInfo` becomes an :class:`App`.

Android keeps an app's uid across updates and gives a new app the lowest
free one (here from the profile's first app uid up); the code path is a fresh random
``/data/app/~~X==/pkg-Y==`` on every install (derived from the APK's hash
here, so it is stable for the same bytes). Installs live in the handset's
framework, which outlives reboots, as ``/data`` does on a phone.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from android_suite.virtual.framework.apkfile import NATIVE_ACTIVITY, ApkInfo, InstallFailure, parse_apk
from android_suite.virtual.framework.apps import FIRST_APP_UID, App
from android_suite.virtual.framework.testapp_config import NativeInfo
from android_suite.virtual.profile import Package

if TYPE_CHECKING:
    from android_suite.virtual.framework.framework import Framework

NATIVE_FILE_MB = 2  # libasuiteapp.so, framework-res and the APK mapped by a native app


def _b64(seed: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(seed).digest()[:16]).decode().rstrip("=")


def code_path(package: str, sha256: str) -> str:
    return f"/data/app/~~{_b64(f'{sha256}:outer'.encode())}==/{package}-{_b64(f'{sha256}:inner'.encode())}=="


def app_from_apk(info: ApkInfo, apps: dict[str, App], *, apk_bytes: bytes, abis: tuple[str, ...]) -> App:
    """The App ``info`` installs as (an update keeps the uid; downgrades are for the caller to refuse)."""
    old = apps.get(info.package)
    if old is not None and old.package.system:
        # Updating a system app from an APK is possible on a phone but not modelled here.
        raise InstallFailure("INSTALL_FAILED_UPDATE_INCOMPATIBLE", f"{info.package} is a system package")
    uid = old.uid if old is not None else _free_uid(apps)
    native = None
    category = "other"
    if info.activity == NATIVE_ACTIVITY:
        native = NativeInfo(info.lib_name, any(info.has_lib(abi) for abi in abis), dict(info.settings))
        category = "native"
    anon_mb = 0
    if native is not None and native.is_test_app:
        anon_mb = int(info.settings.get("anon_mb", "64")) if info.settings.get("anon_mb", "").isdigit() else 64
    package = Package(
        name=info.package,
        version_code=info.version_code,
        apk_kb=max(1, len(apk_bytes) // 1024),
        system=False,
        activity=info.activity,
        label=info.label,
        category=category,
        anon_mb=anon_mb if native is not None else 40,  # a Java app: the "other" category's heap
        file_mb=NATIVE_FILE_MB if native is not None else 30,
    )
    sha = hashlib.sha256(apk_bytes).hexdigest()
    return App(package, uid, code_path(info.package, sha), native)


def _free_uid(apps: dict[str, App]) -> int:
    taken = {a.uid for a in apps.values()}
    uid = FIRST_APP_UID
    while uid in taken:
        uid += 1
    return uid


def install(fw: Framework, data: bytes, *, test_ok: bool = True, downgrade_ok: bool = False) -> tuple[App, App | None]:
    """Parse, check and register an APK on ``fw``'s handset; an update stops the running app first.

    Returns the new app and the one it replaced (None for a first install).

    Raises:
        InstallFailure: what ``pm install`` prints after ``Failure``.
    """
    props = fw.profile.props
    sdk = int(props.get("ro.build.version.sdk", "34") or 34)
    abilist = props.get("ro.product.cpu.abilist") or props.get("ro.product.cpu.abi", "")
    abis = tuple(a for a in abilist.split(",") if a)
    info = parse_apk(data, sdk=sdk, abis=abis or ("arm64-v8a",), test_ok=test_ok)
    fw.sync()
    old = fw.apps.get(info.package)
    if old is not None and info.version_code < old.package.version_code and not downgrade_ok:
        raise InstallFailure(
            "INSTALL_FAILED_VERSION_DOWNGRADE",
            f"Downgrade detected: Update version code {info.version_code} is older than current "
            f"{old.package.version_code}",
        )
    app = app_from_apk(info, fw.apps, apk_bytes=data, abis=abis or ("arm64-v8a",))
    if old is not None:
        fw.force_stop(info.package)  # PackageManager kills an app it replaces
    fw.apps[info.package] = app
    return app, old


def uninstall(fw: Framework, package: str) -> App | None:
    """Remove an installed (non-system) app; returns it, or None if there was none to remove."""
    app = fw.apps.get(package)
    if app is None or app.package.system or app.category == "launcher":
        return None
    fw.force_stop(package)
    del fw.apps[package]
    fw.task_ids.pop(package, None)
    return app
