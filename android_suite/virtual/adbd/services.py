"""Which service an OPEN names, and whether we accept it.

``open_service`` returns the coroutine function that serves the stream, or None
to refuse (the connection then answers CLSE(0, host_id), which clients report
as "closed").
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

from android_suite.virtual.adbd import shell_service, sync_service, tcp_service
from android_suite.virtual.adbd.stream import Stream
from android_suite.virtual.api import HandsetEndpoint

log = logging.getLogger(__name__)

Service = Callable[[Stream], Awaitable[None]]


async def open_service(name: str, handset: HandsetEndpoint) -> Service | None:
    """Resolve an OPEN payload to a service; None means refuse."""
    shell = shell_service.parse_shell_service(name)
    if shell is not None:
        args, command = shell
        if not command:
            # Interactive shells need a pty and line discipline; nothing here uses one.
            log.warning("refusing interactive shell service %r (no command given)", name)
            return None
        runner = shell_service.run_v2 if "v2" in args else shell_service.run_v1
        return partial(runner, handset=handset, command=command)
    if name == "sync:":
        return partial(sync_service.serve, fs=handset.fs)
    port = tcp_service.parse_tcp_service(name)
    if port is not None:
        conn = await handset.open_tcp(port)
        if conn is None:
            log.info("refusing %r: nothing listens on device port %d", name, port)
            return None
        reader, writer = conn
        return partial(tcp_service.bridge, reader=reader, writer=writer)
    if name.startswith("reboot:"):
        return partial(_reboot, handset=handset, target=name.partition(":")[2])
    log.warning("refusing unknown adb service %r", name)
    return None


async def _reboot(stream: Stream, handset: HandsetEndpoint, target: str) -> None:
    # Get our OKAY onto the wire first: the handset drops every connection as
    # part of the reboot, and the adb CLI treats a refused OPEN as a failure.
    await stream.flush()
    handset.request_reboot(target)
