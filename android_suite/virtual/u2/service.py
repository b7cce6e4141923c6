"""The JSON-RPC methods of the u2 server (``AutomatorServiceImpl``) over a :class:`HandsetUi`.

Device-level methods live here; selector-based ones (``exist``, ``objInfo``,
...) in :mod:`android_suite.virtual.u2.objects`. Arguments arrive
positionally, as u2 sends them. Gestures take uiautomator's ``steps``
(about 5 ms each) and hand the framework a duration in seconds.
"""

from __future__ import annotations

import base64
import weakref
from dataclasses import dataclass
from typing import Any

from android_suite.virtual.u2.hierarchy import Placed, flatten, render
from android_suite.virtual.u2.jsonrpc import ILLEGAL_ARGUMENT, Method, java_exception
from android_suite.virtual.u2.keys import KEYCODES
from android_suite.virtual.u2.screenshot import blank_png
from android_suite.virtual.u2.ui import HandsetUi, as_roots

STEP_S = 0.005  # uiautomator throttles each gesture step to 5 ms
ACTION_DOWN, ACTION_UP, ACTION_MOVE = 0, 1, 2


@dataclass
class DisplayState:
    """What the u2 server itself changes on the display (kept across server restarts)."""

    screen_on: bool = True
    rotation: int = 0


_DISPLAYS: weakref.WeakKeyDictionary[object, DisplayState] = weakref.WeakKeyDictionary()


def display_for(handset: object) -> DisplayState:
    state = _DISPLAYS.get(handset)
    if state is None:
        state = _DISPLAYS[handset] = DisplayState()
    return state


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise java_exception(ILLEGAL_ARGUMENT, f"{name} must be a number, got {value!r}")
    return round(value)


class AutomatorService:
    """One running server's methods.

    Args:
        ui: the framework (or its stub).
        sdk_int, product_name, density: what ``deviceInfo`` reports besides the UI state.
        display: screen on/off and rotation.
    """

    def __init__(self, ui: HandsetUi, *, sdk_int: int, product_name: str, density: int, display: DisplayState) -> None:
        self.ui = ui
        self.sdk_int = sdk_int
        self.product_name = product_name
        self.density = density
        self.display = display
        self._touch_down: tuple[int, int] | None = None

    def methods(self) -> dict[str, Method]:
        from android_suite.virtual.u2 import objects

        table: dict[str, Method] = {
            "deviceInfo": self.device_info,
            "click": self.click,
            "swipe": self.swipe,
            "swipePoints": self.swipe_points,
            "drag": self.drag,
            "pressKey": self.press_key,
            "pressKeyCode": self.press_key_code,
            "injectInputEvent": self.inject_input_event,
            "dumpWindowHierarchy": self.dump_window_hierarchy,
            "wakeUp": self.wake_up,
            "sleep": self.sleep,
            "isScreenOn": self.is_screen_on,
            "takeScreenshot": self.take_screenshot,
        }
        table.update(objects.methods(self))
        return table

    def snapshot(self) -> tuple[str, list[Placed]]:
        """The foreground package and its view tree, flattened."""
        package = self.ui.foreground()[0]
        return package, flatten(as_roots(self.ui.ui_tree(package)), package)

    async def device_info(self) -> dict[str, Any]:
        width, height = self.ui.screen_size()
        swap = self.display.rotation % 2 == 1
        return {
            "currentPackageName": self.ui.foreground()[0],
            "displayHeight": width if swap else height,
            "displayRotation": self.display.rotation,
            "displaySizeDpX": round(width * 160 / self.density),
            "displaySizeDpY": round(height * 160 / self.density),
            "displayWidth": height if swap else width,
            "productName": self.product_name,
            "screenOn": self.display.screen_on,
            "sdkInt": self.sdk_int,
            "naturalOrientation": self.display.rotation % 2 == 0,
        }

    async def click(self, *args: Any) -> bool:
        """``click(x, y)``, ``click(x, y, ms)`` (long click), or ``click(selector)``."""
        if args and isinstance(args[0], dict):
            from android_suite.virtual.u2.objects import click_selector

            return await click_selector(self, *args)
        if len(args) not in (2, 3):
            raise java_exception(ILLEGAL_ARGUMENT, f"click{args!r}")
        x, y = _int(args[0], "x"), _int(args[1], "y")
        if len(args) == 3:
            # A long press is a swipe that does not move (what `input swipe x y x y ms` does).
            self.ui.swipe(x, y, x, y, _int(args[2], "duration") / 1000)
        else:
            self.ui.tap(x, y)
        return True

    async def swipe(self, fx: Any, fy: Any, tx: Any, ty: Any, steps: Any) -> bool:
        x1, y1, x2, y2 = (_int(v, "coordinate") for v in (fx, fy, tx, ty))
        self.ui.swipe(x1, y1, x2, y2, max(1, _int(steps, "steps")) * STEP_S)
        return True

    async def swipe_points(self, points: Any, steps: Any) -> bool:
        """``UiDevice.swipe(Point[], segmentSteps)``: one gesture, first point to last."""
        if not isinstance(points, list) or len(points) < 4 or len(points) % 2:
            raise java_exception(ILLEGAL_ARGUMENT, f"points must be x,y pairs: {points!r}")
        coords = [_int(v, "coordinate") for v in points]
        segments = len(coords) // 2 - 1
        # The Protocol's swipe is a straight line: keep the end points and the total duration.
        self.ui.swipe(coords[0], coords[1], coords[-2], coords[-1], segments * max(1, _int(steps, "steps")) * STEP_S)
        return True

    async def drag(self, sx: Any, sy: Any, ex: Any, ey: Any, steps: Any) -> bool:
        return await self.swipe(sx, sy, ex, ey, steps)

    async def press_key(self, key: Any) -> bool:
        name = str(key).lower()
        if name not in KEYCODES:
            return False  # the real server answers false for names it does not know
        self.ui.press_key(name)
        return True

    async def press_key_code(self, code: Any, meta: Any = 0) -> bool:
        self.ui.press_key(_int(code, "keyCode"))
        return True

    async def inject_input_event(self, action: Any, x: Any, y: Any, meta: Any = 0) -> bool:
        """Touch down/move/up from ``d.touch``: a press without movement is a tap, else a swipe."""
        act, px, py = _int(action, "action"), _int(x, "x"), _int(y, "y")
        if act == ACTION_DOWN:
            self._touch_down = (px, py)
        elif act == ACTION_UP:
            start, self._touch_down = self._touch_down, None
            if start is None or start == (px, py):
                self.ui.tap(px, py)
            else:
                self.ui.swipe(start[0], start[1], px, py, 10 * STEP_S)
        elif act != ACTION_MOVE:
            raise java_exception(ILLEGAL_ARGUMENT, f"unsupported MotionEvent action {act}")
        return True

    async def dump_window_hierarchy(
        self, compressed: Any = False, max_depth: Any = 50, root_in_active: Any = None
    ) -> str:
        # compressed (skip layout-only views) and rootInActive (active window only) change
        # nothing here: the model has one window and no layout-only views to skip.
        package = self.ui.foreground()[0]
        roots = as_roots(self.ui.ui_tree(package))
        depth = _int(max_depth, "maxDepth") if max_depth is not None else 50
        return render(roots, package, rotation=self.display.rotation, max_depth=depth)

    async def wake_up(self) -> None:
        self.display.screen_on = True

    async def sleep(self) -> None:
        self.display.screen_on = False

    async def is_screen_on(self) -> bool:
        return self.display.screen_on

    async def take_screenshot(self, scale: Any = 1, quality: Any = 100) -> str:
        factor = float(scale) if isinstance(scale, int | float) and scale > 0 else 1.0
        width, height = self.ui.screen_size()
        png = blank_png(max(1, round(width * factor)), max(1, round(height * factor)))
        return base64.b64encode(png).decode("ascii")
