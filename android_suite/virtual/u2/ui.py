"""What the uiautomator2 server needs from the handset's Android framework model.

The framework model (``android_suite/virtual/framework/``, written separately)
is attached to a handset as ``handset.framework``. The server codes against
:class:`HandsetUi` only; until a framework is attached, :func:`ui_for` gives
each handset its own :class:`~android_suite.virtual.u2.stub_ui.StubUi`.

``ui_tree`` results are read through :func:`as_node`, which accepts our
:class:`UiNode`, a mapping with the dump's attribute names (``class``,
``resource-id``, ``content-desc``, ...) or any object with the snake_case
attribute names, so the two sides need not share a node class.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

Bounds = tuple[int, int, int, int]  # left, top, right, bottom (screen pixels)

# Boolean node attributes as they appear in a uiautomator dump.
FLAGS = (
    "checkable",
    "checked",
    "clickable",
    "enabled",
    "focusable",
    "focused",
    "scrollable",
    "long-clickable",
    "password",
    "selected",
)


class HandsetUi(Protocol):
    """The Android framework as the uiautomator2 server sees it."""

    def foreground(self) -> tuple[str, str]:
        """(package, activity) of the focused app."""
        ...

    def launch(self, package: str, activity: str | None = None) -> object: ...

    def press_key(self, name_or_code: str | int) -> object:
        """A key by lower-case uiautomator name ("home", "back", ...) or Android keycode."""
        ...

    def tap(self, x: int, y: int) -> object: ...

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_s: float) -> object: ...

    def screen_size(self) -> tuple[int, int]:
        """(width, height) in pixels, natural orientation."""
        ...

    def ui_tree(self, package: str) -> object:
        """The view tree of ``package``: one root node or a sequence of roots (see :func:`as_node`)."""
        ...


@dataclass(frozen=True)
class UiNode:
    """One view, with the attributes a uiautomator dump shows."""

    class_name: str
    text: str = ""
    resource_id: str = ""
    bounds: Bounds = (0, 0, 0, 0)
    content_desc: str = ""
    package: str = ""  # empty: the package whose tree this is
    checkable: bool = False
    checked: bool = False
    clickable: bool = False
    enabled: bool = True
    focusable: bool = False
    focused: bool = False
    scrollable: bool = False
    long_clickable: bool = False
    password: bool = False
    selected: bool = False
    children: tuple[UiNode, ...] = ()

    def flag(self, name: str) -> bool:
        """A boolean attribute by its dump name (``long-clickable``)."""
        return bool(getattr(self, name.replace("-", "_")))


def _get(obj: object, *names: str) -> Any:
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return None


def _bounds(value: object) -> Bounds:
    if value is None:
        return (0, 0, 0, 0)
    if isinstance(value, str):  # "[l,t][r,b]"
        numbers = [int(n) for n in value.replace("][", ",").strip("[]").split(",")]
    elif isinstance(value, Mapping):
        numbers = [int(value[k]) for k in ("left", "top", "right", "bottom")]
    else:
        numbers = [int(n) for n in cast(Iterable[Any], value)]
    if len(numbers) != 4:
        raise ValueError(f"bounds need 4 numbers, got {value!r}")
    return (numbers[0], numbers[1], numbers[2], numbers[3])


def as_node(obj: object) -> UiNode:
    """Read one node (and its subtree) from whatever the framework returned."""
    if isinstance(obj, UiNode):
        return obj
    class_name = _get(obj, "class_name", "class", "className", "cls")
    if not class_name:
        raise ValueError(f"ui node without a class name: {obj!r}")
    flags = {}
    for name in FLAGS:
        value = _get(obj, name.replace("-", "_"), name)
        if value is not None:
            flags[name.replace("-", "_")] = bool(value)
    children = _get(obj, "children") or ()
    return UiNode(
        class_name=str(class_name),
        text=str(_get(obj, "text") or ""),
        resource_id=str(_get(obj, "resource_id", "resource-id", "resourceId") or ""),
        bounds=_bounds(_get(obj, "bounds")),
        content_desc=str(_get(obj, "content_desc", "content-desc", "description") or ""),
        package=str(_get(obj, "package", "package_name") or ""),
        children=tuple(as_node(child) for child in children),
        **flags,
    )


def _nest(items: Sequence[object]) -> list[UiNode]:
    """Nodes in document order with a ``depth`` (0 = a window root) -> nested trees."""
    roots: list[tuple[UiNode, list[Any]]] = []
    stack: list[tuple[UiNode, list[Any]]] = []
    for item in items:
        depth = int(_get(item, "depth"))
        if depth > len(stack):
            raise ValueError(f"ui node at depth {depth} has no parent at depth {depth - 1}: {item!r}")
        del stack[depth:]
        entry: tuple[UiNode, list[Any]] = (as_node(item), [])
        (stack[-1][1] if stack else roots).append(entry)
        stack.append(entry)

    def build(entry: tuple[UiNode, list[Any]]) -> UiNode:
        node, children = entry
        return dataclasses.replace(node, children=node.children + tuple(build(c) for c in children))

    return [build(root) for root in roots]


def as_roots(tree: object) -> list[UiNode]:
    """``ui_tree``'s result as a list of window roots.

    Accepts one root node, a sequence of roots (nested through ``children``),
    or a flat sequence in document order whose nodes carry a ``depth``.
    """
    if tree is None:
        return []
    if isinstance(tree, Sequence) and not isinstance(tree, str | bytes):
        if tree and all(_get(item, "depth") is not None for item in tree):
            return _nest(tree)
        return [as_node(node) for node in tree]
    return [as_node(tree)]


_STUBS: weakref.WeakKeyDictionary[object, HandsetUi] = weakref.WeakKeyDictionary()


def ui_for(handset: object) -> HandsetUi:
    """The handset's framework model if attached, else its (lasting) stub."""
    framework = getattr(handset, "framework", None)
    if framework is not None:
        return cast(HandsetUi, framework)
    stub = _STUBS.get(handset)
    if stub is None:
        from android_suite.virtual.u2.stub_ui import StubUi

        profile = getattr(handset, "profile", None)
        stub = StubUi.for_profile(profile) if profile is not None else StubUi()
        _STUBS[handset] = stub
    return stub
