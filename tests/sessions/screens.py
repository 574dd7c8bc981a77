"""A room socket as a player keeps the shared run (``Screen``), and the steps the resume and
snapshot tests take with it: open one, let fake time pass, start a long run, wait until every
screen has stopped receiving."""

from __future__ import annotations

import json
from typing import Any

from channels.testing import WebsocketCommunicator

from tests.sessions.room import ORIGIN, FakeClock, room_socket, until


class Screen:
    """A room socket and what a player keeps of the shared run: the frames by seq (a rewind or a
    resume drops those from its seq on), the log, and the bytes received."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.frames: list[str] = []  # by seq from ``first``, as received (re-encoded canonically)
        self.first = 0  # the seq of frames[0]: a snapshot starts late, older windows come asked
        self.log: list[dict[str, Any]] = []
        self.run: str | None = None
        self.bytes = 0
        self.kinds: list[str] = []

    def takes_over(self, before: Screen) -> None:
        """The same page after a reconnect: it still holds what it had."""
        self.frames, self.run, self.log = list(before.frames), before.run, before.log
        self.first = before.first

    def file(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        self.kinds.append(kind)
        if kind == "sim.history":
            for item in message["frames"]:
                self.file(item)
        elif kind == "sim.hello":
            self.run, self.frames, self.log, self.first = message["run"], [], message["log"], 0
        elif kind == "sim.snapshot":
            assert not self.frames
            self.first = message["from"]["seq"]
        elif kind == "sim.older":
            older = [json.dumps(f, sort_keys=True) for f in message["frames"]]
            assert older and message["frames"][-1]["seq"] == self.first - 1, "a gap"
            self.frames, self.first = older + self.frames, message["frames"][0]["seq"]
        elif kind in ("sim.log", "sim.resume"):
            self.log = message["log"]
            if "rewind" in message:
                del self.frames[message["rewind"]["seq"] - self.first :]
        elif kind == "sim.frame":
            assert message["seq"] == self.first + len(self.frames), "a gap or a duplicate"
            self.frames.append(json.dumps(message, sort_keys=True))

    async def drain(self, quiet_s: float = 0.05, first: str | None = None) -> None:
        """Everything sent so far (nothing is waiting once ``quiet_s`` pass without a message),
        after a message of type ``first`` if given (a new view steps the engine to the shared
        clock in a thread before it sends anything of the run)."""
        while first is not None and first not in self.kinds:
            text = await self.communicator.receive_from(timeout=120)
            self.bytes += len(text.encode())
            self.file(json.loads(text))
        while not await self.communicator.receive_nothing(timeout=quiet_s):
            text = await self.communicator.receive_from(timeout=5)
            self.bytes += len(text.encode())
            self.file(json.loads(text))

    def have(self) -> str:
        return f"{self.run}.{self.first + len(self.frames)}.{len(self.log)}"


async def settle(screens: list[Screen]) -> None:
    """Drain every screen until a round brings none of them anything: the clock is fake, but the
    streamer may still be stepping the windows it owes (in a thread; slower on PostgreSQL), and a
    single short quiet spell ended one screen's drain a frame early (CI on 5354e5d)."""
    for _ in range(20):
        before = [len(s.frames) + len(s.kinds) for s in screens]
        for screen in screens:
            await screen.drain(quiet_s=0.3)
        if [len(s.frames) + len(s.kinds) for s in screens] == before:
            return
    raise AssertionError("the screens never stopped receiving")


async def open_screen(session: Any, cookie: bytes, have: str | None = None) -> Screen:
    query = f"?sim={have}" if have is not None else ""
    communicator = room_socket(
        f"/ws/sessions/{session.public_id}/{query}", [ORIGIN, (b"cookie", cookie)]
    )
    connected, code = await communicator.connect(timeout=10)
    assert connected, code
    return Screen(communicator)


async def run_for(clock: FakeClock, screens: list[Screen], wall_s: float) -> None:
    """Let ``wall_s`` seconds pass on the clock, in steps, the screens taking what is sent."""
    left = wall_s
    while left > 1e-9:
        step = min(0.5, left)
        clock.advance(step)
        left -= step
        for screen in screens:
            await screen.drain()


async def long_run(instructor: WebsocketCommunicator, duration_s: int) -> None:
    scenario = {"name": "long", "description": "steady, long", "duration_s": duration_s}
    for frame in [
        {"type": "scenario", "scenario": scenario, "seed": 7},
        {"type": "speed", "value": 10},
        {"type": "play"},
    ]:
        await instructor.send_json_to(frame)
        await until(instructor, "state", timeout=30)
