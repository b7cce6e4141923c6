"""Test kernel images: a version banner plus an embedded kernel config.

Convention (what :func:`build_kernel_image` writes and :func:`parse_kernel_image`
reads), modelled on a real arm64 ``Image``:

- the ``/proc/version`` line, ``Linux version <release> <build> <version>``,
  appears once in the payload (the bootloader reads the release from it);
- the config is embedded as ``CONFIG_IKCONFIG`` does it (kernel/configs.c):
  ``IKCFG_ST`` + gzip of the ``.config`` text + ``IKCFG_ED``, which is what
  ``scripts/extract-ikconfig`` looks for; with ``CONFIG_IKCONFIG_PROC=y`` the
  modelled kernel serves the same text as ``/proc/config.gz``;
- the payload may itself be gzipped (``Image.gz``).

Which kcompressd a config means (:func:`variant_of`). Only the RFC has a real
Kconfig symbol (``CONFIG_KCOMPRESSD``, tristate); v1 and Kcompressd-Unofficial
have none, so this model uses marker symbols that a test kernel build would
add to its defconfig fragment:

========================================  ============
config                                    variant
========================================  ============
``CONFIG_KCOMPRESSD_RFC=y|m``             ``rfc``
``CONFIG_KCOMPRESSD=m``                   ``rfc`` (only the RFC is a module)
``CONFIG_KCOMPRESSD_SYSCTL=y``            ``unofficial`` (sysctl ``vm.kcompressd``)
``CONFIG_KCOMPRESSD=y``                   ``v1`` (``kcompressd0``, no knob)
anything else                             ``none``
========================================  ============
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from android_suite.virtual.profile import Profile

IKCFG_ST = b"IKCFG_ST"
IKCFG_ED = b"IKCFG_ED"
VARIANTS = ("none", "v1", "unofficial", "rfc")
_BANNER = re.compile(rb"Linux version (\S+)([^\n\0]*)")
_LINE = re.compile(r"^(CONFIG_\w+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_\w+) is not set$")

DEFAULT_BUILD = "(build-user@build-host) (Android clang version 17.0.2, LLD 17.0.2)"
DEFAULT_VERSION = "#1 SMP PREEMPT Mon Feb 26 10:05:08 UTC 2024"


@dataclass(frozen=True)
class KernelImage:
    """What the modelled kernel learns from a kernel payload.

    Attributes:
        release: ``uname -r``.
        banner: the whole ``/proc/version`` line (without newline).
        config: CONFIG_* -> value ("y", "m", '"lz4"', "24"); None when no config is embedded.
        config_text: the embedded ``.config`` text, served as /proc/config.gz.
    """

    release: str
    banner: str
    config: Mapping[str, str] | None = None
    config_text: str | None = None

    def enabled(self, symbol: str) -> bool:
        return self.config is not None and self.config.get(symbol) in ("y", "m")

    def string(self, symbol: str) -> str | None:
        """A string option without its quotes (``CONFIG_ZRAM_DEF_COMP``)."""
        value = None if self.config is None else self.config.get(symbol)
        return value.strip('"') if value is not None else None

    @property
    def variant(self) -> str:
        return variant_of(self.config or {})


def variant_config(variant: str) -> dict[str, str]:
    """The config symbols that select ``variant`` (see the module table)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown kcompressd variant {variant!r}; known: {', '.join(VARIANTS)}")
    return {
        "none": {},
        "v1": {"CONFIG_KCOMPRESSD": "y"},
        "unofficial": {"CONFIG_KCOMPRESSD": "y", "CONFIG_KCOMPRESSD_SYSCTL": "y"},
        "rfc": {"CONFIG_KCOMPRESSD": "m", "CONFIG_KCOMPRESSD_RFC": "m"},
    }[variant]


def default_config(variant: str = "none", *, zram_comp: str = "lz4", **extra: str) -> dict[str, str]:
    """A GKI-like config: zram swap with ``zram_comp``, PSI, IKCONFIG_PROC, plus ``variant``."""
    config = {
        "CONFIG_SWAP": "y",
        "CONFIG_ZSMALLOC": "y",
        "CONFIG_ZRAM": "y",
        "CONFIG_ZRAM_WRITEBACK": "y",
        "CONFIG_ZRAM_DEF_COMP": f'"{zram_comp}"',
        "CONFIG_CRYPTO_LZO": "y",
        "CONFIG_CRYPTO_LZ4": "y",
        "CONFIG_CRYPTO_ZSTD": "y",
        "CONFIG_PSI": "y",
        "CONFIG_IKCONFIG": "y",
        "CONFIG_IKCONFIG_PROC": "y",
        "CONFIG_SHADOW_CALL_STACK": "y",
    }
    config.update(variant_config(variant))
    config.update(extra)
    return config


def config_text(config: Mapping[str, str]) -> str:
    """``.config`` text; a value of "n" is written as ``# CONFIG_X is not set``."""
    lines = [f"# {k} is not set" if v == "n" else f"{k}={v}" for k, v in config.items()]
    return "#\n# Automatically generated file; DO NOT EDIT.\n#\n" + "\n".join(lines) + "\n"


def parse_config(text: str) -> dict[str, str]:
    """CONFIG_* -> value; ``is not set`` lines become "n", comments are skipped."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if m := _LINE.match(line.strip()):
            out[m.group(1)] = m.group(2)
        elif m := _UNSET.match(line.strip()):
            out[m.group(1)] = "n"
    return out


def variant_of(config: Mapping[str, str]) -> str:
    """Which kcompressd ``config`` builds (module table); "none" without one."""
    main = config.get("CONFIG_KCOMPRESSD")
    if config.get("CONFIG_KCOMPRESSD_RFC") in ("y", "m") or main == "m":
        return "rfc"
    if main == "y":
        return "unofficial" if config.get("CONFIG_KCOMPRESSD_SYSCTL") == "y" else "v1"
    return "none"


def build_kernel_image(
    release: str,
    config: Mapping[str, str] | str | None = None,
    *,
    build: str = DEFAULT_BUILD,
    version: str = DEFAULT_VERSION,
    gzipped: bool = False,
) -> bytes:
    """A fake ``Image`` payload for :func:`android_suite.virtual.bootimg.build_boot_image`."""
    banner = f"Linux version {release} {build} {version}\n".encode()
    body = b"\0" * 64 + banner
    if config is not None:
        text = config if isinstance(config, str) else config_text(config)
        body += b"\0" * 16 + IKCFG_ST + gzip.compress(text.encode(), mtime=0) + IKCFG_ED
    return gzip.compress(body, mtime=0) if gzipped else body


def parse_kernel_image(payload: bytes) -> KernelImage | None:
    """Read banner and embedded config; None without a ``Linux version`` banner."""
    if payload[:2] == b"\x1f\x8b":
        try:
            payload = zlib.decompressobj(wbits=31).decompress(payload, 64 * 1024 * 1024)
        except zlib.error:
            return None
    m = _BANNER.search(payload)
    if m is None:
        return None
    banner = (b"Linux version " + m.group(1) + m.group(2)).decode("utf-8", "replace").rstrip()
    start = payload.find(IKCFG_ST)
    end = payload.find(IKCFG_ED, start + 1)
    text: str | None = None
    if start >= 0 and end > start:
        try:
            text = gzip.decompress(payload[start + len(IKCFG_ST) : end]).decode("utf-8", "replace")
        except (OSError, EOFError, zlib.error):
            text = None  # a damaged config block: boot as if the kernel had none
    config = parse_config(text) if text is not None else None
    return KernelImage(m.group(1).decode("ascii", "replace"), banner, config, text)


def profile_kernel(profile: Profile) -> bytes:
    """The kernel payload a factory-flashed handset of ``profile`` carries (its default kcompressd variant)."""
    k = profile.kernel
    return build_kernel_image(k.release, default_config(k.kcompressd_variant), build=k.build, version=k.version)


def profile_image(profile: Profile) -> KernelImage:
    """:func:`profile_kernel`, parsed: what the model boots when no bootloader says otherwise."""
    image = parse_kernel_image(profile_kernel(profile))
    assert image is not None
    return image
