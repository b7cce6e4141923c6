"""Talk to adb servers by address, local or on other hosts: list devices, point adbutils' default client.

A farm controller drives phones plugged into other hosts through those hosts'
adb servers (``adb -a -P PORT server nodaemon`` there; the adb wire protocol
is plain TCP). adbutils already speaks it; this module is the farm's one door
to it, so the rest of the farm package deals in :class:`AdbServerAddr` only.
"""

from __future__ import annotations

import os
import socket

from android_suite.errors import DeviceDisconnectedError
from android_suite.farm.inventory import AdbServerAddr


def list_devices(addr: AdbServerAddr, timeout: float = 5.0) -> list[tuple[str, str]]:
    """(serial, state) for every device the server at ``addr`` knows ("device", "offline", "unauthorized", ...).

    Raises:
        DeviceDisconnectedError: nothing answers at ``addr`` within ``timeout``.
    """
    import adbutils

    # Probe first: adbutils runs `adb start-server` when it cannot connect,
    # which would start a stray local server instead of reporting a dead remote.
    try:
        with socket.create_connection((addr.host, addr.port), timeout=timeout):
            pass
        client = adbutils.AdbClient(host=addr.host, port=addr.port, socket_timeout=timeout)
        # `host:devices` says "no permissions (...)": adbutils keeps "no".
        return [(str(i.serial), "no-permissions" if i.state == "no" else str(i.state)) for i in client.list()]
    except (OSError, adbutils.AdbError) as exc:
        raise DeviceDisconnectedError(
            f"adb server {addr} does not answer: {exc}",
            argv=["adb", "-H", addr.host, "-P", str(addr.port), "devices"],
            hint=f"is `adb -a -P {addr.port} server nodaemon` running on {addr.host} and the port reachable?",
        ) from exc


def point_default_client(addr: AdbServerAddr) -> None:
    """Make tools that use adbutils' module-level client (uiautomator2) talk to ``addr``.

    adbutils builds ``adbutils.adb`` once, at import, from $ANDROID_ADB_SERVER_HOST/PORT;
    a farm worker learns its device's server only when it takes a lease, which
    may be after the import, so the environment is set and the client rebuilt.
    """
    os.environ["ANDROID_ADB_SERVER_PORT"] = str(addr.port)
    os.environ["ANDROID_ADB_SERVER_HOST"] = addr.host
    import adbutils

    adbutils.adb = adbutils.AdbClient(host=addr.host, port=addr.port)
