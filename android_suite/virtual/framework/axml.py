"""A reader for Android's binary XML (AXML), the form ``AndroidManifest.xml`` takes inside an APK.

Pure: bytes in, an :class:`XmlElement` tree out. The format is the one
``aapt``/``aapt2`` write and ``frameworks/base/libs/androidfw/ResourceTypes.cpp``
reads: little-endian chunks, each ``(u16 type, u16 header_size, u32 size)``;
a string pool (UTF-8 or UTF-16), a resource map (the attribute name at index
*i* of the pool has resource id ``map[i]``), then start/end element nodes
whose attributes carry a typed ``Res_value``.

Android itself matches framework attributes by resource id, not by name
(an obfuscated APK may rename them in the pool), so known ids win over the
pool's names here too.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

ANDROID_NS = "http://schemas.android.com/apk/res/android"

CHUNK_XML = 0x0003
CHUNK_STRING_POOL = 0x0001
CHUNK_RESOURCE_MAP = 0x0180
NODE_START_NS = 0x0100
NODE_END_NS = 0x0101
NODE_START = 0x0102
NODE_END = 0x0103
NODE_CDATA = 0x0104
UTF8_FLAG = 1 << 8
NO_INDEX = 0xFFFFFFFF

# Res_value data types (ResourceTypes.h).
TYPE_REFERENCE = 0x01
TYPE_ATTRIBUTE = 0x02
TYPE_STRING = 0x03
TYPE_FLOAT = 0x04
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_BOOLEAN = 0x12

# The framework attributes the package manager model reads (android.R.attr values, stable since API 1-23).
ANDROID_ATTRS = {
    0x01010001: "label",
    0x01010003: "name",
    0x0101000C: "hasCode",
    0x0101000F: "debuggable",
    0x01010024: "value",
    0x0101020C: "minSdkVersion",
    0x0101021B: "versionCode",
    0x0101021C: "versionName",
    0x01010270: "targetSdkVersion",
    0x01010272: "testOnly",
    0x010104EA: "extractNativeLibs",
}

_CHUNK = struct.Struct("<HHI")
_POOL = struct.Struct("<IIIII")  # string count, style count, flags, strings start, styles start
_NODE = struct.Struct("<II")  # line number, comment
_START = struct.Struct("<IIHHHHHH")
_ATTR = struct.Struct("<IIIHBBI")

AttrValue = str | int | bool | float


class AxmlError(ValueError):
    """The bytes are not well-formed binary XML."""


@dataclass
class XmlElement:
    """One element: ``attrs`` keys are ``android:NAME`` for framework attributes, else the bare name."""

    tag: str
    attrs: dict[str, AttrValue] = field(default_factory=dict)
    children: list[XmlElement] = field(default_factory=list)
    line: int = 0

    def find_all(self, tag: str) -> list[XmlElement]:
        return [c for c in self.children if c.tag == tag]

    def find(self, tag: str) -> XmlElement | None:
        return next((c for c in self.children if c.tag == tag), None)


def string_pool(data: bytes, start: int, header_size: int, size: int) -> list[str]:
    if header_size < 28 or start + size > len(data):
        raise AxmlError("string pool header is cut short")
    count, _styles, flags, strings_start, _ = _POOL.unpack_from(data, start + 8)
    if start + header_size + 4 * count > start + size:
        raise AxmlError(f"string pool claims {count} strings, more than its chunk holds")
    offsets = struct.unpack_from(f"<{count}I", data, start + header_size)
    base, end = start + strings_start, start + size
    utf8 = bool(flags & UTF8_FLAG)
    return [_read_string(data, base + off, end, utf8) for off in offsets]


def _read_string(data: bytes, pos: int, end: int, utf8: bool) -> str:
    try:
        if utf8:
            pos += 2 if data[pos] & 0x80 else 1  # length in characters (skipped)
            n = data[pos]
            if n & 0x80:
                n, pos = ((n & 0x7F) << 8) | data[pos + 1], pos + 2
            else:
                pos += 1
            if pos + n > end:
                raise AxmlError("a string runs past its pool")
            return data[pos : pos + n].decode("utf-8", errors="replace")
        (n,) = struct.unpack_from("<H", data, pos)
        pos += 2
        if n & 0x8000:
            (low,) = struct.unpack_from("<H", data, pos)
            n, pos = ((n & 0x7FFF) << 16) | low, pos + 2
        if pos + 2 * n > end:
            raise AxmlError("a string runs past its pool")
        return data[pos : pos + 2 * n].decode("utf-16-le", errors="replace")
    except (IndexError, struct.error) as exc:
        raise AxmlError(f"string at offset {pos} is cut short") from exc


def _value(dtype: int, data: int, raw: int, strings: list[str]) -> AttrValue:
    if dtype == TYPE_STRING:
        return _pool_get(strings, data)
    if dtype == TYPE_BOOLEAN:
        return data != 0
    if dtype in (TYPE_INT_DEC, TYPE_INT_HEX):
        return data - (1 << 32) if data & 0x80000000 else data
    if dtype == TYPE_FLOAT:
        return float(struct.unpack("<f", struct.pack("<I", data))[0])
    if dtype == TYPE_REFERENCE:
        return f"@0x{data:08x}"
    if dtype == TYPE_ATTRIBUTE:
        return f"?0x{data:08x}"
    if raw != NO_INDEX:
        return _pool_get(strings, raw)
    return data


def _pool_get(strings: list[str], index: int) -> str:
    if index == NO_INDEX:
        return ""
    if index >= len(strings):
        raise AxmlError(f"string index {index} out of range ({len(strings)} strings)")
    return strings[index]


def parse_axml(data: bytes) -> XmlElement:
    """The root element of a binary XML document.

    Raises:
        AxmlError: not binary XML, a chunk that runs past the end, an
            unbalanced element, or a string index out of range.
    """
    if len(data) < 8:
        raise AxmlError("too short for binary XML")
    kind, header, total = _CHUNK.unpack_from(data, 0)
    if kind != CHUNK_XML or header != 8 or total > len(data):
        raise AxmlError(f"not binary XML (chunk type 0x{kind:04x}, size {total} of {len(data)} bytes)")
    strings: list[str] = []
    res_ids: tuple[int, ...] = ()
    namespaces: dict[str, str] = {}
    stack: list[XmlElement] = []
    root: XmlElement | None = None
    pos = header
    while pos + 8 <= total:
        kind, hsize, size = _CHUNK.unpack_from(data, pos)
        if size < 8 or pos + size > total:
            raise AxmlError(f"chunk 0x{kind:04x} at offset {pos} runs past the end")
        if kind == CHUNK_STRING_POOL:
            strings = string_pool(data, pos, hsize, size)
        elif kind == CHUNK_RESOURCE_MAP:
            res_ids = struct.unpack_from(f"<{(size - hsize) // 4}I", data, pos + hsize)
        elif kind == NODE_START_NS:
            prefix, uri = struct.unpack_from("<II", data, pos + hsize)
            namespaces[_pool_get(strings, uri)] = _pool_get(strings, prefix)
        elif kind == NODE_START:
            element = _start(data, pos, hsize, strings, res_ids, namespaces)
            if stack:
                stack[-1].children.append(element)
            elif root is None:
                root = element
            else:
                raise AxmlError("more than one root element")
            stack.append(element)
        elif kind == NODE_END:
            if not stack:
                raise AxmlError(f"end tag at offset {pos} without a start")
            stack.pop()
        pos += size
    if root is None:
        raise AxmlError("no element in the document")
    if stack:
        raise AxmlError(f"<{stack[-1].tag}> is never closed (document cut short?)")
    return root


def _start(
    data: bytes, pos: int, hsize: int, strings: list[str], res_ids: tuple[int, ...], namespaces: dict[str, str]
) -> XmlElement:
    try:
        (line, _comment) = _NODE.unpack_from(data, pos + 8)
        ext = pos + hsize
        _ns, name, attr_start, attr_size, count, *_ = _START.unpack_from(data, ext)
        element = XmlElement(_pool_get(strings, name), line=line)
        for i in range(count):
            a_ns, a_name, raw, _size, _res0, dtype, value = _ATTR.unpack_from(data, ext + attr_start + i * attr_size)
            key = _attr_name(a_ns, a_name, strings, res_ids, namespaces)
            element.attrs[key] = _value(dtype, value, raw, strings)
    except struct.error as exc:
        raise AxmlError(f"element at offset {pos} is cut short") from exc
    return element


def _attr_name(ns: int, name: int, strings: list[str], res_ids: tuple[int, ...], namespaces: dict[str, str]) -> str:
    known = ANDROID_ATTRS.get(res_ids[name]) if name < len(res_ids) else None
    if known is not None:
        return f"android:{known}"
    bare = _pool_get(strings, name)
    if ns == NO_INDEX:
        return bare
    uri = _pool_get(strings, ns)
    prefix = "android" if uri == ANDROID_NS else namespaces.get(uri, uri)
    return f"{prefix}:{bare}"
