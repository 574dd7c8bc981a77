"""The study room's shared simulation: one run a session, frames from the command log."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from patterns.player.playback import diagram_topology, instant_frames, readout_values
from patterns.sessions import log
from patterns.sessions import shared_run as session_sim
from patterns.sessions.models import SessionCommand
from patterns.sessions.relay import RoomRelay
from patterns.sim import BUILTIN_SCENARIOS, Simulation
from tests.sessions.room import FakeClock, as_instructor, as_student, connect, until, until_hello

pytestmark = [
    pytest.mark.unit,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sockets", "clock"),
]

KILL = {"do": "kill_task", "task": "inventory-2"}


async def _next_while_time_passes(
    communicator: WebsocketCommunicator, clock: FakeClock
) -> dict[str, Any]:
    """The next message; while none is waiting, the clock moves on to the streamer's next wake
    (for at most 60 real seconds: a stream that has ended sends nothing more)."""
    give_up = time.monotonic() + 60.0
    while await communicator.receive_nothing(timeout=0.01):
        assert time.monotonic() < give_up, "nothing more came in 60 s"
        clock.tick()
    return await communicator.receive_json_from()


def _unbatched(message: dict[str, Any]) -> list[dict[str, Any]]:
    """A message, or the messages of a sim.history batch (windows due together), in order."""
    return message["frames"] if message["type"] == "sim.history" else [message]


async def _messages(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    """The next message, or the messages of a sim.history batch, in order."""
    return _unbatched(await communicator.receive_json_from(timeout=10))


async def _frames_until_action(communicator: WebsocketCommunicator) -> dict[str, Any]:
    """sim.frame messages until the one whose events show the instructor's action applied."""
    while True:
        for frame in await _messages(communicator):
            if frame["type"] == "sim.frame" and any(
                e["cause"] == "action_applied" for e in frame["events"]
            ):
                return frame


async def _start(instructor: WebsocketCommunicator, speed: float = 10) -> None:
    for frame in [
        {"type": "scenario", "scenario": "steady", "seed": 7},
        {"type": "speed", "value": speed},
        {"type": "play"},
    ]:
        await instructor.send_json_to(frame)
        await until(instructor, "state")


async def test_instructor_action_reaches_every_student_at_the_same_virtual_time() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    aya = await connect(session, await as_student(session, "Aya"))
    ken = await connect(session, await as_student(session, "Ken"))
    for communicator in (instructor, aya, ken):
        await until_hello(communicator)
    await _start(instructor)

    await instructor.send_json_to({"type": "action", "action": KILL})
    seen = [await _frames_until_action(c) for c in (instructor, aya, ken)]

    payloads = await sync_to_async(list)(
        SessionCommand.objects.filter(session=session, kind="action").values_list(
            "payload", flat=True
        )
    )
    at_s = payloads[0]["action"]["at_s"]
    assert seen[0] == seen[1] == seen[2]
    applied = [e for e in seen[0]["events"] if e["cause"] == "action_applied"]
    assert [(e["t"], e["el"]) for e in applied] == [(at_s, ["task-inventory-2"])]
    assert seen[0]["t0"] == math.floor(at_s)


async def _stream_until_action(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    """Every sim.frame and sim.log message up to the frame showing the instructor's action."""
    seen = []
    while True:
        for message in await _messages(communicator):
            if message["type"] in ("sim.frame", "sim.log"):
                seen.append(message)
            if message["type"] == "sim.frame" and any(
                e["cause"] == "action_applied" for e in message["events"]
            ):
                return seen


def _kept(stream: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The frames a player keeps: a rewind drops every frame from its seq on."""
    frames: list[dict[str, Any]] = []
    for message in stream:
        if message["type"] == "sim.log" and "rewind" in message:
            frames = [f for f in frames if f["seq"] < message["rewind"]["seq"]]
        elif message["type"] == "sim.frame":
            frames.append(message)
    return frames


async def test_action_rewinds_the_window_sent_ahead_and_screens_keep_the_same_frames(
    clock: FakeClock,
) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    aya = await connect(session, await as_student(session, "Aya"))
    for communicator in (instructor, aya):
        await until_hello(communicator)
    await _start(instructor, speed=1)
    # Frames run a wall second ahead of the shared clock: at vt 0 the windows [0, 1) and [1, 2)
    # are out, as the history of the new run. (The instructor's arrived while _start waited.)
    first = (await until(aya, "sim.history"))["frames"]
    assert [f["t0"] for f in first] == [0.0, 1.0]
    clock.advance(1.3)  # the shared clock is past 1 s: the action lands in window 1 or later

    await instructor.send_json_to({"type": "action", "action": KILL})
    streams = [await _stream_until_action(c) for c in (instructor, aya)]
    streams[1][:0] = first

    (payload,) = await sync_to_async(list)(
        SessionCommand.objects.filter(session=session, kind="action").values_list(
            "payload", flat=True
        )
    )
    at_s = payload["action"]["at_s"]
    window = math.floor(at_s)
    assert window >= 1
    for stream in streams:
        logged = next(m for m in stream if m["type"] == "sim.log")
        assert logged["applied"] == payload["action"]
        assert logged["rewind"] == {"seq": window, "t": float(window)}
    # Window `window` went out before the action (ahead of the clock) and again after it.
    assert [f["seq"] for f in streams[1] if f["type"] == "sim.frame"].count(window) == 2
    kept = _kept(streams[1])
    assert [f["seq"] for f in kept] == list(range(window + 1))
    assert kept[-1] == streams[0][-1]


async def test_screens_in_two_languages_get_the_action_at_the_same_time_in_their_words(
    clock: FakeClock,
) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    # Aya's page is in Japanese (the language cookie): her stream is built in Japanese.
    ja_cookie = await as_student(session, "Aya") + b"; django_language=ja"
    aya = await connect(session, ja_cookie)
    for communicator in (instructor, aya):
        await until_hello(communicator)
    await _start(instructor, speed=1)
    clock.advance(0.5)

    await instructor.send_json_to({"type": "action", "action": KILL})
    en, ja = [await _stream_until_action(c) for c in (instructor, aya)]

    assert en[-1]["seq"] == ja[-1]["seq"]
    (en_event,) = [e for e in en[-1]["events"] if e["cause"] == "action_applied"]
    (ja_event,) = [e for e in ja[-1]["events"] if e["cause"] == "action_applied"]
    assert (en_event["t"], en_event["el"]) == (ja_event["t"], ja_event["el"])
    assert en_event["text"] == "Action kill_task was applied to task inventory-2."
    assert ja_event["text"] != en_event["text"] and "inventory-2" in ja_event["text"]
    # Everything but the narration is the same in both languages.
    strip = [{k: v for k, v in e.items() if k != "text"} for e in en[-1]["events"]]
    assert strip == [{k: v for k, v in e.items() if k != "text"} for e in ja[-1]["events"]]


async def _streamer(session: Any) -> Any:
    relay = next(
        relays[session.pk] for relays in RoomRelay._by_layer.values() if session.pk in relays
    )
    return relay.sim


async def test_an_action_is_served_by_the_tail_and_equals_a_rebuild(clock: FakeClock) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await _start(instructor, speed=5)
    streamer = await _streamer(session)
    for _ in range(100):  # the tail is built in the background after the run starts
        if streamer.views["en"].tail is not None:
            break
        await asyncio.sleep(0.05)
    # The tail follows the shared clock, TAIL_WALL_S behind: 1.5 s at 5x puts the clock at
    # 7.5 s, the tail at window 2, and the frames sent ahead up to window 12.
    await clock.asleep()
    clock.advance(1.5)
    while (await until(instructor, "sim.frame"))["seq"] < 12:
        pass
    async with streamer.lock:  # held while the frames go out and the tail moves on
        assert streamer.views["en"].tail.window == 2

    await instructor.send_json_to({"type": "action", "action": KILL})
    frame = await _frames_until_action(instructor)

    assert (streamer.switches, streamer.rebuilds) == (1, 0)
    state = await sync_to_async(log.rebuild_state)(session.pk)
    rebuilt = session_sim.build(state["sim"], "en", diagram_topology)
    rebuilt.skip_to_window(frame["seq"])
    assert {**rebuilt.step()[0], "type": "sim.frame"} == frame
    # A new tail is on its way for the next action.
    for _ in range(100):
        if streamer.views["en"].tail is not None:
            break
        await asyncio.sleep(0.05)
    assert streamer.views["en"].tail.log == state["sim"]["log"]


async def test_action_while_paused_applies_at_the_moment_on_screen(clock: FakeClock) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await _start(instructor, speed=10)
    clock.advance(0.375)  # a binary fraction: the clock and the log hold it exactly
    await instructor.send_json_to({"type": "pause"})
    paused = await until(instructor, "state")

    await instructor.send_json_to({"type": "action", "action": KILL})
    stream = await _stream_until_action(instructor)

    vt = paused["state"]["sim"]["vt"]
    assert vt == 3.75  # 0.375 s at 10x
    applied = next(m for m in stream if m["type"] == "sim.log")["applied"]
    assert applied["at_s"] == math.floor(vt * 1000) / 1000
    assert stream[-1]["t0"] == math.floor(applied["at_s"])


async def test_student_sim_command_is_refused_and_changes_nothing() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await _start(instructor)
    student = await connect(session, await as_student(session, "Aya"))
    await until_hello(student)
    before = await sync_to_async(log.rebuild_state)(session.pk)

    replies = []
    for frame in [
        {"type": "scenario", "scenario": "kill-task"},
        {"type": "action", "action": KILL},
        {"type": "pause"},
        {"type": "speed", "value": 0.5},
    ]:
        await student.send_json_to(frame)
        replies.append(await until(student, "error"))

    assert {(r["field"], r["reason"]) for r in replies} == {
        ("type", "only the instructor can do that")
    }
    assert await sync_to_async(log.rebuild_state)(session.pk) == before


async def test_instructor_action_the_engine_refuses_is_an_error_and_not_logged() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await _start(instructor)

    await instructor.send_json_to(
        {"type": "action", "action": {"do": "kill_task", "task": "nope-9"}}
    )
    error = await until(instructor, "error")

    assert error["field"] == "action.task"
    kinds = await sync_to_async(list)(
        SessionCommand.objects.filter(session=session).values_list("kind", flat=True)
    )
    assert kinds == ["scenario", "speed", "play"]


async def test_late_joiner_and_restart_get_the_same_frames_from_the_log() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await _start(instructor)
    await instructor.send_json_to({"type": "action", "action": KILL})
    first = await _frames_until_action(instructor)
    await instructor.send_json_to({"type": "pause"})
    await until(instructor, "state")
    await instructor.disconnect()
    # Every socket of the room is gone, so this process's relay and its streamer are gone too:
    # as after a restart, the next socket rebuilds the run from the database's command log.
    assert all(session.pk not in relays for relays in RoomRelay._by_layer.values())

    late = await connect(session, await as_student(session, "Late"))
    hello = await until_hello(late)
    sim_hello = await until(late, "sim.hello")
    replayed: list[dict[str, Any]] = []
    while first["seq"] not in [f["seq"] for f in replayed]:
        replayed += (await until(late, "sim.history"))["frames"]
    replayed = replayed[: first["seq"] + 1]

    assert sim_hello["run"] == hello["state"]["sim"]["run"]
    assert [a["do"] for a in sim_hello["log"]] == ["kill_task"]
    assert [f["seq"] for f in replayed] == list(range(first["seq"] + 1))
    assert replayed[-1] == first


async def test_students_get_the_engines_readouts_after_a_fault(clock: FakeClock) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    student = await connect(session, await as_student(session, "Aya"))
    await until_hello(instructor)
    await until_hello(student)
    await _start(instructor)

    await instructor.send_json_to({"type": "action", "action": KILL})
    # The clock stands still until the action is in the log: ticking meanwhile could run the
    # shared clock past the run's end on a machine slow to write the command.
    await until(instructor, "sim.log")
    anchor, readouts, arrived = None, None, 0.0
    give_up = time.monotonic() + 60.0  # real seconds: the engine's threads run in real time
    while readouts is None and time.monotonic() < give_up:
        message = await _next_while_time_passes(student, clock)
        if message["type"] == "state":
            anchor = message["state"]["sim"]
        # Readouts come alone or inside a sim.history batch (as on a loaded machine); those
        # from before the kill come first, from the first window.
        for item in _unbatched(message):
            if item["type"] == "sim.readouts" and item["values"]["faults"]:
                readouts, arrived = item, clock.now()
                break
    assert readouts is not None, "no readouts with the fault in 60 s"

    assert readouts["pattern"] == "elb"
    # Computed where the frames are (ahead of the shared clock), sent once the clock is there.
    assert anchor is not None and anchor["playing"]
    assert session_sim.virtual_time(anchor, arrived) >= readouts["t"] - 1e-6
    assert [(f["task"], f["do"]) for f in readouts["values"]["faults"]] == [
        ("inventory-2", "kill_task")
    ]


async def _first_readouts(
    communicator: WebsocketCommunicator, clock: FakeClock
) -> tuple[dict[str, Any], float, float]:
    """The first sim.readouts (in a history batch or alone), the wall time it arrived at and
    the end of the history (the frames sent at once to a screen that joins a running session)."""
    head = 0.0
    give_up = time.monotonic() + 60.0  # real seconds: the engine's threads run in real time
    while time.monotonic() < give_up:
        message = await _next_while_time_passes(communicator, clock)
        for item in _unbatched(message):
            if item["type"] == "sim.frame" and message["type"] == "sim.history":
                head = max(head, item["t1"])
            if item["type"] == "sim.readouts":
                return item, clock.now(), head
    raise AssertionError("no sim.readouts in 60 s")


def _engine_readouts(t: float) -> dict[str, Any]:
    """The readouts of the session's run (steady, seed 7, ELB) run straight to ``t``."""
    engine = Simulation("steady", pattern="elb", seed=7)
    engine.advance(t)
    return readout_values(engine.brief_result())


async def test_screens_get_the_engines_readouts_from_the_first_window_before_any_action(
    clock: FakeClock,
) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    student = await connect(session, await as_student(session, "Aya"))
    await until_hello(instructor)
    await until_hello(student)
    await _start(instructor)

    readouts, arrived, _head = await _first_readouts(student, clock)

    # The first window's reading, as the instant run of the same scenario has it at 1 s.
    assert (readouts["pattern"], readouts["t"], readouts["values"]["faults"]) == ("elb", 1.0, [])
    instant = instant_frames(BUILTIN_SCENARIOS["steady"], "elb", 7)["readouts"][0]
    assert instant["values"]["t"] == 1.0
    assert readouts["values"] == instant["values"] == _engine_readouts(1.0)
    assert readouts["values"]["requests"] > 0
    # Sent once the shared clock is there, not before.
    state = await sync_to_async(log.rebuild_state)(session.pk)
    assert session_sim.virtual_time(state["sim"], arrived) >= 1.0 - 1e-6


async def test_a_screen_joining_a_running_session_gets_readouts_at_the_head(
    clock: FakeClock,
) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await _start(instructor, speed=1)
    clock.advance(37.5)

    # A Japanese screen: this process has no view in Japanese yet, so one is built and caught
    # up to the head; its first readouts are the engine's at that head, not at the next 5 s.
    ja_cookie = await as_student(session, "Ken") + b"; django_language=ja"
    late = await connect(session, ja_cookie)
    await until_hello(late)
    # The Japanese view is built and caught up before its sim.hello: wait for that without
    # moving the clock, so it is built at 37.5 s.
    await until(late, "sim.hello", timeout=10)
    readouts, _arrived, head = await _first_readouts(late, clock)

    # With the history (which runs a second ahead of the shared clock at 37.5 s): the reading
    # of the last window the clock has reached, not one at the next multiple of 5 s.
    assert (readouts["t"], head) == (37.0, 39.0)
    assert readouts["values"] == _engine_readouts(37.0)
    assert readouts["values"]["requests"] > 0
