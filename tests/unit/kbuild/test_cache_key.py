"""Cache keys change with every build input and with nothing else."""

from __future__ import annotations

from android_suite.kbuild.build import cache_key, patch_paths

BASE = {
    "source_sha256": "a" * 64,
    "fragments": [("base.config", b"CONFIG_A=y\n"), ("arm64.config", b"")],
    "patches": [("0001.patch", b"diff")],
    "arch": "arm64",
    "variant": "sysctl",
}


def test_stable_and_hex() -> None:
    key = cache_key(**BASE)  # type: ignore[arg-type]
    assert key == cache_key(**BASE) and len(key) == 64 and int(key, 16) >= 0  # type: ignore[arg-type]


def test_every_input_changes_the_key() -> None:
    key = cache_key(**BASE)  # type: ignore[arg-type]
    changes = [
        {"source_sha256": "b" * 64},
        {"fragments": [("base.config", b"CONFIG_A=n\n"), ("arm64.config", b"")]},
        {"fragments": [("base2.config", b"CONFIG_A=y\n"), ("arm64.config", b"")]},
        {"patches": []},
        {"patches": [("0001.patch", b"diff2")]},
        {"arch": "x86_64"},
        {"variant": "v1"},
        {"script_version": "999"},
    ]
    keys = {cache_key(**{**BASE, **c}) for c in changes}  # type: ignore[arg-type]
    assert key not in keys and len(keys) == len(changes)


def test_no_collision_by_concatenation() -> None:
    a = cache_key(**{**BASE, "fragments": [("ab", b"c")]})  # type: ignore[arg-type]
    b = cache_key(**{**BASE, "fragments": [("a", b"bc")]})  # type: ignore[arg-type]
    assert a != b


def test_stock_has_no_patches() -> None:
    assert patch_paths("stock") == []
    assert [p.name[:4] for p in patch_paths("v1")] == ["0001", "0002"]
