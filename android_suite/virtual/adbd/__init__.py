"""The device side of the adb transport for virtual handsets (an adbd in asyncio).

Public entry point: :class:`AdbEndpoint`. Module map: ``message`` (framing),
``connection`` (handshake, streams, faults), ``stream`` (flow control),
``services`` (OPEN dispatch) with ``shell_service``, ``sync_service`` and
``tcp_service``.
"""

from android_suite.virtual.adbd.endpoint import AdbEndpoint
from android_suite.virtual.adbd.message import MAX_PAYLOAD, ProtocolError

__all__ = ["MAX_PAYLOAD", "AdbEndpoint", "ProtocolError"]
