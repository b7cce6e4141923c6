"""Plausible view hierarchies for the foreground app, for the uiautomator2 server.

The home screen is a grid of launcher icons (TextViews labelled with the app
names, as Launcher3's BubbleTextView appears to uiautomator); an app shows a
toolbar with its label and a scrollable feed. Nodes come in document order
with their depth, so a server can nest them into uiautomator's XML.
"""

from __future__ import annotations

from dataclasses import dataclass

from android_suite.virtual.framework.apps import App

GRID_COLUMNS = 4
STATUS_BAR_PX = 110
FEED_ITEMS = 8


@dataclass(frozen=True)
class UiNode:
    """One view as uiautomator dumps it."""

    depth: int  # 0 = the window's root
    class_name: str
    package: str
    bounds: tuple[int, int, int, int]  # left, top, right, bottom in px
    text: str = ""
    resource_id: str = ""
    content_desc: str = ""
    clickable: bool = False
    scrollable: bool = False

    @property
    def center(self) -> tuple[int, int]:
        left, top, right, bottom = self.bounds
        return (left + right) // 2, (top + bottom) // 2

    def contains(self, x: int, y: int) -> bool:
        left, top, right, bottom = self.bounds
        return left <= x < right and top <= y < bottom


def home_screen(launcher: App, apps: list[App], width: int, height: int) -> list[UiNode]:
    """The launcher's workspace: one icon per launchable app, in rows of four."""
    pkg = launcher.name
    nodes = [
        UiNode(0, "android.widget.FrameLayout", pkg, (0, 0, width, height)),
        UiNode(1, "android.view.ViewGroup", pkg, (0, STATUS_BAR_PX, width, height), resource_id=f"{pkg}:id/workspace"),
    ]
    cell_w, cell_h = width // GRID_COLUMNS, int(width / GRID_COLUMNS * 1.15)
    for i, app in enumerate(a for a in apps if a.launchable and a.name != pkg):
        row, col = divmod(i, GRID_COLUMNS)
        left, top = col * cell_w, STATUS_BAR_PX + 60 + row * cell_h
        nodes.append(
            UiNode(
                2,
                "android.widget.TextView",
                pkg,
                (left, top, left + cell_w, top + cell_h),
                text=app.label,
                resource_id=f"{pkg}:id/icon",
                content_desc=app.label,
                clickable=True,
            )
        )
    return nodes


def app_screen(app: App, width: int, height: int) -> list[UiNode]:
    """A toolbar and a scrollable list of feed items."""
    pkg = app.name
    bar_bottom = STATUS_BAR_PX + 160
    item_h = (height - bar_bottom) // (FEED_ITEMS - 2)
    nodes = [
        UiNode(0, "android.widget.FrameLayout", pkg, (0, 0, width, height)),
        UiNode(
            1, "android.view.ViewGroup", pkg, (0, STATUS_BAR_PX, width, bar_bottom), resource_id=f"{pkg}:id/toolbar"
        ),
        UiNode(
            2, "android.widget.TextView", pkg, (48, STATUS_BAR_PX + 40, width - 48, bar_bottom - 40), text=app.label
        ),
        UiNode(
            1,
            "androidx.recyclerview.widget.RecyclerView",
            pkg,
            (0, bar_bottom, width, height),
            resource_id=f"{pkg}:id/list",
            scrollable=True,
        ),
    ]
    for i in range(FEED_ITEMS):
        top = bar_bottom + i * item_h
        bottom = min(height, top + item_h)
        if top >= height:
            break
        nodes.append(
            UiNode(
                2,
                "android.widget.LinearLayout",
                pkg,
                (0, top, width, bottom),
                resource_id=f"{pkg}:id/item",
                clickable=True,
            )
        )
        nodes.append(
            UiNode(
                3,
                "android.widget.TextView",
                pkg,
                (48, top + 24, width - 48, bottom - 24),
                text=f"{app.label} item {i + 1}",
                resource_id=f"{pkg}:id/title",
            )
        )
    return nodes
