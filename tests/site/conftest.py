"""Fixtures for the site-wide tests: sockets to the app that are always closed after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest_asyncio
from channels.testing import WebsocketCommunicator

from kumoben.asgi import application

ORIGIN = b"http://127.0.0.1"

Socket = tuple[WebsocketCommunicator, bool, "int | None"]
OpenSocket = Callable[..., Awaitable[Socket]]


@pytest_asyncio.fixture
async def open_socket(warm_engine: None) -> AsyncIterator[OpenSocket]:
    """Opens a socket to ``path`` (same-origin unless told, with an optional cookie) and returns
    (communicator, connected, close code); every socket it opened is disconnected at teardown,
    also when the test fails."""
    opened: list[WebsocketCommunicator] = []

    async def open_(path: str, cookie: bytes | None = None, origin: bytes = ORIGIN) -> Socket:
        headers = [(b"origin", origin)] + ([(b"cookie", cookie)] if cookie else [])
        communicator = WebsocketCommunicator(application, path, headers=headers)
        opened.append(communicator)
        connected, code = await communicator.connect(timeout=10)
        return communicator, connected, code

    try:
        yield open_
    finally:
        for communicator in opened:
            await communicator.disconnect()
