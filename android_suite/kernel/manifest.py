"""Boot-image manifests (``kernel_config/manifests/<name>.toml``): load, validate, write.

A manifest lists the boot images the flash path may write, each tied to one
product (``ro.product.device``) and pinned by sha256, so a file swapped on
disk or an image meant for another phone is refused before anything is
written. Format (see kernel_config/README.md)::

    format = 1

    [[image]]
    name = "rubens-kcompressd-on"
    variant = "on"                 # on | off: kcompressd running after boot?
    mechanism = "build"            # none | build | sysctl | module
    product = "rubens"             # ro.product.device
    kernel_release = "6.1.68-..."  # uname -r of the image's kernel
    sha256 = "<64 hex digits>"
    path = "images/boot-on.img"    # relative to this file
    slot_policy = "inactive"       # optional: inactive (default) | active
    partition = "boot"             # optional
    factory = false                # optional: the image the phone shipped with
    description = "..."            # optional
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from android_suite.errors import ConfigError

FORMAT = 1
VARIANTS = ("on", "off")
MECHANISMS = ("none", "build", "sysctl", "module")
SLOT_POLICIES = ("inactive", "active")
# Linux's __NEW_UTS_LEN: uname -r never exceeds 64 bytes.
_MAX_RELEASE = 64
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_REQUIRED = ("name", "variant", "mechanism", "product", "kernel_release", "sha256", "path")
_OPTIONAL = ("slot_policy", "partition", "factory", "description")


@dataclass(frozen=True)
class ImageEntry:
    """One flashable boot image.

    Attributes:
        name: unique within the manifest.
        variant: "on" or "off": whether kcompressd runs once this kernel booted.
        mechanism: how the kernel carries kcompressd: "none" (not at all),
            "build" (v1, always on), "sysctl" (``vm.kcompressd``), "module" (RFC).
        product: the ``ro.product.device`` it is built for.
        kernel_release: ``uname -r`` of its kernel (checked after boot).
        sha256: hex digest of the image file.
        path: the image file (resolved against the manifest's directory).
        slot_policy: "inactive": on A/B phones write the slot that is not the
            original one, so the original stays bootable; "active": write the
            original slot (needed on non-A/B phones; restore then reflashes).
        partition: the partition to write ("boot"; "init_boot" is not a kernel).
        factory: the image the phone shipped with, usable to restore it.
        manifest: the file this entry came from (for messages).
    """

    name: str
    variant: str
    mechanism: str
    product: str
    kernel_release: str
    sha256: str
    path: Path
    slot_policy: str = "inactive"
    partition: str = "boot"
    factory: bool = False
    description: str = ""
    manifest: Path | None = None

    @property
    def expects_thread(self) -> bool | None:
        """Whether ``kcompressd0`` should be running after boot; None when it cannot be told.

        v1 and the sysctl builds start ``kcompressd0`` with kswapd; the RFC
        starts ``kcompressd:<i>`` only on the first queued write.
        """
        return {"none": False, "build": True, "sysctl": True}.get(self.mechanism)

    @property
    def kernel_version(self) -> str:
        """Alias of :attr:`kernel_release` (``uname -r``)."""
        return self.kernel_release

    @property
    def image(self) -> Path:
        """Alias of :attr:`path`."""
        return self.path

    def where(self) -> str:
        return f"{self.manifest or '<manifest>'}: image {self.name!r}"


@dataclass(frozen=True)
class Manifest:
    path: Path
    entries: tuple[ImageEntry, ...]

    def entry(self, name: str) -> ImageEntry:
        for e in self.entries:
            if e.name == name:
                return e
        raise ConfigError(f"{self.path}: no image named {name!r}; have: {', '.join(e.name for e in self.entries)}")

    def factory(self, product: str) -> ImageEntry | None:
        """The factory image listed for ``product``, if any."""
        return next((e for e in self.entries if e.factory and e.product == product), None)

    def copy_of(self, product: str, release: str | None) -> ImageEntry | None:
        """A pinned image that can stand for what ``product`` runs now: the factory image,
        else a test image carrying the running kernel ``release`` (one we flashed before)."""
        factory = self.factory(product)
        if factory is not None and (release is None or factory.kernel_release == release):
            return factory
        same = (e for e in self.entries if e.product == product and release and e.kernel_release == release)
        return next(same, factory)

    def find(self, product: str, variant: str, mechanism: str | None = None) -> ImageEntry:
        """The one non-factory image for ``product`` and ``variant`` (and ``mechanism``)."""
        hits = [
            e
            for e in self.entries
            if e.product == product and e.variant == variant and not e.factory
            if mechanism is None or e.mechanism == mechanism
        ]
        if len(hits) == 1:
            return hits[0]
        what = f"product {product!r}, variant {variant!r}" + (f", mechanism {mechanism!r}" if mechanism else "")
        if not hits:
            raise ConfigError(f"{self.path}: no image for {what}")
        raise ConfigError(
            f"{self.path}: several images for {what} ({', '.join(e.name for e in hits)}); pick one by name"
        )


def _entry(raw: Any, index: int, source: Path) -> ImageEntry:
    label = f"{source}: image #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{label}: expected a table ([[image]]), got {type(raw).__name__}")
    if isinstance(raw.get("name"), str):
        label = f"{source}: image {raw['name']!r}"
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ConfigError(f"{label}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(_REQUIRED + _OPTIONAL)}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise ConfigError(f"{label}: missing {', '.join(missing)}")
    for key in (*_REQUIRED, "slot_policy", "partition", "description"):
        if key in raw and (not isinstance(raw[key], str) or (key != "description" and not raw[key])):
            raise ConfigError(f"{label}: {key} must be a non-empty string, got {raw[key]!r}")
    if "factory" in raw and not isinstance(raw["factory"], bool):
        raise ConfigError(f"{label}: factory must be true or false, got {raw['factory']!r}")
    variant, mechanism = raw["variant"], raw["mechanism"]
    checks = [
        (_NAME.match(raw["name"]) is not None, f"name {raw['name']!r}: use letters, digits, '.', '_' and '-'"),
        (raw["variant"] in VARIANTS, f"variant {raw['variant']!r}: expected one of {', '.join(VARIANTS)}"),
        (raw["mechanism"] in MECHANISMS, f"mechanism {raw['mechanism']!r}: expected one of {', '.join(MECHANISMS)}"),
        (not (variant == "on" and mechanism == "none"), "variant 'on' with mechanism 'none'"),
        (not (variant == "off" and mechanism == "build"), "variant 'off' with mechanism 'build' (v1 is always on)"),
        (_SHA256.match(raw["sha256"]) is not None, f"sha256 {raw['sha256']!r}: expected 64 lower-case hex digits"),
        (len(raw["kernel_release"].encode()) <= _MAX_RELEASE and not re.search(r"\s", raw["kernel_release"]),
         f"kernel_release {raw['kernel_release']!r}: at most 64 bytes, no spaces (it is uname -r)"),
        (raw.get("slot_policy", "inactive") in SLOT_POLICIES,
         f"slot_policy {raw.get('slot_policy')!r}: expected one of {', '.join(SLOT_POLICIES)}"),
    ]  # fmt: skip
    for ok, message in checks:
        if not ok:
            raise ConfigError(f"{label}: {message}")
    path = Path(raw["path"])
    return ImageEntry(
        name=raw["name"],
        variant=raw["variant"],
        mechanism=raw["mechanism"],
        product=raw["product"],
        kernel_release=raw["kernel_release"],
        sha256=raw["sha256"],
        # normpath, not resolve(): "../images/x" reads cleanly, symlinks stay as the user made them.
        path=Path(os.path.normpath(path if path.is_absolute() else source.parent / path)),
        slot_policy=raw.get("slot_policy", "inactive"),
        partition=raw.get("partition", "boot"),
        factory=raw.get("factory", False),
        description=raw.get("description", ""),
        manifest=source,
    )


def parse_manifest(data: Mapping[str, Any], source: Path) -> Manifest:
    """Validate a decoded manifest; ``source`` names it in errors and anchors relative paths."""
    unknown = sorted(set(data) - {"format", "image"})
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key(s) {', '.join(unknown)}; expected format and [[image]]")
    if data.get("format") != FORMAT:
        raise ConfigError(f"{source}: format = {data.get('format')!r}; this version reads format = {FORMAT}")
    images = data.get("image", [])
    if not isinstance(images, list):
        raise ConfigError(f"{source}: image must be an array of tables ([[image]])")
    entries = tuple(_entry(raw, i, source) for i, raw in enumerate(images))
    seen: set[str] = set()
    factories: set[str] = set()
    for e in entries:
        if e.name in seen:
            raise ConfigError(f"{e.where()}: name used twice")
        seen.add(e.name)
        if e.factory:
            if e.product in factories:
                raise ConfigError(f"{e.where()}: a second factory image for product {e.product!r}")
            factories.add(e.product)
    return Manifest(source, entries)


def load_manifest(path: Path | str) -> Manifest:
    """Read and validate a manifest file (image files are checked at flash time)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: manifest not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_manifest(data, path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_image(entry: ImageEntry) -> None:
    """Check the image file exists and has the manifest's sha256.

    Raises:
        ConfigError: missing file or another digest (naming manifest and entry).
    """
    if not entry.path.is_file():
        raise ConfigError(f"{entry.where()}: image file {entry.path} not found")
    actual = file_sha256(entry.path)
    if actual != entry.sha256:
        raise ConfigError(
            f"{entry.where()}: {entry.path} has sha256 {actual}, the manifest says {entry.sha256}; "
            "the file changed since the manifest was written: rebuild it or fix the manifest"
        )
