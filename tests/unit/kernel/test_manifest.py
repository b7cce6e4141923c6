"""Boot-image manifests: loading, validation errors that name file and entry, writing, digests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from android_suite.errors import ConfigError
from android_suite.kernel.manifest import load_manifest, verify_image
from android_suite.kernel.manifest_write import write_manifest

REPO = Path(__file__).resolve().parents[3]
SHA = "ab" * 32

ENTRY = """
[[image]]
name = "rubens-on"
variant = "on"
mechanism = "build"
product = "rubens"
kernel_release = "6.1.68-android14-11-kcompressd-on"
sha256 = "{sha}"
path = "images/on.img"
"""


def write(tmp_path: Path, body: str, *, sha: str = SHA) -> Path:
    path = tmp_path / "phone.toml"
    path.write_text("format = 1\n" + body.format(sha=sha))
    return path


def test_loads_and_resolves_paths_against_the_manifest(tmp_path: Path) -> None:
    m = load_manifest(write(tmp_path, ENTRY))
    (e,) = m.entries
    assert e.path == tmp_path / "images" / "on.img"
    assert (e.variant, e.mechanism, e.product, e.slot_policy, e.partition, e.factory) == (
        "on",
        "build",
        "rubens",
        "inactive",
        "boot",
        False,
    )
    assert e.expects_thread is True
    assert e.kernel_version == e.kernel_release and e.image == e.path
    assert m.find("rubens", "on") is e
    assert m.factory("rubens") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('variant = "on"', 'variant = "maybe"'), "variant 'maybe'"),
        (('mechanism = "build"', 'mechanism = "patch"'), "mechanism 'patch'"),
        (('mechanism = "build"', 'mechanism = "none"'), "variant 'on' with mechanism 'none'"),
        (('sha256 = "{sha}"', 'sha256 = "ABC"'), "sha256 'ABC'"),
        (('path = "images/on.img"\n', ""), "missing path"),
        (('name = "rubens-on"', 'name = "rubens-on"\nslot = "b"'), "unknown key(s) slot"),
        (('path = "images/on.img"', 'path = "x"\nslot_policy = "both"'), "slot_policy 'both'"),
        (('product = "rubens"', "product = 7"), "product must be a non-empty string"),
        (('kernel_release = "6.1.68-android14-11-kcompressd-on"', 'kernel_release = "6.1 x"'), "kernel_release"),
    ],
)
def test_invalid_entries_name_file_and_entry(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, ENTRY.replace(*change))
    with pytest.raises(ConfigError) as caught:
        load_manifest(path)
    text = str(caught.value)
    assert str(path) in text
    assert "image 'rubens-on'" in text
    assert message in text


def test_an_entry_without_a_name_is_named_by_position(tmp_path: Path) -> None:
    path = write(tmp_path, ENTRY + ENTRY.replace('name = "rubens-on"\n', ""))
    with pytest.raises(ConfigError, match=r"image #2: missing name"):
        load_manifest(path)


def test_duplicates_and_two_factories(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="name used twice"):
        load_manifest(write(tmp_path, ENTRY + ENTRY))
    factory = ENTRY.replace('path = "images/on.img"', 'path = "f.img"\nfactory = true')
    second = factory.replace("rubens-on", "rubens-factory-2")
    with pytest.raises(ConfigError, match="second factory image for product 'rubens'"):
        load_manifest(write(tmp_path, factory + second))


def test_file_level_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="manifest not found"):
        load_manifest(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 1\n[[image]\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_manifest(bad)
    bad.write_text("format = 2\n")
    with pytest.raises(ConfigError, match="format = 1"):
        load_manifest(bad)
    bad.write_text("format = 1\nimages = []\n")
    with pytest.raises(ConfigError, match="unknown top-level key"):
        load_manifest(bad)


def test_find_is_strict(tmp_path: Path) -> None:
    two = ENTRY + ENTRY.replace("rubens-on", "rubens-on-2").replace('"build"', '"sysctl"')
    m = load_manifest(write(tmp_path, two))
    with pytest.raises(ConfigError, match="several images"):
        m.find("rubens", "on")
    assert m.find("rubens", "on", "sysctl").name == "rubens-on-2"
    with pytest.raises(ConfigError, match="no image for product 'fuxi'"):
        m.find("fuxi", "on")
    with pytest.raises(ConfigError, match="no image named"):
        m.entry("nope")


def test_verify_image_checks_the_digest(tmp_path: Path) -> None:
    data = b"ANDROID!" + bytes(100)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "on.img").write_bytes(data)
    good = load_manifest(write(tmp_path, ENTRY, sha=hashlib.sha256(data).hexdigest())).entries[0]
    verify_image(good)
    bad = load_manifest(write(tmp_path, ENTRY)).entries[0]
    with pytest.raises(ConfigError, match=r"image 'rubens-on'.*has sha256"):
        verify_image(bad)
    (tmp_path / "images" / "on.img").unlink()
    with pytest.raises(ConfigError, match="not found"):
        verify_image(good)


def test_write_then_read_round_trips_with_relative_paths(tmp_path: Path) -> None:
    original = load_manifest(write(tmp_path, ENTRY + ENTRY.replace("rubens-on", "rubens-factory") + "factory = true\n"))
    out = write_manifest(tmp_path / "sub" / "copy.toml", original.entries)
    assert 'path = "../images/on.img"' in (tmp_path / "sub" / "copy.toml").read_text()
    assert [(e.name, e.path, e.factory) for e in out.entries] == [(e.name, e.path, e.factory) for e in original.entries]
    assert out.factory("rubens") is not None


def test_the_example_manifests_in_the_clone_load() -> None:
    examples = sorted((REPO / "kernel_config" / "manifests").glob("*.toml"))
    assert examples, "kernel_config/manifests should hold at least one documented example"
    for path in examples:
        assert load_manifest(path).entries


def test_each_profile_set_has_its_own_virtual_manifest_file() -> None:
    from android_suite.kernel.images import MANIFEST_NAME, manifest_name_for
    from android_suite.options import DEFAULT_PROFILES

    assert manifest_name_for(DEFAULT_PROFILES) == MANIFEST_NAME
    mine = manifest_name_for(["qemu_arm64"])
    assert mine != MANIFEST_NAME and mine.startswith("virtual-") and mine.endswith(".toml")
    # Order and repeats do not matter; another set gets another file.
    assert manifest_name_for(["generic_arm", "mediatek", "mediatek"]) == manifest_name_for(["mediatek", "generic_arm"])
    assert manifest_name_for(["mediatek"]) != manifest_name_for(["generic_arm"])
