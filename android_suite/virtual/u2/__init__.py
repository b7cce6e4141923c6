"""The uiautomator2 server side of a virtual handset.

uiautomator2 3.x pushes ``u2.jar`` and starts it with ``app_process``
(``commands/app_process.py``), then talks HTTP to device port 9008 over adb
``tcp:9008`` streams: ``GET /ping`` and JSON-RPC on ``POST /jsonrpc/0``.

    server.py     U2Server: listener lifecycle, routes, one server per handset
    http.py       HTTP/1.1 framing (keep-alive, Content-Length bodies)
    jsonrpc.py    JSON-RPC 2.0 envelopes and the error shapes u2 expects
    service.py    device methods (deviceInfo, click, swipe, pressKey, dump, ...)
    objects.py    selector methods (exist, waitForExists, objInfo, count, ...)
    selector.py   UiSelector matching; hierarchy.py the dump XML and objInfo
    ui.py         HandsetUi: what the server needs from the framework model
    stub_ui.py    StubUi: a small stand-in until a framework is attached
"""

from android_suite.virtual.u2.server import DEFAULT_PORT, AlreadyRegisteredError, U2Server, running_server
from android_suite.virtual.u2.stub_ui import StubUi
from android_suite.virtual.u2.ui import HandsetUi, UiNode, ui_for

__all__ = [
    "DEFAULT_PORT",
    "AlreadyRegisteredError",
    "HandsetUi",
    "StubUi",
    "U2Server",
    "UiNode",
    "running_server",
    "ui_for",
]
