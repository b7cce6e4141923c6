"""Compression calibration: a real compressor on generated 4 KiB pages.

The modelled zram does not pick a compression ratio or a per-page cost out of
the air: at start-up it compresses pages made by :func:`make_page` (a chosen
share of random bytes, the rest a repeated motif, like heap data) with the
real algorithm and measures size and time. Sizes are deterministic (the pages
come from fixed seeds); times are host CPU times, so they vary between
processes but are cached per process, so every model in one test run sees
the same numbers.

Algorithms without a Python binding here are calibrated with a stand-in and
say so in :attr:`Calibration.backend`: ``lzo``/``lzo-rle`` with lz4 (both are
byte-oriented LZ77 coders of similar ratio), ``zstd`` with ``zstandard`` when
installed, else with zlib (a closer ratio than lz4).
"""

from __future__ import annotations

import functools
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import lz4.block

PAGE_SIZE = 4096
# zsmalloc's huge_class_size on 4 KiB pages: zram stores anything that does
# not compress below it as a whole page (mm_stat huge_pages). 3264 is the value
# common arm64 builds print in debug_stat (not verified for every config).
HUGE_CLASS_SIZE = 3264
# zsmalloc size classes are 16 bytes apart (PAGE_SIZE >> CLASS_BITS) from 32 bytes up.
ZS_CLASS_DELTA = 16
ZS_MIN_ALLOC = 32
LEVELS = tuple(i / 10 for i in range(11))  # share of random bytes in a page
_CHUNK = 64  # granularity of the random/motif mix
_PAGES_PER_LEVEL = 16
_REPEATS = 3

Codec = tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]


@dataclass(frozen=True)
class CompressionPoint:
    """Measured behaviour of one algorithm on pages with ``random_fraction`` random bytes.

    Attributes:
        stored_bytes: mean bytes zram keeps per page (compressed size, or 4096 for huge pages).
        alloc_bytes: mean zsmalloc allocation per page (stored size rounded up to a size class).
        huge_fraction: share of pages stored uncompressed (mm_stat huge_pages).
        compress_s: host CPU seconds to compress one page.
        decompress_s: host CPU seconds to decompress one page.
    """

    random_fraction: float
    stored_bytes: float
    alloc_bytes: float
    huge_fraction: float
    compress_s: float
    decompress_s: float

    @property
    def ratio(self) -> float:
        """orig_data_size / compr_data_size for pages of this kind."""
        return PAGE_SIZE / self.stored_bytes


@dataclass(frozen=True)
class Calibration:
    """One algorithm's :class:`CompressionPoint` per level of :data:`LEVELS`."""

    algorithm: str
    backend: str  # the library that did the work ("lz4.block", "zlib (stand-in)", ...)
    points: tuple[CompressionPoint, ...]

    def at(self, random_fraction: float) -> CompressionPoint:
        """Linear interpolation between the two nearest measured levels."""
        x = min(1.0, max(0.0, random_fraction)) * (len(self.points) - 1)
        i = min(int(x), len(self.points) - 2)
        w = x - i
        a, b = self.points[i], self.points[i + 1]

        def mix(u: float, v: float) -> float:
            return u + (v - u) * w

        return CompressionPoint(
            random_fraction,
            mix(a.stored_bytes, b.stored_bytes),
            mix(a.alloc_bytes, b.alloc_bytes),
            mix(a.huge_fraction, b.huge_fraction),
            mix(a.compress_s, b.compress_s),
            mix(a.decompress_s, b.decompress_s),
        )


def make_page(rng: random.Random, random_fraction: float) -> bytes:
    """A 4 KiB page: ``random_fraction`` of its 64-byte chunks random, the rest one repeated motif."""
    chunks = PAGE_SIZE // _CHUNK
    motif = rng.randbytes(_CHUNK)
    noisy = set(rng.sample(range(chunks), round(random_fraction * chunks)))
    return b"".join(rng.randbytes(_CHUNK) if i in noisy else motif for i in range(chunks))


def _lz4() -> Codec:
    return (
        lambda page: lz4.block.compress(page, store_size=False),
        lambda data: lz4.block.decompress(data, uncompressed_size=PAGE_SIZE),
    )


def _codec(algorithm: str) -> tuple[str, Codec]:
    if algorithm == "lz4":
        return "lz4.block", _lz4()
    if algorithm in ("lzo", "lzo-rle"):
        return "lz4.block (stand-in for lzo)", _lz4()
    if algorithm == "zstd":
        try:
            import zstandard  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            return "zlib level 3 (stand-in for zstd)", (lambda p: zlib.compress(p, 3), zlib.decompress)
        # zram uses zstd's default level (3).
        cctx, dctx = zstandard.ZstdCompressor(level=3), zstandard.ZstdDecompressor()
        return "zstandard", (cctx.compress, lambda d: dctx.decompress(d, max_output_size=PAGE_SIZE))
    raise ValueError(f"no compressor for zram algorithm {algorithm!r}")


def _alloc_size(stored: int) -> int:
    if stored >= PAGE_SIZE:
        return PAGE_SIZE
    return max(ZS_MIN_ALLOC, -(-stored // ZS_CLASS_DELTA) * ZS_CLASS_DELTA)


def _measure(level: float, index: int, codec: Codec) -> CompressionPoint:
    compress, decompress = codec
    rng = random.Random(0x5A7 + index)  # fixed: sizes are the same in every process
    pages = [make_page(rng, level) for _ in range(_PAGES_PER_LEVEL)]
    blobs = [compress(p) for p in pages]
    stored = [PAGE_SIZE if len(b) >= HUGE_CLASS_SIZE else len(b) for b in blobs]
    best_c = best_d = float("inf")
    for _ in range(_REPEATS):  # best of N: the least disturbed run is closest to the true cost
        start = time.perf_counter()
        for p in pages:
            compress(p)
        mid = time.perf_counter()
        for b in blobs:
            decompress(b)
        end = time.perf_counter()
        best_c, best_d = min(best_c, mid - start), min(best_d, end - mid)
    n = len(pages)
    return CompressionPoint(
        random_fraction=level,
        stored_bytes=sum(stored) / n,
        alloc_bytes=sum(_alloc_size(s) for s in stored) / n,
        huge_fraction=sum(s >= PAGE_SIZE for s in stored) / n,
        compress_s=best_c / n,
        decompress_s=best_d / n,
    )


@functools.cache
def calibrate(algorithm: str) -> Calibration:
    """Measure ``algorithm`` once per process (cached); raises ValueError if unknown."""
    backend, codec = _codec(algorithm)
    points = tuple(_measure(level, i, codec) for i, level in enumerate(LEVELS))
    return Calibration(algorithm, backend, points)
