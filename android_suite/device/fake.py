"""A strict, scripted :class:`Transport` for unit tests.

Every operation must be scripted in advance; anything else fails loudly with
the list of what *was* expected, so a test cannot pass by accident because a
fake quietly answered "". Replies are consumed in order, per command, and
:meth:`FakeTransport.assert_all_consumed` (call it at teardown) catches
scripted replies the code under test never asked for.

No adbutils here: the fake stands in for ``device/adb.py``, not beside it.
"""

from __future__ import annotations

import shlex
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from android_suite.device.transport import ShellResult
from android_suite.errors import DeviceTimeoutError


class UnexpectedCall(AssertionError):
    """The code under test did something the test did not script."""


@dataclass(frozen=True)
class Call:
    """One recorded operation: "run", "stream", "push", "pull", "reboot" or "state"."""

    op: str
    args: tuple[str, ...]


class FakeShellStream:
    """A scripted ``ShellStream``: hands out ``chunks`` in order, then ends as told.

    An exception among the chunks is raised by the ``read`` that reaches it
    (a ``DeviceTimeoutError`` for a quiet spell, ``DeviceDisconnectedError``
    for a drop). After the chunks, ``end`` decides: an int is the exit status
    (``read`` returns ``b""``), an exception is raised (a drop), and None keeps
    the stream open and silent: each ``read`` then waits up to its timeout for
    :meth:`close` and raises ``DeviceTimeoutError``, like a real idle stream.
    """

    def __init__(
        self,
        chunks: Iterable[bytes | BaseException],
        *,
        end: int | BaseException | None = 0,
        stderr: bytes = b"",
        v2: bool = True,
    ) -> None:
        self._chunks: deque[bytes | BaseException] = deque(chunks)
        self._end = end
        self._stderr = stderr
        self._v2 = v2
        self._exit: int | None = None
        self._closed = threading.Event()
        self.reads = 0

    @property
    def v2(self) -> bool:
        return self._v2

    @property
    def exit_code(self) -> int | None:
        return self._exit

    @property
    def stderr(self) -> bytes:
        return self._stderr if self._v2 and self._exit is not None else b""

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def read(self, max_bytes: int = 65536, timeout: float = 1.0) -> bytes:
        self.reads += 1
        if self._chunks:
            item = self._chunks.popleft()
            if isinstance(item, BaseException):
                raise item
            if len(item) > max_bytes:
                self._chunks.appendleft(item[max_bytes:])
            return item[:max_bytes]
        if self._closed.is_set():
            return b""
        if isinstance(self._end, BaseException):
            raise self._end
        if self._end is None:
            self._closed.wait(timeout)  # block like a quiet socket, not spin
            if self._closed.is_set():
                return b""
            raise DeviceTimeoutError(f"no output within {timeout:g} s (scripted idle stream)")
        self._exit = self._end if self._v2 else None
        return b""

    def close(self) -> None:
        self._closed.set()

    def __enter__(self) -> FakeShellStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_Reply = ShellResult | BaseException | str | bytes | FakeShellStream | None


class FakeTransport:
    """Scripted transport. See the module docstring."""

    def __init__(self, serial: str = "FAKE0001", *, features: Iterable[str] = ("shell_v2", "cmd")) -> None:
        self._serial = serial
        self._features = frozenset(features)
        self._replies: dict[tuple[str, ...], deque[_Reply]] = {}
        self.calls: list[Call] = []

    @property
    def serial(self) -> str:
        return self._serial

    # -- scripting -----------------------------------------------------------------

    def _add(self, key: tuple[str, ...], reply: _Reply) -> None:
        self._replies.setdefault(key, deque()).append(reply)

    def expect(
        self,
        argv: Sequence[str],
        stdout: str = "",
        *,
        exit_code: int = 0,
        stderr: str = "",
        raises: BaseException | None = None,
        times: int = 1,
    ) -> FakeTransport:
        """Script ``times`` replies to ``run(argv)``: a result, or ``raises``."""
        key = ("run", *argv)
        for _ in range(times):
            v2 = "shell_v2" in self._features
            reply: _Reply = raises or ShellResult(tuple(argv), exit_code, stdout, stderr if v2 else "", 0.0, v2)
            self._add(key, reply)
        return self

    def expect_stream(self, argv: Sequence[str], stream: FakeShellStream | BaseException) -> FakeTransport:
        """Script one ``open_shell_stream(argv)``: the stream it returns, or the error it raises."""
        self._add(("stream", *argv), stream)
        return self

    def expect_state(self, *states: str | BaseException) -> FakeTransport:
        """Script successive replies to ``state()``."""
        for s in states:
            self._add(("state",), s)
        return self

    def expect_reboot(self, target: str = "", raises: BaseException | None = None) -> FakeTransport:
        """Script one ``reboot(target)``."""
        self._add(("reboot", target), raises)
        return self

    def expect_push(self, remote: str, raises: BaseException | None = None) -> FakeTransport:
        """Script one ``push(..., remote)``; it reports the local file's size."""
        self._add(("push", remote), raises)
        return self

    def expect_pull(self, remote: str, content: bytes | BaseException) -> FakeTransport:
        """Script one ``pull(remote, ...)`` that writes ``content`` locally."""
        self._add(("pull", remote), content)
        return self

    def assert_all_consumed(self) -> None:
        """Fail if any scripted reply was never used."""
        left = {shlex.join(k): len(q) for k, q in self._replies.items() if q}
        if left:
            raise AssertionError(f"scripted but never called: {left}")

    # -- Transport -------------------------------------------------------------------

    def _take(self, key: tuple[str, ...]) -> _Reply:
        self.calls.append(Call(key[0], key[1:]))
        queue = self._replies.get(key)
        if not queue:
            expected = sorted(shlex.join(k) for k, q in self._replies.items() if q)
            raise UnexpectedCall(f"unscripted {shlex.join(key)!r}; still expected: {expected or 'nothing'}")
        reply = queue.popleft()
        if isinstance(reply, BaseException):
            raise reply
        return reply

    def run(self, argv: Sequence[str], timeout: float) -> ShellResult:
        if isinstance(argv, str):
            raise TypeError("argv must be a list of words, not a shell string")
        reply = self._take(("run", *argv))
        assert isinstance(reply, ShellResult)
        return reply

    def open_shell_stream(self, argv: Sequence[str], connect_timeout: float) -> FakeShellStream:
        if isinstance(argv, str):
            raise TypeError("argv must be a list of words, not a shell string")
        reply = self._take(("stream", *argv))
        assert isinstance(reply, FakeShellStream)
        return reply

    def push(self, local: Path, remote: str, timeout: float) -> int:
        self._take(("push", remote))
        return Path(local).stat().st_size

    def pull(self, remote: str, local: Path, timeout: float) -> int:
        content = self._take(("pull", remote))
        assert isinstance(content, bytes)
        Path(local).write_bytes(content)
        return len(content)

    def reboot(self, target: str, timeout: float) -> None:
        self._take(("reboot", target))

    def features(self) -> frozenset[str]:
        return self._features

    def state(self, timeout: float) -> str:
        reply = self._take(("state",))
        assert isinstance(reply, str)
        return reply


class FakeClock:
    """A monotonic clock that moves only when the code under test sleeps.

    Pass ``Poller(clock=clock, sleep=clock.sleep)`` so waits run instantly
    and tests can assert how long the code *would* have waited.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.001)  # never stand still, or a buggy loop would spin forever
