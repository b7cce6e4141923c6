"""Just enough of ``resources.arsc`` to read a string resource: the label ``@string/app_name`` points at.

Layout (ResourceTypes.h): a RES_TABLE chunk holding the global value string
pool and one package chunk per package; a package holds its type and key
string pools, then TYPE_SPEC and TYPE chunks. A TYPE chunk is one
configuration (locale, density...) of one type: an offset per entry, each
entry a ``ResTable_entry`` followed, for simple values, by a ``Res_value``.
Resource ids are ``0xPPTTEEEE`` (package, type, entry). The default
configuration (all zeros) wins, as on a device set to a language the app
does not translate to. Pure; anything unreadable gives None.
"""

from __future__ import annotations

import struct

from android_suite.virtual.framework.axml import TYPE_STRING, AxmlError, string_pool

RES_TABLE = 0x0002
RES_STRING_POOL = 0x0001
RES_PACKAGE = 0x0200
RES_TYPE = 0x0201
NO_ENTRY = 0xFFFFFFFF
FLAG_COMPLEX = 0x0001
FLAG_SPARSE = 0x01

_CHUNK = struct.Struct("<HHI")


def resolve_string(data: bytes, res_id: int) -> str | None:
    """The default-configuration string value of ``res_id``, None if absent or not a string."""
    try:
        return _resolve(data, res_id)
    except (struct.error, AxmlError, IndexError):
        return None


def _resolve(data: bytes, res_id: int) -> str | None:
    kind, header, total = _CHUNK.unpack_from(data, 0)
    if kind != RES_TABLE:
        return None
    values: list[str] = []
    pos = header
    want_pkg, want_type, want_entry = res_id >> 24, (res_id >> 16) & 0xFF, res_id & 0xFFFF
    while pos + 8 <= min(total, len(data)):
        kind, hsize, size = _CHUNK.unpack_from(data, pos)
        if size < 8:
            return None
        if kind == RES_STRING_POOL:
            values = string_pool(data, pos, hsize, size)
        elif kind == RES_PACKAGE and struct.unpack_from("<I", data, pos + 8)[0] == want_pkg:
            return _in_package(data, pos, hsize, size, want_type, want_entry, values)
        pos += size
    return None


def _in_package(
    data: bytes, start: int, hsize: int, size: int, want_type: int, want_entry: int, values: list[str]
) -> str | None:
    found: list[tuple[bool, str]] = []  # (is default config, value)
    pos = start + hsize
    while pos + 8 <= start + size:
        kind, chsize, csize = _CHUNK.unpack_from(data, pos)
        if csize < 8:
            break
        if kind == RES_TYPE and data[pos + 8] == want_type:
            value = _entry(data, pos, chsize, want_entry, values)
            if value is not None:
                config_size = struct.unpack_from("<I", data, pos + 20)[0]
                config = data[pos + 24 : pos + 20 + config_size]
                found.append((not any(config), value))
        pos += csize
    found.sort(key=lambda f: not f[0])  # the default configuration first
    return found[0][1] if found else None


def _entry(data: bytes, pos: int, hsize: int, index: int, values: list[str]) -> str | None:
    flags = data[pos + 9]
    count, entries_start = struct.unpack_from("<II", data, pos + 12)
    offsets = pos + hsize
    if flags & FLAG_SPARSE:
        for i in range(count):
            idx, off4 = struct.unpack_from("<HH", data, offsets + 4 * i)
            if idx == index:
                return _value(data, pos + entries_start + 4 * off4, values)
        return None
    if index >= count:
        return None
    (offset,) = struct.unpack_from("<I", data, offsets + 4 * index)
    if offset == NO_ENTRY:
        return None
    return _value(data, pos + entries_start + offset, values)


def _value(data: bytes, at: int, values: list[str]) -> str | None:
    esize, eflags, _key = struct.unpack_from("<HHI", data, at)
    if eflags & FLAG_COMPLEX:
        return None  # a bag (style, plural): not a plain string
    _vsize, _res0, dtype, value = struct.unpack_from("<HBBI", data, at + esize)
    return values[value] if dtype == TYPE_STRING and value < len(values) else None
