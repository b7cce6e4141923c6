"""The streaming sampler: one long-lived device shell per handset, read on a background thread.

Why one stream and not ``adb shell cat`` per source per tick: every adb
shell call is a new stream (OPEN, a fork of sh, CLSE), several ms each over
USB, and stamped with the *host's* clock. Here one ``sh -c`` loop
(``script.py``) prints every source each period, stamped on the device, and
the host only parses (``framing.py``). ``benchmarks/sampler_vs_naive.py``
measures the difference.

Lifecycle (STYLE.md practice 6)::

    with Sampler(device, SamplerConfig(period_s=0.1)) as sampler:   # start()
        for sample in sampler:        # blocks; ends once stopped and drained
            ...
    # or: sampler.start(); ...; sampler.stop(); rest = sampler.drain()

A drop (``DeviceDisconnectedError``, the stream ending, or silence longer
than ``stall_s``) is reconnected with backoff until ``reconnect_deadline_s``;
each one is recorded as a :class:`Gap`. The partial frame at a drop is
discarded and counted. ``stop()`` lets a frame in flight finish (bounded),
never raises, and loses nothing already read: samples stay in the buffer
until taken. The buffer is bounded; when it is full the reader waits, so the
device loop is slowed (visible as drift) rather than data being dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

from android_suite.collect.framing import FrameParser
from android_suite.collect.gaps import GapLog
from android_suite.collect.sample_buffer import SampleBuffer
from android_suite.collect.sampler_types import Gap, Sample, SamplerConfig, SamplerStats
from android_suite.collect.script import new_nonce, sampler_argv
from android_suite.device.device import Device
from android_suite.device.transport import ShellStream
from android_suite.errors import DeviceError, DeviceTimeoutError

log = logging.getLogger(__name__)

_STOP_GRACE_S = 2.0  # longest stop() waits for a frame in flight
# After stop(), this much silence at a frame boundary means all that was sent
# is read; well below any period, so the loop's next frame is not waited for.
_STOP_QUIET_S = 0.01
_BACKOFF_S = (0.1, 0.2, 0.5, 1.0, 2.0)


class Sampler:
    """Samples ``config.sources`` on ``device`` every ``config.period_s``. No I/O until :meth:`start`.

    Args:
        device: the handset.
        config: what and how often.
        nonce: marker nonce (random by default; tests fix it to script the fake).
        max_buffer: samples held before the reader waits for a consumer.
        clock: host monotonic clock (``Sample.host_t``, stall detection).
    """

    def __init__(
        self,
        device: Device,
        config: SamplerConfig,
        *,
        nonce: str | None = None,
        max_buffer: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.device = device
        self.config = config
        self.nonce = nonce or new_nonce()
        self.argv = sampler_argv(config, self.nonce)
        self._clock = clock
        self._buffer = SampleBuffer(max_buffer, clock)
        self._lock = threading.Lock()  # guards the counters and gaps below
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._gaps = GapLog()
        self._error: str | None = None
        self._torn_bytes = 0
        self._counts = {"frames": 0, "torn": 0, "junk": 0, "bytes": 0, "streams": 0}
        self._pacing: str | None = None

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> Sampler:
        """Open the first stream (errors raise here) and start the reader thread."""
        if self._thread is not None:
            raise RuntimeError("sampler already started")
        stream, parser = self._open(0)
        self._thread = threading.Thread(
            target=self._run, args=(stream, parser), name=f"sampler-{self.device.serial}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop sampling: finish the frame in flight, close the stream. Never raises."""
        self._stop.set()
        try:
            if self._thread is not None:
                self._thread.join(timeout)
                if self._thread.is_alive():
                    log.warning("sampler %s: reader did not stop within %.1f s", self.device.serial, timeout)
        except Exception:  # stop() must never mask the test's own failure
            log.exception("sampler %s: error while stopping", self.device.serial)
        finally:
            if self._thread is None:
                self._buffer.close()  # never started: iteration must not wait

    def __enter__(self) -> Sampler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- consuming ------------------------------------------------------------------

    def get(self, timeout: float | None = None) -> Sample | None:
        """The next sample; None if none came within ``timeout``, or once stopped and drained."""
        return self._buffer.get(timeout)

    def __iter__(self) -> Iterator[Sample]:
        """Samples as they come; ends when the sampler has stopped (or failed) and is drained."""
        while (sample := self._buffer.get()) is not None:
            yield sample

    def drain(self) -> list[Sample]:
        """Everything buffered now, without waiting."""
        return self._buffer.drain()

    @property
    def running(self) -> bool:
        """True while the reader thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def stats(self) -> SamplerStats:
        """Counters so far, gaps included (an unfinished gap shows with no end)."""
        with self._lock:
            gaps = self._gaps.gaps()
            c = self._counts
            return SamplerStats(
                c["frames"], c["torn"], c["junk"], c["bytes"], c["streams"], gaps, self._error, self._pacing
            )

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """Recorded gaps (see :meth:`stats`)."""
        return self.stats().gaps

    # -- the reader thread ----------------------------------------------------------

    def _open(self, generation: int) -> tuple[ShellStream, FrameParser]:
        stream = self.device.stream_shell(self.argv, self.config.connect_timeout_s, root=self.config.root)
        parser = FrameParser(
            self.nonce, list(self.config.sources), stream=generation, crlf=not stream.v2, clock=self._clock
        )
        with self._lock:
            self._counts["streams"] += 1
        return stream, parser

    def _run(self, stream: ShellStream, parser: FrameParser) -> None:
        generation = 0
        try:
            while True:
                reason = self._pump(stream, parser)
                self._close(stream, parser)
                if reason is None:
                    return  # stopped
                with self._lock:
                    self._gaps.begin(reason, self._torn_bytes, self._clock())
                log.warning("sampler %s: %s; reconnecting", self.device.serial, reason)
                opened = self._reconnect(generation + 1)
                if opened is None:
                    return
                generation += 1
                stream, parser = opened
        except Exception as exc:  # a bug here must end iteration, not hang the consumer
            log.exception("sampler %s: reader failed", self.device.serial)
            self._error = f"reader failed: {exc!r}"
        finally:
            self._buffer.close()  # everything read is buffered: consumers may finish

    def _pump(self, stream: ShellStream, parser: FrameParser) -> str | None:
        """Read and parse until stopped (None) or the stream is lost (the reason)."""
        last_data = self._clock()
        stop_by: float | None = None
        while True:
            timeout = self.config.poll_s
            if self._stop.is_set():
                # Take what is already on its way (frames buffered in adb, the
                # frame being printed), then stop at a frame boundary: quiet
                # and not inside a frame, or the grace time is up.
                stop_by = stop_by or self._clock() + min(_STOP_GRACE_S, self.config.stall_s)
                if self._clock() >= stop_by:
                    return None
                timeout = min(timeout, stop_by - self._clock()) if parser.in_frame else _STOP_QUIET_S
            try:
                data = stream.read(65536, timeout=timeout)
            except DeviceTimeoutError:
                if stop_by is not None and not parser.in_frame:
                    return None
                if self._clock() - last_data > self.config.stall_s and stop_by is None:
                    return f"no output for {self.config.stall_s:g} s (stalled)"
                continue
            except DeviceError as exc:
                return f"stream dropped: {exc.message}"
            if not data:
                return _ended(stream)
            last_data = self._clock()
            self._deliver(parser.feed(data), len(data), parser)

    def _deliver(self, samples: list[Sample], nbytes: int, parser: FrameParser) -> None:
        with self._lock:
            self._counts["bytes"] += nbytes
            self._counts["frames"] += len(samples)
            self._pacing = parser.pacing or self._pacing
            self._gaps.seen(samples)
        for sample in samples:
            self._buffer.put(sample, lambda: not self._stop.is_set(), self.config.poll_s)

    def _close(self, stream: ShellStream, parser: FrameParser) -> None:
        stream.close()
        with self._lock:
            self._torn_bytes = parser.finish()
            self._counts["torn"] += parser.torn_frames
            self._counts["junk"] += parser.junk_lines

    # -- reconnection -------------------------------------------------------------------

    def _reconnect(self, generation: int) -> tuple[ShellStream, FrameParser] | None:
        deadline = self._clock() + self.config.reconnect_deadline_s
        attempt = 0
        while not self._stop.is_set():
            try:
                return self._open(generation)
            except DeviceError as exc:
                # Retry even "not found": a USB device re-enumerates under the same serial.
                if self._clock() >= deadline:
                    self._give_up(f"could not reconnect within {self.config.reconnect_deadline_s:g} s: {exc.message}")
                    return None
            self._stop.wait(_BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)])
            attempt += 1
        return None

    def _give_up(self, why: str) -> None:
        with self._lock:
            self._error = why
            self._gaps.give_up(why)
        log.error("sampler %s: %s", self.device.serial, why)


def _ended(stream: ShellStream) -> str:
    """Why a stream ended by itself (the loop never exits on its own)."""
    stderr = stream.stderr.decode("utf-8", "replace").strip()
    code = stream.exit_code
    status = f"exit status {code}" if code is not None else "closed"
    return f"device loop ended ({status})" + (f": {stderr[-300:]}" if stderr else "")
