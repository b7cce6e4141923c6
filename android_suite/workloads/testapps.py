"""A workload's ``[testapps]`` table: N variants of the suite's own test app to switch between.

The set is the contract's (apk_workloads/testapp): packages
``org.androidsuite.testapp.a01`` .. ``aNN`` labelled "ASuite A01".., each a
NativeActivity with its settings baked into ``assets/asuite.conf``. The
APKs are built (and cached by content hash) by
``android_suite.apk.build.build_testapp_set`` when a run needs them, then
installed by :mod:`android_suite.workloads.install`. Pure apart from :func:`build_apks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from android_suite.workloads.install import ApkToInstall
from android_suite.workloads.tomlcheck import Table

PACKAGE_PREFIX = "org.androidsuite.testapp.a"
ACTIVITY = "android.app.NativeActivity"
ABIS = ("arm64-v8a", "armeabi-v7a", "x86_64", "x86")
MAX_COUNT = 99  # two digits in the package name


@dataclass(frozen=True)
class TestAppSet:
    """How many variants, and what they allocate.

    Attributes:
        count: variants (a01..aNN).
        anon_mb: anonymous memory (MiB) per variant, cycled; None for the build's defaults.
        abis: ABIs the native library is built for.
    """

    __test__ = False  # a name pytest would otherwise try to collect

    count: int
    anon_mb: tuple[int, ...] | None = None
    abis: tuple[str, ...] = ("arm64-v8a", "x86_64")

    def members(self) -> list[tuple[str, str]]:
        """(package, label) of each variant, in order."""
        return [(f"{PACKAGE_PREFIX}{i:02d}", f"ASuite A{i:02d}") for i in range(1, self.count + 1)]


def parse_testapps(t: Table) -> TestAppSet:
    """Validate a ``[testapps]`` table (ConfigError naming the file and key)."""
    count = t.integer("count", 4, minimum=1)
    if count > MAX_COUNT:
        raise t.error("count", f"at most {MAX_COUNT} variants")
    anon: tuple[int, ...] | None = None
    if t.has("anon_mb"):
        raw: Any = t._get("anon_mb", False)  # a list of integers: Table has no typed reader for it
        if not isinstance(raw, list) or not all(isinstance(v, int) and 1 <= v <= 65536 for v in raw):
            raise t.error("anon_mb", "must be a list of MiB per variant, each 1..65536")
        if not raw:
            raise t.error("anon_mb", "is empty")
        anon = tuple(raw)  # cycled over the variants when shorter (the build's rule)
    abis = tuple(t.str_list("abis")) or ("arm64-v8a", "x86_64")
    unknown = [a for a in abis if a not in ABIS]
    if unknown:
        raise t.error("abis", f"unknown ABI {unknown[0]!r} (known: {', '.join(ABIS)})")
    found = TestAppSet(count, anon, abis)
    t.done()
    return found


Builder = Callable[[TestAppSet], list[ApkToInstall]]


def build_apks(spec: TestAppSet) -> list[ApkToInstall]:
    """Build (or take from the cache) the set's APKs with the suite's pipeline."""
    from android_suite.apk.build import build_testapp_set

    built = build_testapp_set(spec.count, abis=spec.abis, anon_mb=spec.anon_mb)
    return [ApkToInstall(b.package, b.path, b.sha256) for b in built]
