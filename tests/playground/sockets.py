"""Opening a playground socket in tests; the ``sockets`` fixture closes what was opened."""

from __future__ import annotations

from channels.testing import WebsocketCommunicator

from kumoben.asgi import application

ORIGIN = [(b"origin", b"http://127.0.0.1")]
OPENED: list[WebsocketCommunicator] = []


async def connected() -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/playground/", headers=ORIGIN)
    OPENED.append(communicator)
    ok, _ = await communicator.connect()
    assert ok
    return communicator
