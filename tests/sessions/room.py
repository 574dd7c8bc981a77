"""Helpers for the room-socket tests: sign in as the personas and talk to the room."""

from __future__ import annotations

import asyncio
import time
import weakref
from datetime import datetime, timezone
from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from kumoben.asgi import application
from patterns.sessions import joining
from patterns.sessions.models import StudySession

ORIGIN = (b"origin", b"http://127.0.0.1")
#: Every room socket the running test opened: the ``sockets`` fixture (conftest.py) disconnects
#: them when the test ends, passed or failed, so no consumer outlives its test.
OPENED: list[WebsocketCommunicator] = []


def room_socket(path: str, headers: list[tuple[bytes, bytes]]) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    OPENED.append(communicator)
    return communicator


@sync_to_async
def as_instructor(username: str = "instructor") -> tuple[StudySession, bytes]:
    # instructor: owns the session and is the only one whose commands change it.
    user = get_user_model().objects.create_user(username, password="pw-unused-123")
    user.user_permissions.add(Permission.objects.get(codename="run_study_sessions"))
    session = joining.create_session(user, f"{username}'s session")
    client = Client()
    client.force_login(user)
    return session, f"sessionid={client.cookies['sessionid'].value}".encode()


@sync_to_async
def as_student(session: StudySession, nickname: str) -> bytes:
    # student: joined with the code and a nickname; no account.
    client = Client()
    response = client.post("/sessions/join/", {"code": session.code, "nickname": nickname})
    assert response.status_code == 302, response.content
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(session: StudySession, cookie: bytes | None) -> WebsocketCommunicator:
    headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
    communicator = room_socket(f"/ws/sessions/{session.public_id}/", headers)
    connected, code = await communicator.connect(timeout=10)
    assert connected, code
    return communicator


# Frames of a sim.history batch not looked at yet, per socket (``until`` reads them first).
_UNREAD: weakref.WeakKeyDictionary[WebsocketCommunicator, list[dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


async def until(communicator: WebsocketCommunicator, kind: str, timeout: float = 10) -> dict:
    """The next message of ``kind``. A ``sim.history`` batch (windows due together: a catch-up,
    or a run played fast) counts as its frames, in order, unless ``kind`` asks for the batch.
    ``timeout`` bounds each wait only so that a missing message fails the test: frames are
    stepped in threads, and on a loaded machine (xdist next to other work) 2 s ran out."""
    unread = _UNREAD.setdefault(communicator, [])
    while True:
        if unread:
            frame = unread.pop(0)
        else:
            frame = await communicator.receive_json_from(timeout=timeout)
            if frame["type"] == "sim.history" and kind != "sim.history":
                unread.extend(frame["frames"])
                continue
        if frame["type"] == kind:
            return frame


async def until_hello(communicator: WebsocketCommunicator) -> dict[str, Any]:
    return await until(communicator, "hello")


class FakeClock:
    """Wall time that moves only when a test says so, for the room's shared run.

    ``now`` starts at the real time, in whole seconds so that the command log's datetimes hold it
    exactly (sessions expire by the real clock); ``advance`` moves it on
    and ``tick`` moves it to the earliest pending ``sleep``, as the real clock would get there,
    waking every sleep whose time has come. Nothing waits for real seconds.
    """

    def __init__(self) -> None:
        self.t = float(int(time.time()))
        self.sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self.t

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.t, tz=timezone.utc)

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.t + max(0.0, seconds), future))
        await future

    async def asleep(self, within_s: float = 30.0) -> None:
        """Once something sleeps on this clock (the room's streamer, between windows): an
        ``advance`` before that would start its next sleep from the advanced time."""
        give_up = time.monotonic() + within_s
        while not any(not f.done() for _at, f in self.sleepers):
            assert time.monotonic() < give_up, f"nothing slept on the clock in {within_s} s"
            await asyncio.sleep(0.01)

    def advance(self, seconds: float) -> None:
        self.t += seconds
        due = [(at, f) for at, f in self.sleepers if at <= self.t]
        self.sleepers = [(at, f) for at, f in self.sleepers if at > self.t]
        for _at, future in due:
            if not future.done():
                future.set_result(None)

    def tick(self) -> None:
        """On to the earliest sleep still waiting (its waker cancelled it, it is dropped)."""
        self.sleepers = [(at, f) for at, f in self.sleepers if not f.done()]
        if self.sleepers:
            self.advance(max(0.0, min(at for at, _f in self.sleepers) - self.t))
