"""The socket under a WebSocket, for the study rooms' process-local fan-out.

A room-wide frame (a state, a shared-run window) goes to every screen of the room in this
process. Through the ASGI stack each of those sends costs a trip through Channels' send chain,
daphne's reply handler and autobahn's framing, each re-encoding the same text; with 2,000
students that was most of a command's delay (bench/sessions_bench.py). The room encodes the
frame once (``patterns.sessions.fanout``) and writes the same bytes to each socket through the
:class:`Wire` this middleware puts in the scope as ``scope["kumoben.wire"]``.

Only daphne's plain-TCP WebSocket protocol gets a wire (autobahn under daphne, no compression:
daphne accepts no ``permessage-deflate`` offer). Anything else (TLS terminated in daphne, another
ASGI server, Channels' test communicator) gets none, and the room sends through ``send`` as
every other message does.
"""

from __future__ import annotations

import functools
from typing import Any

#: The scope key the wire is kept under.
SCOPE_KEY = "kumoben.wire"


class Wire:
    """One daphne WebSocket connection: ``write`` puts an already-framed server message on it,
    or says it cannot (closing, closed, or autobahn is holding a queue of its own)."""

    __slots__ = ("protocol",)

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol

    def open(self) -> bool:
        """Whether a frame can be written now (the socket is open, uncompressed, and autobahn
        holds no queue of its own)."""
        protocol = self.protocol
        transport = protocol.transport
        return not (
            protocol.state != protocol.STATE_OPEN
            or protocol.send_queue
            or protocol._perMessageCompress is not None
            or transport is None
            or not transport.connected
            or transport.disconnecting
            or transport._writeDisconnected
        )

    def write(self, frame: bytes) -> bool:
        """Write whole frames; False (nothing written) if the socket cannot take them now."""
        if not self.open():
            return False
        transport = self.protocol.transport
        # Nothing of Twisted's waits to go out before us: try the socket itself, and hand
        # Twisted only what it does not take. (Its write() registers the socket with the event
        # loop and sends on the next turn: two selector calls and a loop turn a message.)
        if not transport._tempDataLen and len(transport.dataBuffer) == transport.offset:
            try:
                sent = transport.socket.send(frame)
            except BlockingIOError:
                sent = 0
            except OSError:
                return False  # the connection is going; Twisted notices on its next read
            if sent == len(frame):
                return True
            frame = frame[sent:]
        transport.write(frame)
        return True


def wire_of(send: Any) -> Wire | None:
    """The wire under daphne's ``send`` for a WebSocket (``partial(server.handle_reply,
    protocol)``), or None."""
    if not isinstance(send, functools.partial) or len(send.args) != 1:
        return None
    protocol = send.args[0]
    needed = ("sendMessage", "send_queue", "state", "STATE_OPEN", "_perMessageCompress")
    transport = getattr(protocol, "transport", None)
    if transport is None or not all(hasattr(protocol, name) for name in needed):
        return None
    # Twisted's plain TCP connection (its TLS transport encrypts in write(), so it gets none).
    internals = ("socket", "dataBuffer", "offset", "_tempDataLen", "_writeDisconnected")
    if getattr(transport, "TLS", True) or not all(hasattr(transport, n) for n in internals):
        return None
    return Wire(protocol)


class ExposeWire:
    """ASGI middleware (outermost, so it sees daphne's own ``send``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            wire = wire_of(send)
            if wire is not None:
                scope = {**scope, SCOPE_KEY: wire}
        await self.app(scope, receive, send)
