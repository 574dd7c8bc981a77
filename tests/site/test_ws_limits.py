"""One address may hold only so many WebSockets open on a process (review D4)."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from kumoben.asgi import application

pytestmark = [pytest.mark.unit, pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _status_socket(address: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, "/ws/status/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    communicator.scope["client"] = (address, 50000)
    return communicator


@override_settings(KUMOBEN_SOCKETS_PER_ADDRESS=2)
async def test_an_address_beyond_its_sockets_is_refused_until_one_closes() -> None:
    first, second = _status_socket("203.0.113.7"), _status_socket("203.0.113.7")
    third, elsewhere = _status_socket("203.0.113.7"), _status_socket("198.51.100.4")
    accepted = [
        (await socket.connect(timeout=10))[0] for socket in (first, second, third, elsewhere)
    ]

    await first.disconnect()
    again = _status_socket("203.0.113.7")
    accepted_after_close = (await again.connect(timeout=10))[0]
    for socket in (second, elsewhere, again):
        await socket.disconnect()

    assert accepted == [True, True, False, True]
    assert accepted_after_close is True
