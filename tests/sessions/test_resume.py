"""A screen that connects again is sent what it missed, not the whole run (review D14).

The oracle is a screen that never left: after the reconnect, the frames the returning screen
holds (its own from before the drop, less those the resume drops, plus those sent again) are the
same, byte for byte, as the uninterrupted screen's.
"""

from __future__ import annotations

import functools
import json
from types import SimpleNamespace
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from patterns.errors import FieldError
from patterns.sessions import log, relay
from patterns.sessions.stream import Have, parse_have
from tests.sessions.room import (
    ORIGIN,
    FakeClock,
    as_instructor,
    as_student,
    connect,
    room_socket,
    until,
    until_hello,
)

pytestmark = [pytest.mark.unit]

KILL = {"do": "kill_task", "task": "inventory-2"}
#: What a reconnect after a short drop may cost, however long the run (bytes on the socket: the
#: room's hello and the shared run's resume with the frames missed). A whole frame with its dots
#: is about 8 KB in this scenario; two seconds away at 10x is 20 windows, plus the second ahead.
RECONNECT_BOUND = 384 * 1024


def test_have_reads_run_next_frame_and_actions() -> None:
    assert parse_have("s12.340.1") == Have("s12", 340, 1)
    assert parse_have(None) is None
    assert parse_have("") is None


@pytest.mark.parametrize(
    "value",
    [
        "s12.340",
        "x12.340.1",
        "s.1.1",
        "s12.-1.0",
        "s12.1.1.1",
        "s12.1e3.0",
        "s1.².0",
        "s1." + "9" * 70,
    ],
)
def test_a_malformed_have_names_the_field(value: str) -> None:
    with pytest.raises(FieldError) as refused:
        parse_have(value)
    assert refused.value.field == "sim"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    streamer = functools.partial(relay.SimStreamer, clock=fake.now, sleep=fake.sleep)
    monkeypatch.setattr(relay, "SimStreamer", streamer)
    monkeypatch.setattr(log, "timezone", SimpleNamespace(now=fake.datetime))
    return fake


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


async def _settle(screens: list[Screen]) -> None:
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


async def _open(session: Any, cookie: bytes, have: str | None = None) -> Screen:
    query = f"?sim={have}" if have is not None else ""
    communicator = room_socket(
        f"/ws/sessions/{session.public_id}/{query}", [ORIGIN, (b"cookie", cookie)]
    )
    connected, code = await communicator.connect()
    assert connected, code
    return Screen(communicator)


async def _run_for(clock: FakeClock, screens: list[Screen], wall_s: float) -> None:
    """Let ``wall_s`` seconds pass on the clock, in steps, the screens taking what is sent."""
    left = wall_s
    while left > 1e-9:
        step = min(0.5, left)
        clock.advance(step)
        left -= step
        for screen in screens:
            await screen.drain()


async def _long_run(instructor: WebsocketCommunicator, duration_s: int) -> None:
    scenario = {"name": "long", "description": "steady, long", "duration_s": duration_s}
    for frame in [
        {"type": "scenario", "scenario": scenario, "seed": 7},
        {"type": "speed", "value": 10},
        {"type": "play"},
    ]:
        await instructor.send_json_to(frame)
        await until(instructor, "state", timeout=30)


def _resumes(session_id: int) -> int:
    return sum(
        relays[session_id].sim.resumes
        for relays in relay.RoomRelay._by_layer.values()
        if session_id in relays
    )


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sockets")
async def test_a_screen_back_after_a_drop_holds_the_frames_of_one_that_stayed(
    clock: FakeClock,
) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    stayed = await _open(session, await as_student(session, "Stayed"))
    away_cookie = await as_student(session, "Away")
    away = await _open(session, away_cookie)
    await _long_run(instructor, 600)
    await _run_for(clock, [stayed, away], 3.0)
    assert len(away.frames) > 30
    await away.communicator.disconnect()

    # While away: the instructor kills a task (an action this screen has not seen) and the
    # run goes on.
    await _run_for(clock, [stayed], 0.5)
    await instructor.send_json_to({"type": "action", "action": KILL})
    await until(instructor, "state")
    await _run_for(clock, [stayed], 1.5)

    held = len(away.frames)
    back = await _open(session, away_cookie, away.have())
    back.takes_over(away)
    await back.drain(first="sim.resume")
    await _settle([back, stayed])

    assert "sim.resume" in back.kinds and "sim.hello" not in back.kinds
    assert _resumes(session.pk) == 1
    # It was sent the frames from the action's window on, not the run from its start.
    resent = back.kinds.count("sim.frame")
    assert 0 < resent <= len(stayed.frames) - held + 20
    assert back.frames == stayed.frames
    assert [a["do"] for a in back.log] == ["kill_task"]


async def _reconnect_bytes(clock: FakeClock, minutes: int) -> tuple[int, int]:
    """Bytes a screen receives reconnecting 2 s after a drop, ``minutes`` into a run at 10x;
    and the bytes a new screen got at the same moment (a snapshot)."""
    session, cookie = await as_instructor(f"teacher{minutes}")
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await _long_run(instructor, 1900)
    clock.advance(minutes * 60 / 10)
    watcher_cookie = await as_student(session, "Watcher")
    watcher = await _open(session, watcher_cookie)
    await watcher.drain(quiet_s=1.0, first="sim.hello")
    assert watcher.frames and json.loads(watcher.frames[-1])["t0"] >= minutes * 60
    whole = watcher.bytes
    await _run_for(clock, [watcher], 1.0)
    await watcher.drain(quiet_s=0.5)  # all that was sent, however busy the machine
    await watcher.communicator.disconnect()
    await _run_for(clock, [], 2.0)
    back = await _open(session, watcher_cookie, watcher.have())
    back.takes_over(watcher)
    await back.drain(quiet_s=1.0, first="sim.resume")
    assert "sim.resume" in back.kinds and "sim.hello" not in back.kinds
    await back.communicator.disconnect()
    await instructor.disconnect()
    return back.bytes, whole


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sockets")
async def test_reconnect_costs_the_same_after_5_and_30_minutes_of_run(clock: FakeClock) -> None:
    after_5, whole_5 = await _reconnect_bytes(clock, 5)
    after_30, whole_30 = await _reconnect_bytes(clock, 30)
    assert after_5 < RECONNECT_BOUND and after_30 < RECONNECT_BOUND
    # Two seconds away cost the same at 5 and at 30 minutes (within the frames' own variation)…
    assert abs(after_30 - after_5) < 0.25 * after_5
    # …and so does a new screen's snapshot (tests/sessions/test_snapshot.py).
    assert abs(whole_30 - whole_5) < 0.25 * whole_5


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sockets")
async def test_a_malformed_have_is_an_error_frame_and_the_whole_run(clock: FakeClock) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await _long_run(instructor, 120)
    screen = await _open(session, await as_student(session, "Odd"), "s1.x.0")
    error = await until(screen.communicator, "error")
    assert error["field"] == "sim"
    await until(screen.communicator, "sim.hello")


def test_a_malformed_have_is_explained_in_japanese() -> None:
    from django.utils import translation

    from patterns.errors import localized_frame

    with pytest.raises(FieldError) as refused, translation.override("ja"):
        parse_have("s1.x.0")
    with translation.override("ja"):
        frame = localized_frame(refused.value)
    assert frame["field"] == "sim"
    assert (
        frame["reason"] == "<run>.<next frame>.<actions> の形式（例：s12.340.1）で指定してください"
    )
