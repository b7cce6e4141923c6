"""Key names the u2 server's ``pressKey`` accepts, and their Android keycodes.

Names are uiautomator2's (``d.press("home")``); codes are
``android.view.KeyEvent.KEYCODE_*``. The server answers ``false`` for a
name it does not know, like the real one.
"""

from __future__ import annotations

KEYCODES: dict[str, int] = {
    "home": 3,
    "back": 4,
    "up": 19,
    "down": 20,
    "left": 21,
    "right": 22,
    "center": 23,
    "volume_up": 24,
    "volume_down": 25,
    "power": 26,
    "camera": 27,
    "enter": 66,
    "delete": 67,
    "del": 67,
    "menu": 82,
    "search": 84,
    "volume_mute": 164,
    "recent": 187,  # KEYCODE_APP_SWITCH
}
