"""Workload TOML files: the shipped ones load, and every validation error names file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from android_suite.errors import ConfigError
from android_suite.workloads.definition import Candidate, Interaction, load_workload, parse_workload

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted((ROOT / "apk_workloads").glob("*.toml"))
SRC = Path("/w/test.toml")

BASE = """
[workload]
name = "t"
rounds = 2

[[apps]]
package = "com.android.chrome"

[[apps]]
package = "com.android.settings"
"""


def parse(text: str, source: Path = SRC) -> object:
    return parse_workload(text, source)


def test_shipped_workloads_load() -> None:
    names = {p.name for p in SHIPPED}
    assert {"app_switch.toml", "memory_eater.toml"} <= names
    for path in SHIPPED:
        workload = load_workload(path)
        assert workload.name == path.stem
        assert workload.apps or workload.memory_eater is not None


def test_app_switch_contents() -> None:
    w = load_workload(ROOT / "apk_workloads" / "app_switch.toml")
    labels = [a.label for a in w.apps]
    assert labels[:5] == ["Chrome", "Maps", "YouTube", "Camera", "Settings"]
    assert {"Play Store", "Gmail", "Photos", "Calendar", "Clock", "Contacts"} <= set(labels)
    chrome = w.apps[0]
    assert chrome.activity == "com.google.android.apps.chrome.Main"
    assert Candidate("com.android.browser") in chrome.fallbacks
    assert chrome.interactions[1] == Interaction("fling", 2, 100, "up", None, 300)
    settings = next(a for a in w.apps if a.label == "Settings")
    assert settings.interactions == (Interaction("scroll", 2, 600, "up", None, 300),)  # the defaults
    assert w.memory_eater is not None and w.memory_eater.compressibility == 0.67
    assert (w.rounds, w.warmup_rounds, w.order, w.min_apps) == (5, 1, "round-robin", 4)


def test_memory_eater_workload() -> None:
    w = load_workload(ROOT / "apk_workloads" / "memory_eater.toml")
    assert w.apps == () and w.min_apps == 0
    eater = w.memory_eater
    assert eater is not None and eater.size_pct == 70 and eater.duration_s == 300
    assert eater.argv()[:2] == ["--size-pct", "70"]


def test_minimal_file_gets_defaults() -> None:
    w = parse_workload(BASE, SRC)
    assert (w.order, w.seed, w.rounds, w.warmup_rounds, w.dwell_s, w.min_apps) == ("round-robin", 0, 2, 0, 3.0, 2)
    assert w.apps[0].label == "com.android.chrome" and w.apps[0].interactions == ()
    assert w.memory_eater is None


def test_schedule_round_robin_and_seeded_random() -> None:
    w = parse_workload(BASE.replace("rounds = 2", "rounds = 2\nwarmup_rounds = 1"), SRC)
    visits = [(r, warm, a.package) for r, warm, a in w.schedule()]
    assert visits[:2] == [(0, True, "com.android.chrome"), (0, True, "com.android.settings")]
    assert len(visits) == 6 and [v[1] for v in visits].count(True) == 2
    text = BASE.replace("rounds = 2", 'rounds = 20\norder = "random"\nseed = 7')
    a, b = parse_workload(text, SRC).schedule(), parse_workload(text, SRC).schedule()
    assert [x[2].package for x in a] == [x[2].package for x in b]  # same seed, same order
    firsts = {a[i][2].package for i in range(0, 40, 2)}
    assert len(firsts) == 2  # the order really changes between rounds


def test_fallback_with_activity_and_apk(tmp_path: Path) -> None:
    (tmp_path / "apks").mkdir()
    (tmp_path / "apks" / "demo.apk").write_bytes(b"PK")
    text = BASE + 'apk = "apks/demo.apk"\nfallbacks = ["com.example.alt/.Main", "com.example.other"]\n'
    w = parse_workload(text, tmp_path / "w.toml")
    app = w.apps[1]
    assert app.apk == (tmp_path / "apks" / "demo.apk").resolve()
    assert app.fallbacks == (Candidate("com.example.alt", ".Main"), Candidate("com.example.other"))
    assert [c.package for c in app.candidates] == ["com.android.settings", "com.example.alt", "com.example.other"]


def test_eater_only_workload() -> None:
    w = parse_workload('[workload]\nname = "e"\n[memory_eater]\nsize_mb = 512\nrate_mbps = 0\n', SRC)
    assert w.memory_eater is not None and w.memory_eater.argv()[:4] == ["--size-mb", "512", "--rate-mbps", "0"]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read workload"):
        load_workload(tmp_path / "nope.toml")


APP = '\n[[apps]]\npackage = "com.example.third"\n'
INTERACTION = "\n[[apps.interactions]]\n"

# (text to append to BASE or a replacement, expected key path, message fragment)
ERRORS = [
    ("not toml = = 1", None, "not valid TOML"),
    ("[extra]\nx = 1", "extra", "unknown key"),
    ("color = 1", "apps[1].color", "unknown key"),
    ('[workload]\nname = "x"', "workload", "Cannot declare|not valid TOML"),
    (APP.replace("package", "packge"), "apps[2].package", "missing"),
    (APP.replace("com.example.third", "not a package"), "apps[2].package", "not a package name"),
    (APP.replace("com.example.third", "com.android.chrome"), "apps", "twice"),
    (APP + 'fallbacks = ["com.example.third"]', "apps[2].fallbacks", "twice"),
    (APP + 'fallbacks = "com.example.x"', "apps[2].fallbacks", "list of non-empty strings"),
    (APP + 'fallbacks = ["com.example.x/"]', "apps[2].fallbacks", "not a package name"),
    (APP + 'apk = "missing.apk"', "apps[2].apk", "no such file"),
    (APP + "label = 3", "apps[2].label", "non-empty string"),
    (APP + INTERACTION + 'kind = "pinch"', "apps[2].interactions[0].kind", "must be one of"),
    (APP + INTERACTION + 'kind = "scroll"\ncount = 0', "apps[2].interactions[0].count", ">= 1"),
    (APP + INTERACTION + 'kind = "scroll"\ncount = 1.5', "apps[2].interactions[0].count", "integer"),
    (APP + INTERACTION + 'kind = "scroll"\ndirection = "north"', "apps[2].interactions[0].direction", "one of"),
    (APP + INTERACTION + 'kind = "scroll"\ntext = "OK"', "apps[2].interactions[0].text", "takes no text"),
    (APP + INTERACTION + 'kind = "tap_text"', "apps[2].interactions[0].text", "required for tap_text"),
    (
        APP + INTERACTION + 'kind = "tap_text"\ntext = "OK"\ndirection = "up"',
        "apps[2].interactions[0].direction",
        "no direction",
    ),
    (APP + INTERACTION + 'kind = "fling"\nspeed = 3', "apps[2].interactions[0].speed", "unknown key"),
    ("[memory_eater]\ncompressibility = 1.5", "memory_eater.compressibility", "0..1"),
    ("[memory_eater]\nsize_mb = 100\nsize_pct = 10", "memory_eater.size_pct", "not both"),
    ("[memory_eater]\nrate_mbps = true", "memory_eater.rate_mbps", "expected a number"),
    ("[memory_eater]\ntouch_fraction = -0.1", "memory_eater.touch_fraction", "within"),
    ("[memory_eater]\nsize = 10", "memory_eater.size", "unknown key"),
    ("[[default_interactions]]\nkind = 3", "default_interactions[0].kind", "non-empty string"),
]
HEAD_ERRORS = [
    ('order = "shuffle"', "workload.order", "must be one of"),
    ('order = "random"', "workload.seed", "needs a seed"),
    ("rounds = 0", "workload.rounds", ">= 1"),
    ("warmup_rounds = -1", "workload.warmup_rounds", ">= 0"),
    ("dwell_s = 0", "workload.dwell_s", "within"),
    ('dwell_s = "3"', "workload.dwell_s", "expected a number"),
    ("min_apps = 3", "workload.min_apps", "more than the 2 apps"),
    ("runs = 3", "workload.runs", "unknown key"),
]


@pytest.mark.parametrize(("extra", "key", "fragment"), ERRORS, ids=[e[1] or e[2] for e in ERRORS])
def test_validation_errors(extra: str, key: str | None, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_workload(BASE + "\n" + extra + "\n", SRC)
    message = str(info.value)
    assert message.startswith(f"{SRC}: ")
    if key is not None and "not valid TOML" not in message:
        assert f": {key}: " in message
    assert any(f in message for f in fragment.split("|")), message


@pytest.mark.parametrize(("line", "key", "fragment"), HEAD_ERRORS, ids=[e[0] for e in HEAD_ERRORS])
def test_workload_table_errors(line: str, key: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_workload(BASE.replace("rounds = 2", f"rounds = 2\n{line}" if "rounds" not in line else line), SRC)
    assert f"{SRC}: {key}: " in str(info.value)
    assert fragment in str(info.value)


def test_whole_file_errors() -> None:
    with pytest.raises(ConfigError, match=r"test\.toml: workload: missing"):
        parse_workload('[[apps]]\npackage = "com.a.b"\n', SRC)
    with pytest.raises(ConfigError, match=r"workload\.name: missing"):
        parse_workload('[workload]\n[[apps]]\npackage = "com.a.b"\n', SRC)
    with pytest.raises(ConfigError, match=r"test\.toml: apps: expected an array of tables"):
        parse_workload('apps = 3\n[workload]\nname = "x"\n', SRC)
    with pytest.raises(ConfigError, match=r"test\.toml: workload: expected a table"):
        parse_workload('workload = "x"\n', SRC)
    with pytest.raises(ConfigError, match="needs apps, a memory_eater, or both"):
        parse_workload('[workload]\nname = "x"\n', SRC)
