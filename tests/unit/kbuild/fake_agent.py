"""A small fake of the guest agent speaking the same framing (for client tests).

Files live in a dict; X runs scripted replies (argv tuple -> (code, output));
an argv starting with "hang" never answers, so deadlines can be tested.
"""

from __future__ import annotations

import errno
import socket
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        while True:
            line = self.rfile.readline()
            if not line:
                return
            word, length = line.decode().split()
            payload = self.rfile.read(int(length))
            self.server.requests.append((word, payload))
            if not self.server.agent.answer(self, word, payload):
                return

    def reply(self, status: int, payload: bytes = b"") -> None:
        self.wfile.write(f"{status} {len(payload)}\n".encode() + payload)
        self.wfile.flush()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    agent: FakeAgent
    requests: list[tuple[str, bytes]]


class FakeAgent:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {"/proc/version": b"Linux version 6.12.0\n"}
        self.dirs: dict[str, list[str]] = {"/proc/sys/vm": ["kcompressd", "swappiness"]}
        self.execs: dict[tuple[str, ...], tuple[int, bytes]] = {("uname", "-r"): (0, b"6.12.0\n")}
        self.killed: list[tuple[int, int]] = []
        self.shut_down = threading.Event()
        self.garble = False
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.agent = self
        self._server.requests = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def requests(self) -> list[tuple[str, bytes]]:
        return self._server.requests

    def __enter__(self) -> FakeAgent:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, h: _Handler, word: str, payload: bytes) -> bool:
        if self.garble:
            h.wfile.write(b"garbage\n")
            h.wfile.flush()
            return False
        if word == "P":
            h.reply(0, b"pong")
        elif word == "R":
            path = payload.decode()
            h.reply(0, self.files[path]) if path in self.files else h.reply(errno.ENOENT)
        elif word == "W":
            path, data = payload.split(b"\0", 1)
            if path.decode().startswith("/proc/") and path.decode() not in self.files:
                h.reply(errno.EACCES)
            else:
                self.files[path.decode()] = data
                h.reply(0)
        elif word == "L":
            path = payload.decode()
            h.reply(0, "\0".join(self.dirs[path]).encode()) if path in self.dirs else h.reply(errno.ENOTDIR)
        elif word == "X":
            argv = tuple(a.decode() for a in payload.split(b"\0"))
            if argv[0] == "hang":
                h.rfile.read(1)  # until the client hangs up
                return False
            code, out = self.execs.get(argv, (127, f"{argv[0]}: not found\n".encode()))
            h.reply(code, out)
        elif word == "S":
            argv = [a.decode() for a in payload.split(b"\0")]
            h.reply(errno.ENOENT) if argv[-1] == "missing" else h.reply(0, b"4242")
        elif word == "K":
            pid, sig = (int(x) for x in payload.split())
            self.killed.append((pid, sig))
            h.reply(0) if pid == 4242 else h.reply(errno.ESRCH)
        elif word == "D":
            self.shut_down.set()
            h.reply(0)
            h.connection.shutdown(socket.SHUT_RDWR)
            return False
        else:
            h.reply(errno.ENOSYS)
        return True
