"""Runs the memory eater on a handset: push, start, read progress, stop, clean up.

The binary for the handset's ABI (``ro.product.cpu.abi``) is built by
:mod:`android_suite.workloads.build`, pushed to :data:`REMOTE_PATH` and run
over ONE adb shell stream whose stdout carries its progress lines. Stopping
is SIGTERM (the eater prints its final line and exits 0), then SIGKILL after
``stop_timeout``; the stream is closed, the binary removed and the pid
checked gone whatever happened before (a never-raising :meth:`MemoryEater.stop`,
also run by ``__exit__``). When the binary cannot run (no build for the ABI,
exec refused), the shell fallback of :mod:`eater_shell` runs instead, with
weaker control over compressibility; ``EaterResult.impl`` says which ran.

Usage::

    with MemoryEater(device, EaterConfig(size_pct=60, rate_mbps=200)) as eater:
        eater.start()
        ...                      # the measured workload
        events = eater.poll()
    result = eater.result        # or: result = eater.stop()
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from android_suite.device.device import Device
from android_suite.device.transport import ShellStream
from android_suite.errors import CommandError, ConfigError, DeviceError, DeviceTimeoutError
from android_suite.parsers.meminfo import parse_meminfo
from android_suite.workloads.build import build_memeater
from android_suite.workloads.eater_config import EaterConfig
from android_suite.workloads.eater_output import EaterEnd, EaterEvent, EaterLog, EaterStart, parse_line
from android_suite.workloads.eater_shell import shell_argv

REMOTE_PATH = "/data/local/tmp/android_suite_memeater"
BinaryFinder = Callable[[str], Path]  # ABI -> local binary; raises ConfigError when there is none


@dataclass(frozen=True)
class EaterResult:
    """How one eater run went.

    Attributes:
        impl: "binary" or "shell" (the fallback).
        log: every progress event read (``log.end`` is None when it was killed).
        exit_code: the device command's status (shell v2), None if unknown.
        stopped_by: "ended" (it stopped by itself), "term", "kill" or "closed" (stream closed).
        fallback_reason: why the binary did not run, None when it did.
        cleanup_errors: what failed while cleaning up (the run itself may still be fine).
    """

    impl: str
    log: EaterLog
    exit_code: int | None
    stopped_by: str
    fallback_reason: str | None
    cleanup_errors: tuple[str, ...]


class MemoryEater:
    """One eater run on ``device`` (see the module docstring). No I/O until :meth:`start`.

    Args:
        device: the handset.
        config: the eater's options.
        find_binary: ABI -> local binary (default: build and cache it).
        start_timeout: how long to wait for the start line.
        stop_timeout: how long SIGTERM gets before SIGKILL.
        clock: monotonic seconds (tests inject one).
    """

    def __init__(
        self,
        device: Device,
        config: EaterConfig,
        *,
        find_binary: BinaryFinder = build_memeater,
        start_timeout: float = 20.0,
        stop_timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._device = device
        self.config = config
        self._find = find_binary
        self._start_timeout = start_timeout
        self._stop_timeout = stop_timeout
        self._clock = clock
        self._stream: ShellStream | None = None
        self._buffer = b""
        self._ended = False
        self._events: list[EaterEvent] = []
        self.noise: list[str] = []  # output lines that were not the eater's (shell errors)
        self.impl = ""
        self.fallback_reason: str | None = None
        self.result: EaterResult | None = None
        self._pushed = False

    # -- start -------------------------------------------------------------------------
    def start(self) -> EaterStart:
        """Push and start the eater; returns its start line.

        Raises:
            CommandError: neither the binary nor the shell fallback started.
            DeviceError: the link failed (everything started is cleaned up first).
        """
        try:
            started = self._start_binary()
            if started is None:
                started = self._open(self._fallback_argv(), "shell")
            if started is None:
                raise CommandError(
                    "the memory eater did not start (binary and shell fallback)",
                    serial=self._device.serial,
                    stdout="\n".join(self.noise),
                    hint=f"binary: {self.fallback_reason}",
                )
            return started
        except BaseException:
            self.stop()
            raise

    def _start_binary(self) -> EaterStart | None:
        abi = self._device.props().get("ro.product.cpu.abi") or ""
        try:
            binary = self._find(abi)
        except ConfigError as exc:
            self.fallback_reason = str(exc)
            return None
        self._device.push(binary, REMOTE_PATH)
        self._pushed = True
        self._device.shell(["chmod", "755", REMOTE_PATH])
        started = self._open([REMOTE_PATH, *self.config.argv()], "binary")
        if started is None:
            self.fallback_reason = "exec failed: " + (" | ".join(self.noise) or "no output")
            self._remove_binary()
        return started

    def _fallback_argv(self) -> list[str]:
        c = self.config
        if c.size_mb is not None:
            target_kb = round(c.size_mb * 1024)
        else:
            total = parse_meminfo(self._device.shell(["cat", "/proc/meminfo"]).stdout).mem_total_kb
            target_kb = round((total or 0) * c.effective_size_pct / 100)
        return shell_argv(
            target_kb=target_kb,
            rate_kbps=c.rate_mbps * 1024,
            compressibility=c.compressibility,
            touch_fraction=c.touch_fraction,
            interval_s=c.interval_s,
            duration_s=c.duration_s,
            seed=c.seed,
        )

    def _open(self, argv: list[str], impl: str) -> EaterStart | None:
        """Start ``argv`` on a stream; its start line, or None when it ended without one."""
        self._stream, self._buffer, self._ended, self._events = self._device.stream_shell(argv), b"", False, []
        self.impl = impl
        deadline = self._clock() + self._start_timeout
        while not self._ended:
            for event in self._read(max(0.05, min(1.0, deadline - self._clock()))):
                if isinstance(event, EaterStart):
                    return event
            if self._clock() >= deadline:
                raise DeviceTimeoutError(
                    f"no memeater start line within {self._start_timeout:.0f} s",
                    serial=self._device.serial,
                    argv=argv[:1],
                    stdout="\n".join(self.noise),
                    hint="raise start_timeout, or check that the device is not frozen",
                )
        if self._stream is not None:  # shell v2 keeps stderr apart; v1 merged it into self.noise
            stderr = self._stream.stderr.decode(errors="replace").strip()
            self.noise += [line for line in stderr.splitlines() if line.strip()]
            self.noise.append(f"exit status {self._stream.exit_code}")
        self._close_stream()
        return None

    # -- reading -----------------------------------------------------------------------
    def _read(self, timeout: float) -> list[EaterEvent]:
        if self._stream is None or self._ended:
            return []
        try:
            chunk = self._stream.read(65536, timeout=timeout)
        except DeviceTimeoutError:
            return []
        if not chunk:
            self._ended = True
            chunk = b"\n" if self._buffer else b""  # flush a last line cut short
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        new: list[EaterEvent] = []
        for raw in lines:
            text = raw.decode(errors="replace").rstrip("\r")
            event = parse_line(text)
            if event is None:
                if text.strip():
                    self.noise.append(text)
            else:
                new.append(event)
        self._events.extend(new)
        return new

    def poll(self, timeout: float = 0.0) -> list[EaterEvent]:
        """Events that arrived since the last call (waits up to ``timeout`` for the first)."""
        new = self._read(max(timeout, 0.001))
        while new and not self._ended:
            more = self._read(0.001)
            if not more:
                break
            new.extend(more)
        return new

    @property
    def running(self) -> bool:
        return self._stream is not None and not self._ended

    @property
    def pid(self) -> int | None:
        start = next((e for e in self._events if isinstance(e, EaterStart)), None)
        return start.pid if start is not None else None

    # -- stop and clean up -------------------------------------------------------------
    def stop(self) -> EaterResult:
        """SIGTERM, SIGKILL after ``stop_timeout``, close, remove, verify. Never raises DeviceError."""
        if self.result is not None:
            return self.result
        errors: list[str] = []
        stopped_by = "ended" if self._ended else "closed"
        pid = self.pid
        if self.running and pid is not None:
            for signal, wait_s in (("TERM", self._stop_timeout), ("KILL", 2.0)):
                if not self._signal(pid, signal, errors):
                    break
                stopped_by = signal.lower()
                self._drain(wait_s)
                if not self.running:
                    break
        exit_code = self._stream.exit_code if self._stream is not None else None
        self._close_stream()
        if self._pushed:
            self._remove_binary(errors)
        if pid is not None:
            self._check_gone(pid, errors)
        self.result = EaterResult(
            self.impl, EaterLog(tuple(self._events), truncated=bool(self._buffer)), exit_code, stopped_by,
            self.fallback_reason, tuple(errors),
        )  # fmt: skip
        return self.result

    def _signal(self, pid: int, signal: str, errors: list[str]) -> bool:
        try:
            done = self._device.shell(["kill", f"-{signal}", str(pid)], timeout=10.0, check=False)
        except DeviceError as exc:
            errors.append(f"kill -{signal} {pid}: {exc}")
            return False
        if done.exit_code != 0:
            self._drain(0.2)  # it may have ended between the check and the kill
            if self.running:
                errors.append(f"kill -{signal} {pid}: exit {done.exit_code}: {done.stderr.strip()}")
            return False
        return True

    def _drain(self, seconds: float) -> None:
        deadline = self._clock() + seconds
        with contextlib.suppress(DeviceError):
            while self.running and self._clock() < deadline:
                self._read(min(0.5, max(0.01, deadline - self._clock())))
                if any(isinstance(e, EaterEnd) for e in self._events):
                    self._read(0.5)  # the stream's end (and exit code) follows the last line
                    break

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()

    def _remove_binary(self, errors: list[str] | None = None) -> None:
        try:
            self._device.shell(["rm", "-f", REMOTE_PATH], timeout=10.0)
            self._pushed = False
        except DeviceError as exc:
            if errors is None:
                raise
            errors.append(f"rm {REMOTE_PATH}: {exc}")

    def _check_gone(self, pid: int, errors: list[str]) -> None:
        """``kill -0`` must fail: after the stream closed the eater (or its shell) is gone."""
        deadline = self._clock() + self._stop_timeout
        try:
            while self._device.shell(["kill", "-0", str(pid)], timeout=10.0, check=False).exit_code == 0:
                if self._clock() >= deadline:
                    errors.append(f"pid {pid} still alive after cleanup")
                    return
                time.sleep(0.1)  # polling a condition, with a deadline
        except DeviceError as exc:
            errors.append(f"kill -0 {pid}: {exc}")

    def __enter__(self) -> MemoryEater:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
