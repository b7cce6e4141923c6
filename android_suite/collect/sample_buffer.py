"""The bounded hand-off between a sampler's reader thread and its consumers."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

from android_suite.collect.sampler_types import Sample


class SampleBuffer:
    """FIFO of samples; ``get`` blocks until one comes or the producer has closed.

    Args:
        maxlen: samples held before :meth:`put` waits (back-pressure, never loss).
        clock: monotonic clock for ``get`` timeouts.
    """

    def __init__(self, maxlen: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: collections.deque[Sample] = collections.deque()
        self._maxlen = maxlen
        self._clock = clock
        self._cond = threading.Condition()
        self._closed = False

    def put(self, sample: Sample, wait_if_full: Callable[[], bool], poll_s: float) -> None:
        """Append ``sample``; while full, wait as long as ``wait_if_full()`` says so.

        The producer stops waiting once it is asked to stop: from then on the
        buffer grows past ``maxlen`` rather than lose what was already read.
        """
        with self._cond:
            while len(self._items) >= self._maxlen and wait_if_full():
                self._cond.wait(poll_s)
            self._items.append(sample)
            self._cond.notify_all()

    def close(self) -> None:
        """The producer is done: ``get`` returns None once the buffer is empty."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def get(self, timeout: float | None = None) -> Sample | None:
        """The oldest sample; None after ``timeout`` s, or when closed and empty."""
        deadline = None if timeout is None else self._clock() + timeout
        with self._cond:
            while not self._items:
                if self._closed:
                    return None
                left = 1.0 if deadline is None else deadline - self._clock()
                if left <= 0:
                    return None
                self._cond.wait(left)
            sample = self._items.popleft()
            self._cond.notify_all()
            return sample

    def drain(self) -> list[Sample]:
        """Everything held now, without waiting."""
        with self._cond:
            out = list(self._items)
            self._items.clear()
            self._cond.notify_all()
            return out
