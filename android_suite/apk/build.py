"""``build_testapp_set``: N signed test-app APKs, cached by content hash, same bytes on a rebuild.

The contract with the workloads and the virtual handset (issue #10):
packages ``org.androidsuite.testapp.a01``..., each with its settings in
``assets/asuite.conf``.  Every output lives under
``<cache>/apk/`` (``ANDROID_SUITE_CACHE`` or ``XDG_CACHE_HOME`` move it):
``lib/<hash>/`` native builds, ``key/`` the debug key, ``apks/<hash>/`` one
APK each.  ``out_dir`` gets copies.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from android_suite.apk import native
from android_suite.apk.cache import TESTAPP_DIR, cache_root, cached_dir, digest
from android_suite.apk.package import FRAMEWORK_RES, SETTING_KEYS, TARGET_SDK, Variant, package_apk
from android_suite.apk.signing import debug_key
from android_suite.errors import ConfigError

DEFAULT_ABIS = ("arm64-v8a", "x86_64")
DEFAULT_ANON_MB = (64, 96, 128, 192)  # cycled over the variants: a spread of footprints
DEFAULT_SETTINGS = {"ratio": "0.6", "touch_pct": "50", "frame_work_us": "2000", "fps": "0"}
MAX_COUNT = 99  # two digits in the package suffix
_PIPELINE = ("package.py", "zipalign.py", "signing.py", "build.py")


@dataclass(frozen=True)
class BuiltApk:
    """One built variant.

    Attributes:
        package: the Android package name.
        path: the signed APK (in the cache, or in ``out_dir`` when given).
        sha256: of the APK's bytes.
        settings: the defaults written to ``assets/asuite.conf`` (key -> value text).
    """

    package: str
    path: Path
    sha256: str
    settings: Mapping[str, str]


def variants(count: int, anon_mb: Sequence[int] | None = None) -> list[Variant]:
    """The set's variants; ``anon_mb`` is cycled when shorter than ``count``."""
    if not 1 <= count <= MAX_COUNT:
        raise ConfigError(f"testapp: count must be 1..{MAX_COUNT}, got {count}")
    sizes = tuple(anon_mb) if anon_mb is not None else DEFAULT_ANON_MB
    if not sizes or any(not isinstance(m, int) or not 0 <= m <= 65536 for m in sizes):
        raise ConfigError(f"testapp: anon_mb must be integers 0..65536 MiB, got {list(sizes)}")
    return [Variant(i, {"anon_mb": str(sizes[(i - 1) % len(sizes)]), **DEFAULT_SETTINGS}) for i in range(1, count + 1)]


def build_testapp_set(
    count: int = 4,
    *,
    out_dir: Path | None = None,
    abis: Sequence[str] = DEFAULT_ABIS,
    anon_mb: Sequence[int] | None = None,
) -> list[BuiltApk]:
    """Build (or take from the cache) ``count`` test-app variants.

    Raises:
        ConfigError: bad arguments, a missing tool (the message names the
            Debian package) or a failed build step (its output included).
    """
    chosen = variants(count, anon_mb)
    if not abis:
        raise ConfigError("testapp: at least one ABI is needed")
    libs = {abi: native.build_native_lib(abi) for abi in sorted(set(abis))}
    key = debug_key()
    here = Path(__file__).resolve().parent
    common: list[bytes | str] = [
        *(f"{abi}:{_sha(p)}" for abi, p in libs.items()),
        key.fingerprint,
        _sha(FRAMEWORK_RES) if FRAMEWORK_RES.is_file() else "no-framework-res",
        str(TARGET_SDK),
        *((here / name).read_bytes() for name in _PIPELINE),
        (TESTAPP_DIR / "AndroidManifest.xml.in").read_bytes(),
    ]
    built: list[BuiltApk] = []
    for variant in chosen:
        settings = {k: variant.settings[k] for k in SETTING_KEYS}
        apk_key = digest([*common, variant.package, *(f"{k}={v}" for k, v in settings.items())])

        def make(tmp: Path, variant: Variant = variant) -> None:
            package_apk(variant, libs, key, tmp / "work", tmp / f"{variant.package}.apk")
            shutil.rmtree(tmp / "work")

        path = cached_dir(apk_key, make, root=cache_root() / "apks") / f"{variant.package}.apk"
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out_dir / path.name)
            path = out_dir / path.name
        built.append(BuiltApk(variant.package, path, _sha(path), settings))
    return built


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
