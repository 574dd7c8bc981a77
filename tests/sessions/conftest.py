"""Fixtures of the study-session tests."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
import pytest_asyncio
from channels.testing import WebsocketCommunicator

from patterns.sessions import log, relay
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


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> room.FakeClock:
    """One fake wall clock for the shared run: the streamer paces by it and the command log
    anchors the shared clock with it, so a test moves time on instead of sleeping."""
    fake = room.FakeClock()
    streamer = functools.partial(relay.SimStreamer, clock=fake.now, sleep=fake.sleep)
    monkeypatch.setattr(relay, "SimStreamer", streamer)
    monkeypatch.setattr(log, "timezone", SimpleNamespace(now=fake.datetime))
    return fake
