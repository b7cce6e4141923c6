"""Installed apps as the framework sees them: uid, APK path, launch and frame costs.

Costs are CPU work on the reference core (a 2.85 GHz Cortex-A78, the
MT6895's big cluster); :func:`cpu_scale` rescales them for the profile's
fastest core. Memory stalls are never part of these numbers: they come from
the :class:`~android_suite.virtual.memory_api.MemoryBackend` at run time.

The per-category figures are in the range AOSP's own launch benchmarks and
public teardown numbers give for mid/high-end phones (cold launches of
0.4-1.5 s for large apps, about 5 ms of UI-thread work per frame for list
scrolling, more for maps and games); they shape the model, they are not a
measurement.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from android_suite.virtual.framework.testapp_config import NativeInfo
from android_suite.virtual.profile import Package, Profile

REFERENCE_KHZ = 2850000
FIRST_APP_UID = 10100  # installed apps get u0_a100 and up (AID_APP_START = 10000)
SYSTEM_UID = 1000  # Settings runs as android.uid.system


@dataclass(frozen=True)
class CategoryCost:
    """Reference-core costs of one kind of app (seconds, except where noted)."""

    app_init_s: float  # Application.onCreate: DI graphs, SDK init, disk caches
    activity_create_s: float  # onCreate/onStart/onResume of the launcher activity, inflation
    first_frame_s: float  # measure/layout/draw of the first frame (Choreographer to swap)
    frame_ui_ms: float  # steady UI-thread + RenderThread work per frame while scrolling
    frame_gpu_ms: float  # GPU time per frame
    power_ma: float  # extra battery current while in the foreground and interacting
    scroll_touch: float  # share of the app's pages one frame of scrolling touches


_COSTS = {
    "browser": CategoryCost(0.26, 0.19, 0.09, 5.2, 3.4, 320, 0.004),
    "maps": CategoryCost(0.38, 0.22, 0.14, 7.4, 6.1, 520, 0.006),
    "camera": CategoryCost(0.22, 0.31, 0.08, 6.0, 5.0, 780, 0.003),
    "social": CategoryCost(0.41, 0.24, 0.11, 5.6, 3.0, 340, 0.005),
    "messaging": CategoryCost(0.36, 0.18, 0.08, 4.1, 2.2, 220, 0.003),
    "video": CategoryCost(0.44, 0.27, 0.12, 5.8, 3.6, 460, 0.005),
    "music": CategoryCost(0.24, 0.15, 0.07, 3.9, 2.0, 180, 0.002),
    "game": CategoryCost(0.95, 0.42, 0.31, 11.0, 9.5, 950, 0.008),
    "shopping": CategoryCost(0.47, 0.26, 0.12, 6.1, 3.3, 330, 0.005),
    "launcher": CategoryCost(0.18, 0.12, 0.06, 3.4, 2.4, 90, 0.002),
    "settings": CategoryCost(0.09, 0.11, 0.05, 3.0, 1.6, 60, 0.001),
    "system": CategoryCost(0.12, 0.10, 0.05, 3.0, 1.8, 60, 0.001),
    "other": CategoryCost(0.20, 0.15, 0.07, 4.5, 2.5, 200, 0.003),
    # A NativeActivity without Java code (installed APKs such as the suite's test app): no
    # Application.onCreate or inflation, no hwui frames; its own frame loop is modelled in testapp.py.
    "native": CategoryCost(0.02, 0.04, 0.02, 0.0, 0.0, 150, 0.002),
}

FORK_S = 0.035  # zygote fork + specialize (SELinux, seccomp, mount namespace)
BIND_BASE_S = 0.045  # bindApplication: class loader, resources, providers
BIND_PER_MB_S = 0.0004  # opening and verifying a larger base.apk (mapping the oat/vdex)
RESUME_S = 0.045  # hot start: bring the task to front, onRestart/onStart/onResume
WAIT_OVERHEAD_S = 0.006  # WaitTime - TotalTime: the am/ATMS round trip


@dataclass(frozen=True)
class App:
    """One installed package with the numbers the framework needs."""

    package: Package
    uid: int
    code_path: str  # /data/app/~~<hash>==/<pkg>-<hash>== (or /system/...)
    native: NativeInfo | None = None  # a NativeActivity app installed from an APK (pm install)

    @property
    def name(self) -> str:
        return self.package.name

    @property
    def activity(self) -> str:
        return self.package.activity

    @property
    def launchable(self) -> bool:
        return bool(self.package.activity)

    @property
    def label(self) -> str:
        return self.package.label or self.package.name.rsplit(".", 1)[-1]

    @property
    def category(self) -> str:
        return self.package.category

    @property
    def cost(self) -> CategoryCost:
        return _COSTS.get(self.package.category, _COSTS["other"])

    @property
    def apk_path(self) -> str:
        return f"{self.code_path}/base.apk"

    @property
    def launch_anon_kb(self) -> int:
        return self.package.anon_mb * 1024

    @property
    def file_kb(self) -> int:
        return self.package.file_mb * 1024

    @property
    def steady_anon_kb(self) -> int:
        return max(self.package.steady_anon_mb, self.package.anon_mb) * 1024

    @property
    def user(self) -> str:
        """The ps USER column: system for uid 1000, u0_aNNN for apps."""
        return "system" if self.uid == SYSTEM_UID else f"u0_a{self.uid - 10000}"

    def short_component(self, activity: str) -> str:
        """``ComponentName.flattenToShortString()``: ``pkg/.Cls`` when the class is in the package."""
        if activity.startswith(self.name + "."):
            return f"{self.name}/{activity[len(self.name) :]}"
        return f"{self.name}/{activity}"

    def cold_work_s(self) -> float:
        """Process start to first frame, without memory stalls, on the reference core."""
        c = self.cost
        bind = BIND_BASE_S + BIND_PER_MB_S * self.package.apk_kb / 1024
        return FORK_S + bind + c.app_init_s + c.activity_create_s + c.first_frame_s

    def warm_work_s(self) -> float:
        """Process alive, activity recreated."""
        return self.cost.activity_create_s + self.cost.first_frame_s

    def hot_work_s(self) -> float:
        """Activity alive: resume and draw."""
        return RESUME_S + self.cost.first_frame_s * 0.5


def cpu_scale(profile: Profile) -> float:
    """Multiplier for reference-core times on this profile's fastest core."""
    fastest = max(c.max_khz for c in profile.clusters)
    return REFERENCE_KHZ / fastest


def _path_hash(seed: str) -> str:
    # PackageManager names install dirs with random base64; derive it so paths are stable per profile.
    digest = hashlib.sha256(seed.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def install(profile: Profile) -> dict[str, App]:
    """The profile's packages with uids and code paths, in install order."""
    apps: dict[str, App] = {}
    next_uid = FIRST_APP_UID
    for pkg in profile.packages:
        if pkg.name == "com.android.settings":
            uid = SYSTEM_UID
        else:
            uid, next_uid = next_uid, next_uid + 1
        if pkg.system:
            folder = pkg.name.rsplit(".", 1)[-1].capitalize()
            root = "/system_ext/priv-app" if pkg.category in ("launcher", "settings", "system") else "/system/app"
            path = f"{root}/{folder}"
        else:
            outer = _path_hash(f"{profile.name}:{pkg.name}:outer")
            inner = _path_hash(f"{profile.name}:{pkg.name}:inner")
            path = f"/data/app/~~{outer}==/{pkg.name}-{inner}=="
        apps[pkg.name] = App(pkg, uid, path)
    return apps
