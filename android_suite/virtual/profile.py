"""Handset profiles: TOML data files under ``profiles/``, validated at load time.

A profile says what a virtual handset claims to be: system properties, kernel
identity, CPU clusters (for ``/proc/cpuinfo``), RAM and zram size, the adb
features it advertises, its screen, how long it takes to boot, whether adbd
runs as root and whether ``su`` exists, and its installed packages. Every
problem is reported as :class:`ConfigError` naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from android_suite.errors import ConfigError

# The host reads these from the banner, and adbutils/u2 from getprop.
REQUIRED_PROPS = (
    "ro.product.model",
    "ro.product.brand",
    "ro.product.name",
    "ro.product.device",
    "ro.product.manufacturer",
    "ro.serialno",
    "ro.build.version.release",
    "ro.build.version.sdk",
    "ro.build.fingerprint",
    "ro.build.type",
    "ro.product.cpu.abi",
    "ro.hardware",
    "ro.board.platform",
)
BUILD_TYPES = ("user", "userdebug", "eng")
# Which kcompressd the factory kernel carries (docs/kcompressd.md; sim/kimage.py maps each to config symbols).
KCOMPRESSD_VARIANTS = ("none", "v1", "unofficial", "rfc")


@dataclass(frozen=True)
class CpuCluster:
    """``count`` identical cores, as arm64 ``/proc/cpuinfo`` describes each one."""

    count: int
    part: str  # "0xd05" = Cortex-A55, "0xd41" = Cortex-A78
    implementer: str = "0x41"  # Arm Ltd.
    variant: str = "0x0"
    revision: int = 0
    max_khz: int = 2000000


@dataclass(frozen=True)
class KernelInfo:
    """``/proc/version`` is ``Linux version {release} {build} {version}``."""

    release: str  # uname -r, GKI shape: 6.1.68-android14-11-g<sha>-ab<build>
    build: str  # "(builder@host) (clang version ..., LLD ...)"
    version: str  # uname -v: "#1 SMP PREEMPT Mon Feb 26 10:05:08 UTC 2024"
    has_kcompressd: bool = False  # a kcompressd0 kernel thread runs (ps shows it)
    kcompressd_variant: str = "none"  # one of KCOMPRESSD_VARIANTS; default "v1" when has_kcompressd


# What an app is, for the framework model's launch costs, frame costs and UI.
PACKAGE_CATEGORIES = (
    "browser", "maps", "camera", "social", "messaging", "video", "music", "game",
    "shopping", "launcher", "settings", "system", "other",
)  # fmt: skip


@dataclass(frozen=True)
class Package:
    """An installed app. Sizes are what a phone shows for it (``pm path`` APK, ``dumpsys meminfo``)."""

    name: str
    version_code: int = 1
    apk_kb: int = 0
    system: bool = False
    activity: str = ""  # launcher activity, fully qualified; "" = no launcher entry (systemui)
    label: str = ""  # the name under the launcher icon
    category: str = "other"  # one of PACKAGE_CATEGORIES
    anon_mb: int = 0  # anonymous memory right after a cold launch (first frame)
    file_mb: int = 0  # file-backed memory mapped at launch (dex, oat, .so, resources)
    steady_anon_mb: int = 0  # anonymous memory after a minute of use (content loaded); 0 = anon_mb


@dataclass(frozen=True)
class QemuSettings:
    """``[qemu]``: the handset's kernel is a real Linux under QEMU (``virtual/qemu``), not the model.

    Attributes:
        arch: guest architecture, "arm64" (the handsets' own) or "x86_64".
        cpus / memory_mb: the guest's CPUs and RAM (MemTotal follows from memory_mb).
        variant: the factory kernel build: "stock", "v1" or "sysctl" (kernel_config/README.md).
    """

    arch: str = "arm64"
    cpus: int = 2
    memory_mb: int = 1024
    variant: str = "sysctl"


QEMU_ARCHES = ("arm64", "x86_64")
QEMU_VARIANTS = ("stock", "v1", "sysctl")


@dataclass(frozen=True)
class Profile:
    """A validated handset description; build variants with ``dataclasses.replace``."""

    name: str
    description: str
    props: Mapping[str, str]
    kernel: KernelInfo
    clusters: tuple[CpuCluster, ...]
    cpu_features: str
    bogomips: str  # arch timer rate: 13 MHz -> 26.00 (MediaTek), 19.2 MHz -> 38.40 (Qualcomm)
    mem_total_kb: int
    swap_total_kb: int  # zram swap device size, 0 = no swap
    adb_features: tuple[str, ...] = ("shell_v2", "cmd")
    screen_width: int = 1080
    screen_height: int = 2400
    density: int = 440
    boot_seconds: float = 2.0
    adbd_root: bool = False  # userdebug `adb root`: the adb shell runs as uid 0
    has_su: bool = False
    packages: tuple[Package, ...] = ()
    qemu: QemuSettings | None = None  # set: a real kernel under QEMU backs this handset

    @property
    def cores(self) -> int:
        return sum(c.count for c in self.clusters)

    def with_features(self, features: list[str]) -> Profile:
        """The same handset advertising other adb features (e.g. no shell_v2)."""
        return dataclasses.replace(self, adb_features=tuple(features))


def profiles_dir() -> Path:
    return Path(str(resources.files("android_suite.virtual") / "profiles"))


def list_profiles() -> list[str]:
    """Names of the profiles shipped with the package."""
    return sorted(p.stem for p in profiles_dir().glob("*.toml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a shipped profile by name (``"mediatek"``) or any TOML file by path."""
    text = str(name_or_path)
    path = Path(text) if text.endswith(".toml") or "/" in text else profiles_dir() / f"{text}.toml"
    if not path.is_file():
        raise ConfigError(f"no handset profile {text!r}; shipped profiles: {', '.join(list_profiles())}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read profile: {exc}") from exc
    return parse_profile(data, str(path))


def parse_profile(data: dict[str, Any], where: str = "<profile>") -> Profile:
    """Validate a decoded TOML document and build a :class:`Profile`."""
    top = Table(data, where)
    props = top.get_table("props").get_str_map()
    for key in REQUIRED_PROPS:
        if not props.get(key):
            raise ConfigError(f"{where}: [props] lacks required property {key!r}")
    if not props["ro.build.version.sdk"].isdigit():
        raise ConfigError(f"{where}: ro.build.version.sdk must be an integer, got {props['ro.build.version.sdk']!r}")
    build_type = props["ro.build.type"]
    if build_type not in BUILD_TYPES:
        raise ConfigError(f"{where}: ro.build.type must be one of {BUILD_TYPES}, got {build_type!r}")
    kern = top.get_table("kernel")
    has_kcompressd = kern.get_bool("has_kcompressd", False)
    variant = kern.get_str("kcompressd_variant", "v1" if has_kcompressd else "none")
    if variant not in KCOMPRESSD_VARIANTS or (variant != "none") != has_kcompressd:
        raise ConfigError(
            f"{where}[kernel].kcompressd_variant: {variant!r} must be one of {KCOMPRESSD_VARIANTS}"
            f" and agree with has_kcompressd = {str(has_kcompressd).lower()}"
        )
    kernel = KernelInfo(
        kern.get_str("release"),
        kern.get_str("build"),
        kern.get_str("version"),
        has_kcompressd,
        variant,
    )
    cpu = top.get_table("cpu")
    clusters = tuple(
        CpuCluster(
            count=c.get_int("count", minimum=1),
            part=c.get_hexstr("part"),
            implementer=c.get_hexstr("implementer", "0x41"),
            variant=c.get_hexstr("variant", "0x0"),
            revision=c.get_int("revision", 0),
            max_khz=c.get_int("max_khz", 2000000, minimum=1),
        )
        for c in cpu.get_tables("clusters")
    )
    if not clusters:
        raise ConfigError(f"{where}: [cpu] needs at least one entry in clusters")
    mem = top.get_table("memory")
    screen = top.get_table("screen")
    features = top.get_str_list("adb_features", ["shell_v2", "cmd"])
    for feature in features:
        if not feature or any(ch in feature for ch in ",;= "):
            raise ConfigError(f"{where}: adb_features entry {feature!r} is not a feature name")
    profile = Profile(
        name=top.get_str("name"),
        description=top.get_str("description", ""),
        props=MappingProxyType(props),
        kernel=kernel,
        clusters=clusters,
        cpu_features=cpu.get_str("features"),
        bogomips=cpu.get_str("bogomips"),
        mem_total_kb=mem.get_int("total_kb", minimum=65536),
        swap_total_kb=mem.get_int("swap_total_kb", 0),
        adb_features=tuple(features),
        screen_width=screen.get_int("width", minimum=1),
        screen_height=screen.get_int("height", minimum=1),
        density=screen.get_int("density", 440, minimum=1),
        boot_seconds=top.get_float("boot_seconds", 2.0),
        adbd_root=top.get_bool("adbd_root", False),
        has_su=top.get_bool("has_su", False),
        packages=tuple(
            _package(p, f"{where}.packages[{i}]")
            for i, p in enumerate(top.get_tables("packages"))
        ),
    )
    if "qemu" in data:
        profile = dataclasses.replace(profile, qemu=_qemu(top.get_table("qemu"), f"{where}[qemu]"))
    top.done()
    if build_type == "user" and (profile.adbd_root or profile.has_su):
        # adbd refuses `adb root` and there is no su binary on a user build.
        raise ConfigError(f"{where}: a 'user' build cannot have adbd_root or has_su")
    if profile.boot_seconds < 0:
        raise ConfigError(f"{where}: boot_seconds must be >= 0")
    return profile


def _qemu(t: Table, where: str) -> QemuSettings:
    settings = QemuSettings(
        arch=t.get_str("arch", "arm64"),
        cpus=t.get_int("cpus", 2, minimum=1),
        memory_mb=t.get_int("memory_mb", 1024, minimum=128),
        variant=t.get_str("variant", "sysctl"),
    )
    if settings.arch not in QEMU_ARCHES or settings.variant not in QEMU_VARIANTS:
        raise ConfigError(f"{where}: arch must be one of {QEMU_ARCHES} and variant one of {QEMU_VARIANTS}")
    return settings


def _package(p: Table, where: str) -> Package:
    package = Package(
        p.get_str("name"),
        p.get_int("version_code", 1),
        p.get_int("apk_kb", 0),
        p.get_bool("system", False),
        activity=p.get_str("activity", ""),
        label=p.get_str("label", ""),
        category=p.get_str("category", "other"),
        anon_mb=p.get_int("anon_mb", 0),
        file_mb=p.get_int("file_mb", 0),
        steady_anon_mb=p.get_int("steady_anon_mb", 0),
    )
    if package.category not in PACKAGE_CATEGORIES:
        choices = ", ".join(PACKAGE_CATEGORIES)
        raise ConfigError(f"{where}.category: expected one of {choices}, got {package.category!r}")
    return package


_REQUIRED: Any = object()
_MISSING: Any = object()


class Table:
    """One TOML table being validated: typed getters, and unknown keys are errors (typos)."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a table, got {type(data).__name__}")
        self._data: dict[str, Any] = data
        self._where = where
        self._used: set[str] = set()
        self._children: list[Table] = []

    def _get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        self._used.add(key)
        if key not in self._data:
            if default is _REQUIRED:
                raise ConfigError(f"{self._where}: missing required key {key!r}")
            return default
        value = self._data[key]
        # bool is an int in Python; a TOML `true` must not pass as a count.
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            raise ConfigError(f"{self._where}.{key}: expected {_kind_name(kind)}, got {value!r}")
        return value

    def get_str(self, key: str, default: Any = None) -> str:
        value: str = self._get(key, str, _REQUIRED if default is None else default)
        return value

    def get_hexstr(self, key: str, default: Any = None) -> str:
        value = self.get_str(key, default)
        # cpuinfo prints these with the 0x prefix; "d05" alone would be ambiguous in a review.
        if not re.fullmatch(r"0x[0-9a-f]+", value):
            raise ConfigError(f"{self._where}.{key}: expected a hex string like '0xd05', got {value!r}")
        return value

    def get_int(self, key: str, default: Any = _MISSING, *, minimum: int = 0) -> int:
        value: int = self._get(key, int, _REQUIRED if default is _MISSING else default)
        if value < minimum:
            raise ConfigError(f"{self._where}.{key}: must be >= {minimum}, got {value}")
        return value

    def get_float(self, key: str, default: float) -> float:
        value: float = self._get(key, (int, float), default)
        return float(value)

    def get_bool(self, key: str, default: bool) -> bool:
        value: bool = self._get(key, bool, default)
        return value

    def get_str_list(self, key: str, default: list[str]) -> list[str]:
        value: list[Any] = self._get(key, list, default)
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self._where}.{key}: expected a list of strings, got {value!r}")
        return list(value)

    def get_table(self, key: str) -> Table:
        child = Table(self._get(key, dict, _REQUIRED), f"{self._where}[{key}]")
        self._children.append(child)
        return child

    def get_tables(self, key: str) -> list[Table]:
        items: list[Any] = self._get(key, list, [])
        children = [Table(item, f"{self._where}.{key}[{i}]") for i, item in enumerate(items)]
        self._children.extend(children)
        return children

    def get_str_map(self) -> dict[str, str]:
        """The whole table as str -> str (``[props]``)."""
        self._used.update(self._data)
        bad = {k: v for k, v in self._data.items() if not isinstance(v, str)}
        if bad:
            raise ConfigError(f"{self._where}: values must be strings (quote numbers): {bad!r}")
        return dict(self._data)

    def done(self) -> None:
        """Raise on keys nobody read, here and in every child table."""
        unknown = sorted(set(self._data) - self._used)
        if unknown:
            raise ConfigError(f"{self._where}: unknown key(s) {', '.join(unknown)}")
        for child in self._children:
            child.done()


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _as_tuple(kind))
