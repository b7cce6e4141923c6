"""Redirections: opening them onto a copy of a shell's fds, and closing the files afterwards."""

from __future__ import annotations

from collections.abc import Sequence

from android_suite.virtual.api import FsError
from android_suite.virtual.shell.expand import Env, expand_value
from android_suite.virtual.shell.frame import SH
from android_suite.virtual.shell.io import Fds, FileSink, InStream, Writer, bytes_reader
from android_suite.virtual.shell.nodes import AndOr, FuncDef, Redirect, Unsupported
from android_suite.virtual.vfs import VirtualFS, normpath


def strerror(exc: FsError) -> str:
    return exc.message.rpartition(": ")[2]


async def open_redirects(
    redirects: Sequence[Redirect], env: Env, fs: VirtualFS, base: Fds
) -> tuple[Fds, list[FileSink]] | int:
    """Apply ``redirects`` left to right onto a copy of ``base``.

    Returns the new fds and the files to close once the command ends, or the
    status 1 after printing mksh's message when a file cannot be opened.
    """
    fds = base.copy()
    sinks: list[FileSink] = []
    for r in redirects:
        if r.op == "<<":
            assert r.heredoc is not None
            body = await expand_value(r.heredoc.body, env)
            fds.stdin = InStream(bytes_reader(body.encode()))
            continue
        target = await expand_value(r.target, env)
        if r.fd > 2:
            raise Unsupported(f"redirection of fd {r.fd}")
        if r.op in (">&", "<&") and target.isdigit():
            source = int(target)
            if r.op == ">&" and source in (1, 2) and r.fd in (1, 2):
                fds.out[r.fd] = fds.out[source]  # 2>&1: share the current stdout
            elif not (r.op == "<&" and source == 0 == r.fd):
                raise Unsupported(f"redirection '{r.fd}{r.op}{target}'")
        elif r.op in (">", ">>", ">&") and r.fd in (1, 2):
            sink = FileSink(fs, normpath(target, env.cwd), append=r.op == ">>")
            try:
                sink.open()
            except FsError as exc:
                await fds.out[2](f"{SH}: can't create {target}: {strerror(exc)}\n".encode())
                return 1
            sinks.append(sink)
            for fd in (1, 2) if r.op == ">&" else (r.fd,):
                fds.out[fd] = sink.write
        elif r.op == "<" and r.fd == 0:
            try:
                data = fs.read(normpath(target, env.cwd))
            except FsError as exc:
                await fds.out[2](f"{SH}: can't open {target}: {strerror(exc)}\n".encode())
                return 1
            fds.stdin = InStream(bytes_reader(data))
        else:
            raise Unsupported(f"redirection '{r.fd}{r.op}{target}'")
    return fds, sinks


async def close_sinks(sinks: Sequence[FileSink], err: Writer, name: str) -> int:
    """Write redirected output to its files; 1 if a write failed (a knob refusing a value)."""
    status = 0
    for sink in sinks:
        failure = sink.close()
        if failure is not None:
            await err(f"{SH}: {name}: write error: {strerror(failure)}\n".encode())
            status = 1
    return status


def _outputs(redirects: Sequence[Redirect], out: Writer, err: Writer) -> tuple[Writer | None, Writer | None]:
    """Where fds 1 and 2 end up (None: a file), judged statically from the redirections."""
    fd1: Writer | None = out
    fd2: Writer | None = err
    for r in redirects:
        text = "".join(p.text for p in r.target)
        if r.op == ">&" and text in ("1", "2"):
            if r.fd == 2:
                fd2 = fd1 if text == "1" else fd2
            elif r.fd == 1:
                fd1 = fd2 if text == "2" else fd1
        elif r.op in (">", ">>"):
            if r.fd == 1:
                fd1 = None
            elif r.fd == 2:
                fd2 = None
        elif r.op == ">&":
            fd1 = fd2 = None
    return fd1, fd2


def holds_output(and_or: AndOr, fds: Fds, session_out: Sequence[Writer]) -> bool:
    """Whether a background job keeps writing to the session's stdout or stderr.

    adbd ends an ``adb shell`` session when the shell's output pipes close, so a
    job that still holds them keeps the session open (``sleep 10 &`` makes
    ``adb shell`` wait ten seconds); ``nohup cmd >f 2>&1 &`` does not.
    """
    for _, pipeline in and_or:
        for index, node in enumerate(pipeline.commands):
            redirects = [] if isinstance(node, FuncDef) else node.redirects
            fd1, fd2 = _outputs(redirects, fds.out[1], fds.out[2])
            last = index == len(pipeline.commands) - 1
            if (last and fd1 is not None and fd1 in session_out) or (fd2 is not None and fd2 in session_out):
                return True
    return False
