"""Kernel knobs (sysctls, sysfs attributes): write, verify, restore.

The devlib pattern (``write_value(verify=True)``; restore in ``finally``):
each write is ``echo VALUE > PATH`` inside ``sh -c`` (both words quoted with
shlex), followed in the same call by a read-back; the first write of a path
also reads its original value, so :meth:`KnobWriter.restore` can put it back.

Restoring writes back what was read, which suits sysctls and integer sysfs
attributes. Files whose read format differs from their write format
(``comp_algorithm`` lists every algorithm) need their own helper
(:mod:`android_suite.kernel.zram`).
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING

from android_suite.errors import DeviceError, PermanentDeviceError

if TYPE_CHECKING:
    from android_suite.device.device import Device

log = logging.getLogger(__name__)

_MARK = "\n::knob:: "
Expect = str | Callable[[str], bool] | None


class KnobError(PermanentDeviceError):
    """A knob write was refused, or read back something else.

    Attributes:
        path: the knob. wanted: what was written. got: what was read back (None: unreadable).
    """

    def __init__(self, message: str, *, serial: str, path: str, wanted: str, got: str | None, stderr: str = "") -> None:
        self.path, self.wanted, self.got = path, wanted, got
        super().__init__(
            f"{path}: {message} (wanted {wanted!r}, got {got!r})",
            serial=serial,
            stderr=stderr,
            hint="check that the knob exists on this kernel, that the value is in range, and that the shell has root",
        )


def _sections(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in text.split(_MARK)[1:]:
        head, _, body = chunk.partition("\n")
        out[head.strip()] = body
    return out


class KnobWriter:
    """Writes knobs on one handset and remembers how to undo them. No I/O on construction.

    Args:
        device: the handset.
        root: run as root; None decides on first use (root when the device has it:
            /proc/sys and most of /sys are root-only for writing on Android).
        timeout: per shell call.
    """

    def __init__(self, device: Device, *, root: bool | None = None, timeout: float = 30.0) -> None:
        self._device = device
        self._root = root
        self._timeout = timeout
        self._originals: dict[str, str | None] = {}  # path -> value before our first write
        self._changed: list[str] = []  # paths we wrote, in first-write order

    @property
    def changed(self) -> tuple[str, ...]:
        return tuple(self._changed)

    def original(self, path: str) -> str | None:
        """The value ``path`` had before this writer first touched it (None: unknown or absent)."""
        return self._originals.get(path)

    def _use_root(self) -> bool:
        if self._root is None:
            self._root = self._device.is_root()
        return self._root

    def _run(self, script: str) -> tuple[dict[str, str], str]:
        result = self._device.shell(["sh", "-c", script], timeout=self._timeout, check=False, root=self._use_root())
        return _sections(result.stdout), result.stderr

    def read(self, path: str) -> str | None:
        """The knob's value, stripped; None when the file does not exist or cannot be read."""
        return self.snapshot([path]).get(path)

    def snapshot(self, paths: Iterable[str]) -> dict[str, str | None]:
        """Read ``paths`` in one call; remembers each as original if not yet written."""
        paths = list(paths)
        q = [shlex.quote(p) for p in paths]
        script = "; ".join(f"printf '\\n::knob:: {i}\\n'; cat {p} 2>/dev/null" for i, p in enumerate(q))
        sections, _ = self._run(script or "true")
        values = {p: _value(sections.get(str(i))) for i, p in enumerate(paths)}
        for p, v in values.items():
            self._originals.setdefault(p, v)
        return values

    def write(self, path: str, value: object, *, verify: bool = True, expect: Expect = None) -> str | None:
        """``echo VALUE > PATH`` and read it back; returns what was read back.

        Args:
            path: the knob.
            value: written with ``str()``.
            verify: raise KnobError unless the read-back matches.
            expect: what the read-back must be: a string (default: the value
                written) or a predicate for files that print another form.

        Raises:
            KnobError: the file is absent, the write failed, or verification failed.
        """
        wanted = str(value)
        p, v = shlex.quote(path), shlex.quote(wanted)
        first = path not in self._originals
        script = (
            f"[ -e {p} ] || {{ printf '\\n::knob:: absent\\n'; exit 0; }}; "
            + (f"printf '\\n::knob:: before\\n'; cat {p} 2>/dev/null; " if first else "")
            + f"echo {v} > {p} || printf '\\n::knob:: failed\\n'; printf '\\n::knob:: after\\n'; cat {p} 2>/dev/null"
        )
        sections, stderr = self._run(script)
        serial = self._device.serial
        if "absent" in sections:
            raise KnobError("no such knob", serial=serial, path=path, wanted=wanted, got=None)
        if first:
            self._originals[path] = _value(sections.get("before"))
        got = _value(sections.get("after"))
        # A refused write that left the value as it was needs no undo.
        refused = "failed" in sections and got == self._originals.get(path)
        if path not in self._changed and not refused:
            self._changed.append(path)
        if "failed" in sections:
            raise KnobError("write refused", serial=serial, path=path, wanted=wanted, got=got, stderr=stderr)
        if verify and not _matches(expect if expect is not None else wanted.strip(), got):
            raise KnobError("read back a different value", serial=serial, path=path, wanted=wanted, got=got)
        return got

    def restore(self) -> list[str]:
        """Write back every knob this writer changed, newest first; never raises.

        Returns:
            A message per knob that could not be restored (also logged).
        """
        failures: list[str] = []
        for path in reversed(self._changed):
            original = self._originals.get(path)
            if original is None:
                failures.append(f"{path}: original value unknown; left as is")
                continue
            try:
                self.write(path, original)
            except (DeviceError, OSError) as exc:
                failures.append(f"{path}: not restored to {original!r}: {exc}")
        self._changed.clear()
        for message in failures:
            log.warning("%s: %s", self._device.serial, message)
        return failures

    def __enter__(self) -> KnobWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.restore()


def _value(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip()
    return value if value else None


def _matches(expect: str | Callable[[str], bool], got: str | None) -> bool:
    if got is None:
        return False
    return expect(got) if callable(expect) else got == expect
