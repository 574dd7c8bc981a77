"""Opening (and resuming on) a playground socket in tests; the ``sockets`` fixture closes what was
opened."""

from __future__ import annotations

from typing import Any

from channels.testing import WebsocketCommunicator

from kumoben.asgi import application

ORIGIN = [(b"origin", b"http://127.0.0.1")]
OPENED: list[WebsocketCommunicator] = []


async def connected() -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/playground/", headers=ORIGIN)
    OPENED.append(communicator)
    ok, _ = await communicator.connect(timeout=10)
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


async def resumed(hello: dict, after_seq: int, **fields: Any) -> WebsocketCommunicator:
    """A new socket that resumes the run ``hello`` announced, after frame ``after_seq``, on the
    shared branch; ``fields`` add to or override the resume frame (``log``, ``speed``,
    ``paused``)."""
    again = await connected()
    await again.send_json_to(
        {
            "type": "resume",
            "run": hello["run"],
            "scenario": hello["scenario"],
            "log": hello["log"],
            "after_seq": after_seq,
            "branch": 0,
            **fields,
        }
    )
    return again


async def started_then_resumed(
    scenario: dict, after_seq: int, **fields: Any
) -> tuple[list[dict], WebsocketCommunicator]:
    """Start ``scenario`` at speed 2, drop the socket once frame ``after_seq`` has arrived, and
    resume on a new socket after that frame. Returns what came before the drop (the hello
    first) and the new socket."""
    first = await connected()
    await first.send_json_to({"type": "start", "scenario": scenario, "speed": 2})
    before = await until(first, "frame", seq=after_seq)
    await first.disconnect()
    return before, await resumed(before[0], after_seq, **fields)
