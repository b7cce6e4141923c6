"""Key codes and gestures: what ``input`` and the u2 server's pressKey/swipe turn into."""

from __future__ import annotations

import math
from dataclasses import dataclass

# android.view.KeyEvent codes for the keys tools send (uiautomator2 pressKey names included).
KEYCODES = {
    "HOME": 3, "BACK": 4, "CALL": 5, "ENDCALL": 6, "DPAD_UP": 19, "DPAD_DOWN": 20, "DPAD_LEFT": 21,
    "DPAD_RIGHT": 22, "DPAD_CENTER": 23, "VOLUME_UP": 24, "VOLUME_DOWN": 25, "POWER": 26, "CAMERA": 27,
    "TAB": 61, "SPACE": 62, "ENTER": 66, "DEL": 67, "MENU": 82, "SEARCH": 84, "MEDIA_PLAY_PAUSE": 85,
    "VOLUME_MUTE": 164, "APP_SWITCH": 187, "SLEEP": 223, "WAKEUP": 224,
}  # fmt: skip
ALIASES = {"DELETE": "DEL", "RECENT": "APP_SWITCH", "CENTER": "DPAD_CENTER", "UP": "DPAD_UP",
           "DOWN": "DPAD_DOWN", "LEFT": "DPAD_LEFT", "RIGHT": "DPAD_RIGHT"}  # fmt: skip
FLING_FRAMES = 30  # a released list keeps scrolling for about half a second
REFRESH_HZ = 60


def keycode(key: str | int) -> int:
    """``"KEYCODE_HOME"``, ``"home"``, ``"3"`` or ``3`` -> 3; ValueError for anything else."""
    if isinstance(key, int):
        return key
    text = key.strip()
    if text.isdigit():
        return int(text)
    name = text.upper().removeprefix("KEYCODE_")
    name = ALIASES.get(name, name)
    if name not in KEYCODES:
        raise ValueError(f"Unknown keycode: {key}")
    return KEYCODES[name]


@dataclass(frozen=True)
class Interaction:
    """How many frames a gesture makes the foreground app render."""

    frames: int
    input_frames: int  # frames driven by touch events (the rest is animation or fling)


def plan_swipe(x1: int, y1: int, x2: int, y2: int, duration_s: float) -> Interaction:
    """A drag renders every vsync while the finger moves, then a fling if it was fast."""
    moving = max(2, math.ceil(max(0.0, duration_s) * REFRESH_HZ))
    speed = math.hypot(x2 - x1, y2 - y1) / max(duration_s, 1 / REFRESH_HZ)
    fling = FLING_FRAMES if speed > 1000 else 0  # px/s; ViewConfiguration's min fling is far lower
    return Interaction(moving + fling, moving)
