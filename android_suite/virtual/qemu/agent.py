"""Host client of the guest agent (``apk_workloads/guest/agent.c``) of a QEMU handset.

The agent listens on guest TCP port 7100; QEMU forwards one loopback port of
the host to it. Both directions frame a message as an ASCII header
``"<WORD> <LEN>\\n"`` followed by exactly LEN payload bytes. Requests are one
op letter (P ping, R read, W write, L list, X exec, S spawn, K kill, D
shutdown); replies carry a status (0, an errno, or X's exit code).

One persistent connection, one request at a time (a lock), opened lazily so
the constructor does no I/O; a call that fails on the transport closes it and
the next call reconnects. Every call has a deadline: a request that outlives
it closes the connection, which makes the agent kill an exec'd command.
"""

from __future__ import annotations

import errno as errno_mod
import os
import socket
import threading
import time
from collections.abc import Sequence

from android_suite.errors import SuiteError

_MAX_HEADER = 40
_MAX_PAYLOAD = 256 << 20


class GuestAgentError(SuiteError):
    """The agent could not be reached or spoke out of turn.

    Attributes:
        endpoint: ``host:port`` of the forwarded agent port.
        op: the request letter that failed.
        hint: what to do about it.
    """

    def __init__(self, endpoint: str, op: str, message: str, hint: str = "") -> None:
        self.endpoint = endpoint
        self.op = op
        self.hint = hint or "check that the QEMU guest is running and its console log (the agent starts from /init)"
        super().__init__(f"guest agent {endpoint} op {op}: {message}\n  what to do: {self.hint}")


class GuestAgentTimeout(GuestAgentError):
    """A request outlived its deadline (the connection was closed, the command killed)."""


class GuestAgent:
    """Client of one guest agent; thread-safe (requests are serialised on one connection)."""

    def __init__(self, host: str, port: int, *, timeout: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    # -- ops ---------------------------------------------------------------

    def ping(self, timeout: float | None = None) -> None:
        status, payload = self._call("P", b"", timeout)
        if status != 0 or payload != b"pong":
            raise GuestAgentError(self.endpoint, "P", f"unexpected reply {status} {payload[:40]!r}")

    def read(self, path: str, timeout: float | None = None) -> bytes:
        status, payload = self._call("R", os.fsencode(path), timeout)
        _raise_errno(status, path)
        return payload

    def write(self, path: str, data: bytes, timeout: float | None = None) -> None:
        """Open ``path`` O_WRONLY|O_TRUNC and write ``data`` in one write() (like ``echo > knob``)."""
        status, _ = self._call("W", os.fsencode(path) + b"\0" + data, timeout)
        _raise_errno(status, path)

    def listdir(self, path: str, timeout: float | None = None) -> list[str]:
        status, payload = self._call("L", os.fsencode(path), timeout)
        _raise_errno(status, path)
        return sorted(os.fsdecode(n) for n in payload.split(b"\0")) if payload else []

    def exec(self, argv: Sequence[str], timeout: float) -> tuple[int, bytes]:
        """Run ``argv`` (argv[0] through PATH) and wait: (exit code or 128+signal, stdout+stderr)."""
        return self._call("X", _join_argv(argv), timeout)

    def spawn(self, argv: Sequence[str], log: str | None = None, timeout: float | None = None) -> int:
        """Start ``argv`` detached (own session); its output goes to ``log`` or /dev/null. Returns its pid."""
        args = ([f"--log={log}"] if log else []) + list(argv)
        status, payload = self._call("S", _join_argv(args), timeout)
        _raise_errno(status, argv[0] if argv else "")
        return int(payload)

    def kill(self, pid: int, sig: int = 15, timeout: float | None = None) -> None:
        status, _ = self._call("K", f"{int(pid)} {int(sig)}".encode(), timeout)
        _raise_errno(status, str(pid))

    def shutdown(self, timeout: float | None = None) -> None:
        """Ask the guest to sync and power off; returns once the agent acknowledged it."""
        try:
            self._call("D", b"", timeout)
        except GuestAgentError as exc:
            # The guest may power off before its reply crosses QEMU's user network.
            if not isinstance(exc.__cause__, (ConnectionResetError, BrokenPipeError)):
                raise
        finally:
            self.close()

    def close(self) -> None:
        with self._lock:
            self._drop()

    def __enter__(self) -> GuestAgent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------

    def _call(self, op: str, payload: bytes, timeout: float | None) -> tuple[int, bytes]:
        budget = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + budget
        with self._lock:
            try:
                sock = self._connect(deadline)
                _set_deadline(sock, deadline)
                sock.sendall(f"{op} {len(payload)}\n".encode() + payload)
                status, length = _parse_header(_read_line(sock, deadline))
                body = _read_exact(sock, length, deadline)
                return status, body
            except TimeoutError as exc:
                self._drop()
                raise GuestAgentTimeout(
                    self.endpoint,
                    op,
                    f"no reply within {budget:.1f} s",
                    "raise the timeout for slow commands; under TCG a guest is several times slower than the host",
                ) from exc
            except (OSError, ValueError) as exc:
                self._drop()
                raise GuestAgentError(self.endpoint, op, f"{type(exc).__name__}: {exc}") from exc

    def _connect(self, deadline: float) -> socket.socket:
        if self._sock is None:
            remaining = max(0.001, deadline - time.monotonic())
            sock = socket.create_connection((self.host, self.port), timeout=remaining)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
        return self._sock

    def _drop(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None


def _join_argv(argv: Sequence[str]) -> bytes:
    if not argv or not argv[0]:
        raise ValueError("argv must name a program")
    return b"\0".join(os.fsencode(a) for a in argv)


def _raise_errno(status: int, path: str) -> None:
    if status:
        raise OSError(status, os.strerror(status) if status in errno_mod.errorcode else f"errno {status}", path)


def _set_deadline(sock: socket.socket, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    sock.settimeout(remaining)


def _read_line(sock: socket.socket, deadline: float) -> bytes:
    line = b""
    while not line.endswith(b"\n"):
        if len(line) > _MAX_HEADER:
            raise ValueError(f"header too long: {line[:_MAX_HEADER]!r}")
        _set_deadline(sock, deadline)
        ch = sock.recv(1)
        if not ch:
            raise ConnectionResetError("agent closed the connection")
        line += ch
    return line


def _parse_header(line: bytes) -> tuple[int, int]:
    parts = line.decode("ascii", "replace").split()
    if len(parts) != 2 or not parts[1].isdigit() or not parts[0].lstrip("-").isdigit():
        raise ValueError(f"bad reply header {line!r}")
    length = int(parts[1])
    if length > _MAX_PAYLOAD:
        raise ValueError(f"reply of {length} bytes is larger than {_MAX_PAYLOAD}")
    return int(parts[0]), length


def _read_exact(sock: socket.socket, length: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    got = 0
    while got < length:
        _set_deadline(sock, deadline)
        chunk = sock.recv(min(1 << 20, length - got))
        if not chunk:
            raise ConnectionResetError(f"agent closed the connection after {got} of {length} bytes")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
