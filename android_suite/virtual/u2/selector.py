"""UiSelector matching over a flattened view tree (``d(text=...)``, ``d(resourceId=...)``).

u2 sends its ``Selector`` dict as is: the criteria it was built with, a
``mask`` of their bits, and ``childOrSibling``/``childOrSiblingSelector``
for ``.child()``/``.sibling()`` chains. ``*Matches`` criteria are Java
regular expressions matched against the whole value (``String.matches``);
Python's ``re.fullmatch`` agrees on the forms selectors use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from android_suite.virtual.u2.hierarchy import Placed
from android_suite.virtual.u2.jsonrpc import ILLEGAL_ARGUMENT, java_exception

_META = frozenset({"mask", "childOrSibling", "childOrSiblingSelector", "instance"})


def _regex(pattern: object, value: str) -> bool:
    try:
        return re.fullmatch(str(pattern), value) is not None
    except re.error as exc:
        raise java_exception("java.util.regex.PatternSyntaxException", f"{exc}: {pattern}") from exc


def _text(attr: str, test: Callable[[str, str], bool]) -> Callable[[Placed, object], bool]:
    def check(placed: Placed, wanted: object) -> bool:
        value = placed.package if attr == "package" else str(getattr(placed.node, attr))
        return test(value, str(wanted))

    return check


def _flag(name: str) -> Callable[[Placed, object], bool]:
    return lambda placed, wanted: getattr(placed.node, name) == bool(wanted)


def _equals(value: str, wanted: str) -> bool:
    return value == wanted


def _contains(value: str, wanted: str) -> bool:
    return wanted in value


def _starts(value: str, wanted: str) -> bool:
    return value.startswith(wanted)


def _matches(value: str, wanted: str) -> bool:
    return _regex(wanted, value)


_CRITERIA: dict[str, Callable[[Placed, object], bool]] = {
    "text": _text("text", _equals),
    "textContains": _text("text", _contains),
    "textMatches": _text("text", _matches),
    "textStartsWith": _text("text", _starts),
    "className": _text("class_name", _equals),
    "classNameMatches": _text("class_name", _matches),
    "description": _text("content_desc", _equals),
    "descriptionContains": _text("content_desc", _contains),
    "descriptionMatches": _text("content_desc", _matches),
    "descriptionStartsWith": _text("content_desc", _starts),
    "packageName": _text("package", _equals),
    "packageNameMatches": _text("package", _matches),
    "resourceId": _text("resource_id", _equals),
    "resourceIdMatches": _text("resource_id", _matches),
    "index": lambda placed, wanted: placed.index == int(str(wanted)),
    "checkable": _flag("checkable"),
    "checked": _flag("checked"),
    "clickable": _flag("clickable"),
    "longClickable": _flag("long_clickable"),
    "scrollable": _flag("scrollable"),
    "enabled": _flag("enabled"),
    "focusable": _flag("focusable"),
    "focused": _flag("focused"),
    "selected": _flag("selected"),
}


def _check(selector: object) -> Mapping[str, Any]:
    if not isinstance(selector, Mapping):
        raise java_exception(ILLEGAL_ARGUMENT, f"not a selector: {selector!r}")
    unknown = set(selector) - _META - set(_CRITERIA)
    if unknown:
        raise java_exception(ILLEGAL_ARGUMENT, f"unsupported selector fields {sorted(unknown)}")
    return selector


def _hits(flat: list[Placed], scope: range, selector: Mapping[str, Any]) -> list[int]:
    wanted = [(key, value) for key, value in selector.items() if key in _CRITERIA]
    return [i for i in scope if all(_CRITERIA[key](flat[i], value) for key, value in wanted)]


def _subtree(flat: list[Placed], position: int | None) -> range:
    """Positions strictly below ``position`` (the whole tree for None)."""
    if position is None:
        return range(len(flat))
    end = position + 1
    while end < len(flat) and flat[end].depth > flat[position].depth:
        end += 1
    return range(position + 1, end)


def _pick(hits: list[int], selector: Mapping[str, Any]) -> int | None:
    instance = int(selector.get("instance", 0))
    return hits[instance] if 0 <= instance < len(hits) else None


def find_all(flat: list[Placed], selector: object) -> list[int]:
    """Positions in ``flat`` the selector matches (its last ``instance`` not applied)."""
    sel = _check(selector)
    hits = _hits(flat, _subtree(flat, None), sel)
    steps = list(zip(sel.get("childOrSibling") or [], sel.get("childOrSiblingSelector") or [], strict=True))
    for kind, sub_selector in steps:
        base = _pick(hits, sel)
        if base is None:
            return []
        sub = _check(sub_selector)
        if kind == "child":
            scope = _subtree(flat, base)
        elif kind == "sibling":
            scope = _subtree(flat, flat[base].parent)
        else:
            raise java_exception(ILLEGAL_ARGUMENT, f"unknown childOrSibling {kind!r}")
        hits, sel = [i for i in _hits(flat, scope, sub) if i != base], sub
    return hits


def find_one(flat: list[Placed], selector: object) -> Placed | None:
    """The node a UiObject with this selector stands for (``instance`` applied), or None."""
    hits = find_all(flat, selector)
    steps = _check(selector).get("childOrSiblingSelector") or []
    last = _check(steps[-1]) if steps else _check(selector)
    position = _pick(hits, last)
    return None if position is None else flat[position]
