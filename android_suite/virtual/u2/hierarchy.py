"""View trees as uiautomator shows them: the dump XML and ``objInfo`` records.

The dump follows androidx.test.uiautomator's AccessibilityNodeInfoDumper
(which the u2 jar bundles): an XML declaration, ``<hierarchy rotation="N">``
and one indented ``<node>`` per view with its attributes in the dumper's
order. u2 reads it with lxml (``d.xpath``) and treats ``<hierarchy
rotation="0" />`` as an empty dump, so a tree always has at least one node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from android_suite.virtual.u2.ui import FLAGS, UiNode

_XML_DECL = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"
# Characters XML 1.0 cannot carry even escaped; the dumper drops them too.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Placed:
    """A node with where it sits: its package, sibling index, parent and depth."""

    node: UiNode
    package: str
    index: int
    parent: int | None  # position of the parent in the flat list
    depth: int


def flatten(roots: list[UiNode], package: str) -> list[Placed]:
    """Every node in document (pre-)order; root windows get index 0, 1, ..."""
    out: list[Placed] = []

    def walk(node: UiNode, index: int, parent: int | None, depth: int) -> None:
        here = len(out)
        out.append(Placed(node, node.package or package, index, parent, depth))
        for i, child in enumerate(node.children):
            walk(child, i, here, depth + 1)

    for i, root in enumerate(roots):
        walk(root, i, None, 0)
    return out


def bounds_text(bounds: tuple[int, int, int, int]) -> str:
    left, top, right, bottom = bounds
    return f"[{left},{top}][{right},{bottom}]"


def _attr(value: str) -> str:
    return escape(_INVALID_XML.sub("", value), {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _attributes(node: UiNode, package: str, index: int) -> str:
    pairs = [
        ("index", str(index)),
        ("text", node.text),
        ("resource-id", node.resource_id),
        ("class", node.class_name),
        ("package", node.package or package),
        ("content-desc", node.content_desc),
        *((flag, "true" if node.flag(flag) else "false") for flag in FLAGS),
        ("visible-to-user", "true"),
        ("bounds", bounds_text(node.bounds)),
        ("drawing-order", str(index + 1)),
        ("hint", ""),
        ("display-id", "0"),
    ]
    return " ".join(f'{name}="{_attr(value)}"' for name, value in pairs)


def render(roots: list[UiNode], package: str, *, rotation: int = 0, max_depth: int = 50) -> str:
    """The ``dumpWindowHierarchy`` XML for ``roots`` (nodes deeper than ``max_depth`` are left out)."""
    lines = [_XML_DECL, f'<hierarchy rotation="{rotation}">']

    def emit(node: UiNode, index: int, depth: int) -> None:
        pad = "  " * (depth + 1)
        children = node.children if depth + 1 < max_depth else ()
        if not children:
            lines.append(f"{pad}<node {_attributes(node, package, index)} />")
            return
        lines.append(f"{pad}<node {_attributes(node, package, index)}>")
        for i, child in enumerate(children):
            emit(child, i, depth + 1)
        lines.append(f"{pad}</node>")

    for i, root in enumerate(roots):
        emit(root, i, 0)
    lines.append("</hierarchy>")
    # The declaration line ends in CRLF on devices; the rest uses LF.
    return lines[0] + "\r\n" + "\n".join(lines[1:])


def _rect(bounds: tuple[int, int, int, int]) -> dict[str, int]:
    left, top, right, bottom = bounds
    return {"left": left, "top": top, "right": right, "bottom": bottom}


def obj_info(placed: Placed) -> dict[str, object]:
    """The ``objInfo`` record (u2's ``UiObject.info``) of one node."""
    node = placed.node
    return {
        "bounds": _rect(node.bounds),
        "checkable": node.checkable,
        "checked": node.checked,
        "childCount": len(node.children),
        "className": node.class_name,
        "clickable": node.clickable,
        "contentDescription": node.content_desc or None,
        "enabled": node.enabled,
        "focusable": node.focusable,
        "focused": node.focused,
        "longClickable": node.long_clickable,
        "packageName": placed.package,
        "resourceName": node.resource_id or None,
        "scrollable": node.scrollable,
        "selected": node.selected,
        "text": node.text,
        "visibleBounds": _rect(node.bounds),
    }
