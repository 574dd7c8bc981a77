"""Fixtures of the playground tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest_asyncio
from channels.testing import WebsocketCommunicator

from tests.playground import sockets as opened


@pytest_asyncio.fixture
async def sockets(warm_engine: None) -> AsyncIterator[list[WebsocketCommunicator]]:
    """The playground sockets a test opens (``sockets.connected``), disconnected when it ends,
    whether it passed or failed."""
    opened.OPENED.clear()
    try:
        yield opened.OPENED
    finally:
        while opened.OPENED:
            communicator = opened.OPENED.pop()
            if not communicator.future.done():
                with contextlib.suppress(Exception):
                    await communicator.disconnect()
