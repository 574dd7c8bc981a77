"""Fixtures of the study-session tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest_asyncio
from channels.testing import WebsocketCommunicator

from tests.sessions import room


@pytest_asyncio.fixture
async def sockets() -> AsyncIterator[list[WebsocketCommunicator]]:
    """The room sockets a test opens (``room.connect``, ``room.room_socket``), disconnected
    when it ends, whether it passed or failed."""
    room.OPENED.clear()
    try:
        yield room.OPENED
    finally:
        while room.OPENED:
            communicator = room.OPENED.pop()
            if not communicator.future.done():
                with contextlib.suppress(Exception):
                    await communicator.disconnect()
