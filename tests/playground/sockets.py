"""Opening a playground socket in tests; the ``sockets`` fixture closes what was opened."""

from __future__ import annotations

from typing import Any

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


async def until(communicator: WebsocketCommunicator, kind: str, **match: Any) -> list[dict]:
    """Every message up to and including the first of ``kind`` whose fields equal ``match``."""
    seen = []
    while True:
        message = await communicator.receive_json_from(timeout=5)
        seen.append(message)
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return seen
