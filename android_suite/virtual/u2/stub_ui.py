"""A minimal stand-in for the framework model: a launcher grid and one screen per app.

Used by unit tests, and by handsets that have no ``framework`` attached yet.
Enough state for uiautomator2's round trips: a foreground app with a back
stack, HOME returning to the launcher, a tap on a launcher icon starting that
app, and view trees whose text and resource-ids selectors can find.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from android_suite.virtual.u2.ui import UiNode

# Launchers we know the component of; anything else gets AOSP's Quickstep launcher.
_LAUNCHERS = {
    "com.miui.home": "com.miui.home.launcher.Launcher",
    "com.google.android.apps.nexuslauncher": "com.google.android.apps.nexuslauncher.NexusLauncherActivity",
    "com.android.launcher3": "com.android.launcher3.uioverride.QuickstepLauncher",
}
_DEFAULT_LAUNCHER = "com.android.launcher3"
_STATUS_BAR_PX = 110
_ICON_PX = 200
_COLUMNS = 4


def label_for(package: str) -> str:
    """A launcher label: the last package segment, capitalised (com.android.settings -> Settings)."""
    return package.rsplit(".", 1)[-1].capitalize()


@dataclass
class StubUi:
    """Implements :class:`~android_suite.virtual.u2.ui.HandsetUi` with a tiny state machine.

    Attributes:
        width, height: the screen in pixels.
        launcher: the launcher's package.
        apps: packages shown on the launcher, in grid order.
        stack: (package, activity) entries, the focused one last.
        taps, swipes, keys: what was injected, for tests.
    """

    width: int = 1080
    height: int = 2400
    launcher: str = _DEFAULT_LAUNCHER
    apps: tuple[str, ...] = ("com.android.settings",)
    stack: list[tuple[str, str]] = field(default_factory=list)
    taps: list[tuple[int, int]] = field(default_factory=list)
    swipes: list[tuple[int, int, int, int, float]] = field(default_factory=list)
    keys: list[str | int] = field(default_factory=list)

    labels: dict[str, str] = field(default_factory=dict)
    activities: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_profile(cls, profile: object) -> StubUi:
        """Screen size, launcher, apps, labels and activities from a handset profile (duck-typed)."""
        packages = list(getattr(profile, "packages", ()))
        names = [str(getattr(p, "name", p)) for p in packages]
        launcher = next(
            (str(p.name) for p in packages if getattr(p, "category", "") == "launcher"),
            next((n for n in names if n in _LAUNCHERS), _DEFAULT_LAUNCHER),
        )
        apps = tuple(n for n in names if n != launcher and n != "com.android.systemui")
        return cls(
            width=int(getattr(profile, "screen_width", 1080)),
            height=int(getattr(profile, "screen_height", 2400)),
            launcher=launcher,
            apps=apps or ("com.android.settings",),
            labels={str(p.name): str(p.label) for p in packages if getattr(p, "label", "")},
            activities={str(p.name): str(p.activity) for p in packages if getattr(p, "activity", "")},
        )

    def label(self, package: str) -> str:
        return self.labels.get(package) or label_for(package)

    def _home(self) -> tuple[str, str]:
        activity = self.activities.get(self.launcher) or _LAUNCHERS.get(self.launcher)
        return (self.launcher, activity or _LAUNCHERS[_DEFAULT_LAUNCHER])

    def foreground(self) -> tuple[str, str]:
        return self.stack[-1] if self.stack else self._home()

    def launch(self, package: str, activity: str | None = None) -> bool:
        if package == self.launcher:
            self.stack.clear()
            return True
        if activity is None:
            activity = self.activities.get(package) or f"{package}.MainActivity"
        elif activity.startswith("."):
            activity = package + activity
        self.stack = [entry for entry in self.stack if entry[0] != package]
        self.stack.append((package, activity))
        return True

    def press_key(self, name_or_code: str | int) -> bool:
        self.keys.append(name_or_code)
        if name_or_code in ("home", 3):
            self.stack.clear()
        elif name_or_code in ("back", 4) and self.stack:
            self.stack.pop()
        return True

    def tap(self, x: int, y: int) -> bool:
        self.taps.append((x, y))
        if self.stack:
            return True
        for package, bounds in self._icons():
            left, top, right, bottom = bounds
            if left <= x < right and top <= y < bottom:
                self.launch(package)
                break
        return True

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_s: float) -> bool:
        self.swipes.append((x1, y1, x2, y2, duration_s))
        return True

    def screen_size(self) -> tuple[int, int]:
        return (self.width, self.height)

    def _icons(self) -> list[tuple[str, tuple[int, int, int, int]]]:
        cell = self.width // _COLUMNS
        icons = []
        for i, package in enumerate(self.apps):
            row, col = divmod(i, _COLUMNS)
            left, top = col * cell + (cell - _ICON_PX) // 2, _STATUS_BAR_PX + 300 + row * (_ICON_PX + 80)
            icons.append((package, (left, top, left + _ICON_PX, top + _ICON_PX)))
        return icons

    def ui_tree(self, package: str) -> UiNode:
        screen = (0, 0, self.width, self.height)
        if package == self.launcher:
            icons = tuple(
                UiNode(
                    "android.widget.TextView",
                    text=self.label(app),
                    content_desc=self.label(app),
                    bounds=bounds,
                    clickable=True,
                    focusable=True,
                    long_clickable=True,
                )
                for app, bounds in self._icons()
            )
            workspace = UiNode(
                "android.widget.FrameLayout",
                resource_id=f"{package}:id/workspace",
                bounds=(0, _STATUS_BAR_PX, self.width, self.height),
                scrollable=True,
                children=icons,
            )
            return UiNode("android.widget.FrameLayout", bounds=screen, children=(workspace,))
        body = (0, _STATUS_BAR_PX, self.width, self.height)
        title = UiNode(
            "android.widget.TextView",
            text=self.label(package),
            resource_id=f"{package}:id/title",
            bounds=(48, _STATUS_BAR_PX + 40, self.width - 48, _STATUS_BAR_PX + 160),
        )
        button = UiNode(
            "android.widget.Button",
            text="OK",
            resource_id=f"{package}:id/button1",
            bounds=(48, _STATUS_BAR_PX + 220, self.width // 2, _STATUS_BAR_PX + 340),
            clickable=True,
            focusable=True,
        )
        content = UiNode(
            "android.widget.LinearLayout",
            resource_id="android:id/content",
            bounds=body,
            children=(title, button),
        )
        return UiNode("android.widget.FrameLayout", bounds=screen, children=(content,))
