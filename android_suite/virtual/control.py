"""The control channel of a virtual-handset process (loopback, JSON lines).

Tests and the CLI use it to inject faults and to stop the process; the
device under test never sees it. One request per line, one reply per line:

    {"op": "status"}                                  -> {"ok": true, "handsets": [...]}
        (each: name, serial, ports, mode, boot_id, running shell commands, active_slot, boot_sha256)
    {"op": "fault", "handset": NAME, "set": {...}}    -> fields of api.Faults
    {"op": "drop", "handset": NAME, "delay_s": 0.5}   -> close its adb connections
    {"op": "reboot", "handset": NAME, "target": "", "delay_s": 0}  -> reboot as if by the kernel
    {"op": "shutdown"}

This module is the client side only; it imports nothing from the handset, so
the CLI and the pytest plugin can use it without loading the virtual stack.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from android_suite.errors import SuiteError


class ControlError(SuiteError):
    """The virtual-handset process refused a control request or is gone."""


class ControlClient:
    """Talks to one virtual-handset process; one short connection per request.

    Args:
        port: the process's control port on 127.0.0.1 (from its state file).
        timeout: deadline for one request, connect included.
    """

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.port = port
        self.timeout = timeout

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        payload = json.dumps({"op": op, **fields}).encode() + b"\n"
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout) as sock:
                sock.sendall(payload)
                reply = _read_line(sock)
        except OSError as exc:
            raise ControlError(
                f"virtual-handset control port 127.0.0.1:{self.port} did not answer {op!r}: {exc}; "
                "is the process still running? (android-suite virtual status)"
            ) from exc
        data: dict[str, Any] = json.loads(reply)
        if not data.get("ok"):
            raise ControlError(f"control request {op!r} failed: {data.get('error', 'no reason given')}")
        return data

    def status(self) -> list[dict[str, Any]]:
        handsets: list[dict[str, Any]] = self.request("status")["handsets"]
        return handsets

    def set_faults(self, handset: str, **faults: Any) -> None:
        self.request("fault", handset=handset, set=faults)

    def clear_faults(self, handset: str) -> None:
        self.request("fault", handset=handset, set={}, reset=True)

    def drop(self, handset: str, delay_s: float = 0.0) -> None:
        self.request("drop", handset=handset, delay_s=delay_s)

    def reboot(self, handset: str, target: str = "", delay_s: float = 0.0) -> None:
        self.request("reboot", handset=handset, target=target, delay_s=delay_s)

    def shutdown(self) -> None:
        self.request("shutdown")


def _read_line(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks)
