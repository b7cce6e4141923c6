"""Declarative workloads: TOML files in ``apk_workloads/`` loaded into frozen, validated records.

A workload names the apps to switch between, the order, how many rounds
(after unmeasured warm-up rounds, as AppLaunch's trial launch), how long to
stay in each app and what to do there, and optionally a background memory
eater. Everything is checked when the file is loaded: a wrong type, an
out-of-range value, a missing APK file or an unknown key is a ConfigError
naming the file and the key, never a surprise in the middle of a run.
See ``apk_workloads/app_switch.toml`` for a commented example.
"""

from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from android_suite.errors import ConfigError
from android_suite.workloads.eater_config import EaterConfig
from android_suite.workloads.testapps import ACTIVITY as TESTAPP_ACTIVITY
from android_suite.workloads.testapps import TestAppSet, parse_testapps
from android_suite.workloads.tomlcheck import Table

ORDERS = ("round-robin", "random")
KINDS = ("scroll", "fling", "swipe", "tap_text")
DIRECTIONS = ("up", "down", "left", "right")
# Java package names: dot-separated identifiers (PackageParser's validateName rules, simplified).
_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+")


@dataclass(frozen=True)
class Interaction:
    """One gesture repeated ``count`` times while the app is in front.

    Attributes:
        kind: "scroll" (slow drag), "fling" (fast swipe), "swipe" (a page turn)
            or "tap_text" (tap the first view whose text matches ``text``).
        count: repetitions.
        duration_ms: how long each gesture lasts (scroll ~600, fling ~100).
        direction: for scroll/fling/swipe: where the finger moves ("up" reveals
            what is below, as a thumb flicking through a feed). None for tap_text.
        text: for tap_text: the text to find (exact match). None otherwise.
        pause_ms: idle time after each repetition (lets frames settle).
    """

    kind: str
    count: int = 1
    duration_ms: int = 300
    direction: str | None = None
    text: str | None = None
    pause_ms: int = 300


@dataclass(frozen=True)
class Candidate:
    """A package that can play an app's part, with its launch activity if known."""

    package: str
    activity: str | None = None


@dataclass(frozen=True)
class AppSpec:
    """One app of the workload.

    Attributes:
        package: the preferred package (``com.android.chrome``).
        activity: its launch activity; None launches through the launcher intent.
        apk: an APK to install when no candidate is on the handset (path resolved
            against the TOML file's folder, checked to exist at load time).
        fallbacks: alternatives in order of preference, for handsets without
            ``package`` (an OEM camera, another browser).
        label: a short human name for reports ("Camera").
        interactions: what to do while the app is in front.
    """

    package: str
    activity: str | None
    apk: Path | None
    fallbacks: tuple[Candidate, ...]
    label: str
    interactions: tuple[Interaction, ...]

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        return (Candidate(self.package, self.activity), *self.fallbacks)


@dataclass(frozen=True)
class Workload:
    """A whole workload file.

    Attributes:
        name: identifies the workload in results.
        description: what it is for.
        source: the file it came from.
        apps: the apps, in listed order (may be empty for an eater-only workload).
        order: "round-robin" (listed order every round, AppLaunch's cyclic order)
            or "random" (a new shuffle each round from ``seed``).
        seed: seeds the random order (ignored for round-robin).
        rounds: measured rounds; each visits every app once.
        warmup_rounds: unmeasured rounds first (caches, JIT, first-launch dialogs).
        dwell_s: seconds in each app before switching, interactions included.
        min_apps: fewest apps that must resolve on a handset for the run to be meaningful.
        memory_eater: background pressure during the run; None for none.
        testapps: the suite's own test-app set (its apps follow ``apps``), built
            and installed before a run; None when the workload uses none.
    """

    name: str
    description: str
    source: Path
    apps: tuple[AppSpec, ...]
    order: str
    seed: int
    rounds: int
    warmup_rounds: int
    dwell_s: float
    min_apps: int
    memory_eater: EaterConfig | None
    testapps: TestAppSet | None = None

    def schedule(self, apps: tuple[AppSpec, ...] | None = None) -> list[tuple[int, bool, AppSpec]]:
        """(round, is_warmup, app) visits in order; rounds count from 0, warm-up first.

        ``apps`` replaces the listed apps (pass what resolved on the handset).
        """
        chosen = list(self.apps if apps is None else apps)
        rng = random.Random(self.seed)
        visits: list[tuple[int, bool, AppSpec]] = []
        for index in range(self.warmup_rounds + self.rounds):
            this = list(chosen)
            if self.order == "random":
                rng.shuffle(this)
            visits += [(index, index < self.warmup_rounds, app) for app in this]
        return visits


def _candidate(text: str, table: Table, key: str) -> Candidate:
    package, slash, activity = text.partition("/")
    if not _PACKAGE.fullmatch(package) or (slash and not activity):
        raise table.error(key, f"{text!r} is not a package name (or package/activity)")
    return Candidate(package, activity or None)


def _interaction(t: Table) -> Interaction:
    kind = t.choice("kind", "scroll", KINDS)
    direction = t.text("direction")
    text = t.text("text")
    if kind == "tap_text":
        if text is None:
            raise t.error("text", "missing (required for tap_text)")
        if direction is not None:
            raise t.error("direction", "tap_text takes no direction")
    else:
        if text is not None:
            raise t.error("text", f"{kind} takes no text")
        direction = t.choice("direction", "up", DIRECTIONS)
    found = Interaction(
        kind=kind,
        count=t.integer("count", 1, minimum=1),
        duration_ms=t.integer("duration_ms", 100 if kind == "fling" else 300, minimum=1),
        direction=direction,
        text=text,
        pause_ms=t.integer("pause_ms", 300),
    )
    t.done()
    return found


def _app(t: Table, folder: Path, defaults: tuple[Interaction, ...]) -> AppSpec:
    main = _candidate(t.text("package", required=True) or "", t, "package")
    activity = t.text("activity")
    apk_text = t.text("apk")
    apk = (folder / apk_text).resolve() if apk_text is not None else None
    if apk is not None and not apk.is_file():
        raise t.error("apk", f"no such file: {apk}")
    fallbacks = tuple(_candidate(f, t, "fallbacks") for f in t.str_list("fallbacks"))
    names = [main.package, *(f.package for f in fallbacks)]
    if len(set(names)) != len(names):
        raise t.error("fallbacks", "lists a package twice (or the app's own package)")
    interactions = tuple(_interaction(i) for i in t.tables("interactions")) or defaults
    spec = AppSpec(
        main.package, activity or main.activity, apk, fallbacks, t.text("label", main.package) or "", interactions
    )
    t.done()
    return spec


def _eater(t: Table) -> EaterConfig:
    size_mb, size_pct = t.number_opt("size_mb", 1, 2**20), t.number_opt("size_pct", 0.1, 100)
    if size_mb is not None and size_pct is not None:
        raise t.error("size_pct", "give size_mb or size_pct, not both")
    config = EaterConfig(
        size_mb=size_mb,
        size_pct=size_pct,
        rate_mbps=t.number("rate_mbps", 256.0, 0, 2**20),
        compressibility=t.number("compressibility", 0.67, 0, 1),
        touch_fraction=t.number("touch_fraction", 0.5, 0, 1),
        touch_period_s=t.number("touch_period_s", 1.0, 0.01, 3600),
        duration_s=t.number("duration_s", 0.0, 0, 1e7),
        interval_s=t.number("interval_s", 1.0, 0.01, 3600),
        seed=t.integer("seed", 1),
    )
    t.done()
    return config


def parse_workload(text: str, source: Path) -> Workload:
    """A workload from TOML text (``source`` names it in errors and anchors relative APK paths)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    root = Table(data, source)
    head = root.table("workload")
    if head is None:
        raise root.error("workload", "missing (required)")
    defaults = tuple(_interaction(i) for i in root.tables("default_interactions"))
    apps = tuple(_app(a, source.parent, defaults) for a in root.tables("apps"))
    testapps_table = root.table("testapps")
    testapps = parse_testapps(testapps_table) if testapps_table is not None else None
    if testapps is not None:
        # The variants switch like any app; nothing to fall back to, nothing to check on disk yet.
        apps += tuple(AppSpec(p, TESTAPP_ACTIVITY, None, (), label, defaults) for p, label in testapps.members())
    eater_table = root.table("memory_eater")
    eater = _eater(eater_table) if eater_table is not None else None
    root.done()
    packages = [a.package for a in apps]
    if len(set(packages)) != len(packages):
        raise root.error("apps", "lists a package twice")
    if not apps and eater is None:
        raise root.error("apps", "a workload needs apps, a memory_eater, or both")
    workload = Workload(
        name=head.text("name", required=True) or "",
        description=head.text("description", "") or "",
        source=source,
        apps=apps,
        order=head.choice("order", "round-robin", ORDERS),
        seed=head.integer("seed", 0),
        rounds=head.integer("rounds", 1, minimum=1),
        warmup_rounds=head.integer("warmup_rounds", 0),
        dwell_s=head.number("dwell_s", 3.0, 0.1, 3600),
        min_apps=head.integer("min_apps", min(2, len(apps)), minimum=0),
        memory_eater=eater,
        testapps=testapps,
    )
    head.done()
    if workload.order == "random" and not head.has("seed"):
        raise head.error("seed", "missing (a random order needs a seed to be reproducible)")
    if workload.min_apps > len(apps):
        raise head.error("min_apps", f"{workload.min_apps} is more than the {len(apps)} apps listed")
    return workload


def load_workload(path: Path | str) -> Workload:
    """Load and validate one workload file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read workload: {exc.strerror}") from None
    return parse_workload(text, path)
