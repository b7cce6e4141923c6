"""Pure parsers for ``aapt dump badging`` and ``aapt dump xmltree ... AndroidManifest.xml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from android_suite.errors import ParseError

_QUOTED = re.compile(r"(\w[\w-]*)='([^']*)'")
_ELEMENT = re.compile(r"^(\s*)E: ([\w:.-]+)")
_ATTR = re.compile(r"^\s*A: ([\w:.-]+)(?:\(0x[0-9a-f]+\))?=(.*)$")


@dataclass(frozen=True)
class Badging:
    package: str
    version_code: str
    sdk_version: str | None
    target_sdk_version: str | None
    label: str | None
    launchable_activity: str | None
    native_code: tuple[str, ...]


def parse_badging(text: str) -> Badging:
    """The fields of ``aapt dump badging`` that the checks use.

    Raises:
        ParseError: no ``package:`` line.
    """
    values: dict[str, str] = {}
    package: dict[str, str] = {}
    activity: dict[str, str] = {}
    native: tuple[str, ...] = ()
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key == "package":
            package = dict(_QUOTED.findall(rest))
        elif key == "launchable-activity":
            activity = dict(_QUOTED.findall(rest))
        elif key == "native-code":
            native = tuple(re.findall(r"'([^']*)'", rest))
        elif key in ("sdkVersion", "targetSdkVersion", "application-label"):
            values[key] = rest.strip().strip("'")
    if "name" not in package:
        raise ParseError("aapt badging", "no package: line")
    return Badging(
        package["name"],
        package.get("versionCode", ""),
        values.get("sdkVersion"),
        values.get("targetSdkVersion"),
        values.get("application-label"),
        activity.get("name"),
        native,
    )


@dataclass
class XmlElement:
    name: str
    depth: int
    attrs: dict[str, str] = field(default_factory=dict)


def parse_xmltree(text: str) -> list[XmlElement]:
    """Elements in document order with their attributes' values.

    A raw string comes out unquoted (``"asuiteapp"`` -> ``asuiteapp``), a typed
    value as aapt prints it (``(type 0x12)0x0`` for false).
    """
    out: list[XmlElement] = []
    for line in text.splitlines():
        if m := _ELEMENT.match(line):
            out.append(XmlElement(m.group(2), len(m.group(1))))
        elif (a := _ATTR.match(line)) and out:
            value = a.group(2)
            raw = re.match(r'^"(.*)" \(Raw: ', value)
            out[-1].attrs[a.group(1)] = raw.group(1) if raw else value
    return out


def is_false(value: str | None) -> bool:
    """aapt's rendering of a boolean attribute set to false: ``(type 0x12)0x0``."""
    return value is not None and value.replace(" ", "") == "(type0x12)0x0"
