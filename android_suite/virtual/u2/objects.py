"""Selector-based JSON-RPC methods: ``exist``, ``waitForExists``, ``objInfo``, ``count``, ...

Each call looks at the foreground app's current tree. The waits poll the
model until their deadline, as UiObject.waitForExists does on a device;
a missing object in ``objInfo``/``click`` is a UiObjectNotFoundException,
which u2 turns into ``UiObjectNotFoundError``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from android_suite.virtual.u2.hierarchy import Placed, obj_info
from android_suite.virtual.u2.jsonrpc import UI_OBJECT_NOT_FOUND, Method, java_exception
from android_suite.virtual.u2.selector import find_all, find_one

if TYPE_CHECKING:
    from android_suite.virtual.u2.service import AutomatorService

POLL_S = 0.05  # how often waits re-read the model (the device polls its accessibility tree)


def _one(service: AutomatorService, selector: Any) -> Placed | None:
    return find_one(service.snapshot()[1], selector)


def _must(service: AutomatorService, selector: Any) -> Placed:
    found = _one(service, selector)
    if found is None:
        raise java_exception(UI_OBJECT_NOT_FOUND, f"UiSelector{selector!r}")
    return found


async def _wait(service: AutomatorService, selector: Any, timeout_ms: Any, *, present: bool) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(0.0, float(timeout_ms)) / 1000
    while True:
        if (_one(service, selector) is not None) == present:
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(min(POLL_S, max(0.0, deadline - loop.time())))


_CORNERS = {"topleft": (0.0, 0.0), "bottomright": (1.0, 1.0), "center": (0.5, 0.5)}


async def click_selector(service: AutomatorService, selector: Any, corner: Any = "center") -> bool:
    """``click(selector[, corner])``: tap the object (its centre by default)."""
    fx, fy = _CORNERS.get(str(corner).lower(), (0.5, 0.5))
    left, top, right, bottom = _must(service, selector).node.bounds
    service.ui.tap(round(left + (right - left) * fx), round(top + (bottom - top) * fy))
    return True


def methods(service: AutomatorService) -> dict[str, Method]:
    """The selector methods bound to ``service``."""

    async def exist(selector: Any) -> bool:
        return _one(service, selector) is not None

    async def wait_for_exists(selector: Any, timeout_ms: Any = 0) -> bool:
        return await _wait(service, selector, timeout_ms, present=True)

    async def wait_until_gone(selector: Any, timeout_ms: Any = 0) -> bool:
        return await _wait(service, selector, timeout_ms, present=False)

    async def obj_info_(selector: Any) -> dict[str, object]:
        return obj_info(_must(service, selector))

    async def obj_info_all(selector: Any) -> list[dict[str, object]]:
        flat = service.snapshot()[1]
        return [obj_info(flat[i]) for i in find_all(flat, selector)]

    async def count(selector: Any) -> int:
        return len(find_all(service.snapshot()[1], selector))

    async def get_text(selector: Any) -> str:
        return _must(service, selector).node.text

    return {
        "exist": exist,
        "waitForExists": wait_for_exists,
        "waitUntilGone": wait_until_gone,
        "objInfo": obj_info_,
        "objInfoOfAllInstances": obj_info_all,
        "count": count,
        "getText": get_text,
    }
