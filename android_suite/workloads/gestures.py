"""An app visit's interactions: uiautomator2 swipes and taps, or ``input swipe`` without u2.

Split out of the runner so that it stays about scheduling and recovery.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from android_suite.device.device import Device


class Swiper(Protocol):
    def swipe(self, fx: float, fy: float, tx: float, ty: float, duration: float) -> Any: ...


_STROKES = {
    "up": (0.5, 0.75, 0.5, 0.3),
    "down": (0.5, 0.3, 0.5, 0.75),
    "left": (0.8, 0.5, 0.2, 0.5),
    "right": (0.2, 0.5, 0.8, 0.5),
}


@dataclass(frozen=True)
class Swipe:
    kind: str = "swipe"
    count: int = 1
    duration_ms: int = 300
    direction: str = "up"


def dwell(
    device: Device,
    swiper: Swiper | None,
    interactions: tuple[Any, ...],
    *,
    dwell_s: float,
    swipes: int,
    timeout: float,
    stop: threading.Event,
) -> None:
    """Keep the app in front for ``dwell_s``, doing its interactions (the workload's own duration)."""
    deadline = time.monotonic() + dwell_s
    gestures = interactions or tuple(Swipe() for _ in range(swipes))
    for gesture in gestures:
        for _ in range(getattr(gesture, "count", 1)):
            if time.monotonic() >= deadline or stop.is_set():
                break
            _gesture(device, swiper, gesture, timeout)
    # Dwell is part of the workload, not a synchronisation: wait out what is left of it
    # (an interrupt ends the wait at once).
    stop.wait(max(0.0, deadline - time.monotonic()))


def _gesture(device: Device, swiper: Swiper | None, g: Any, timeout: float) -> None:
    kind = getattr(g, "kind", "swipe")
    seconds = getattr(g, "duration_ms", 300) / 1000
    if kind == "tap_text":
        if swiper is not None and getattr(g, "text", None):
            swiper(text=g.text).click_exists(timeout=1.0)  # type: ignore[operator]
        return
    # Screen fractions: the finger moves in `direction` ("up" reveals what is below).
    fx, fy, tx, ty = _STROKES.get(getattr(g, "direction", None) or "up", _STROKES["up"])
    if swiper is not None:
        swiper.swipe(fx, fy, tx, ty, seconds)
    else:
        w, h = 1080, 2400
        argv = ["input", "swipe", *(str(int(v)) for v in (fx * w, fy * h, tx * w, ty * h)), str(int(seconds * 1000))]
        device.shell(argv, timeout=timeout, check=False)
