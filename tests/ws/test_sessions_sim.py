"""The study room's shared simulation: one run a session, frames from the command log."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from patterns import services
from patterns.consumers_sessions import RoomRelay
from patterns.models import SessionCommand
from tests.ws.test_sessions_room import _connect, _hello, _instructor, _student, _until

pytestmark = [pytest.mark.unit, pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

KILL = {"do": "kill_task", "task": "inventory-2"}


async def _frames_until_action(communicator: WebsocketCommunicator) -> dict[str, Any]:
    """sim.frame messages until the one whose events show the instructor's action applied."""
    while True:
        frame = await _until(communicator, "sim.frame", timeout=10)
        if any(e["cause"] == "action_applied" for e in frame["events"]):
            return frame


async def _start(instructor: WebsocketCommunicator, speed: float = 10) -> None:
    for frame in [
        {"type": "scenario", "scenario": "steady", "seed": 7},
        {"type": "speed", "value": speed},
        {"type": "play"},
    ]:
        await instructor.send_json_to(frame)
        await _until(instructor, "state")


async def test_instructor_action_reaches_every_student_at_the_same_virtual_time() -> None:
    session, cookie = await _instructor()
    instructor = await _connect(session, cookie)
    aya = await _connect(session, await _student(session, "Aya"))
    ken = await _connect(session, await _student(session, "Ken"))
    for communicator in (instructor, aya, ken):
        await _hello(communicator)
    await _start(instructor)

    await instructor.send_json_to({"type": "action", "action": KILL})
    seen = [await _frames_until_action(c) for c in (instructor, aya, ken)]

    log = await sync_to_async(list)(
        SessionCommand.objects.filter(session=session, kind="action").values_list(
            "payload", flat=True
        )
    )
    at_s = log[0]["action"]["at_s"]
    assert seen[0] == seen[1] == seen[2]
    applied = [e for e in seen[0]["events"] if e["cause"] == "action_applied"]
    assert [(e["t"], e["el"]) for e in applied] == [(at_s, ["task-inventory-2"])]
    assert seen[0]["t0"] == at_s
    for communicator in (instructor, aya, ken):
        await communicator.disconnect()


async def test_student_sim_command_is_refused_and_changes_nothing() -> None:
    session, cookie = await _instructor()
    instructor = await _connect(session, cookie)
    await _hello(instructor)
    await _start(instructor)
    student = await _connect(session, await _student(session, "Aya"))
    await _hello(student)
    before = await sync_to_async(services.rebuild_state)(session.pk)

    replies = []
    for frame in [
        {"type": "scenario", "scenario": "kill-task"},
        {"type": "action", "action": KILL},
        {"type": "pause"},
        {"type": "speed", "value": 0.5},
    ]:
        await student.send_json_to(frame)
        replies.append(await _until(student, "error"))

    assert {(r["field"], r["reason"]) for r in replies} == {
        ("type", "only the instructor can do that")
    }
    assert await sync_to_async(services.rebuild_state)(session.pk) == before
    await instructor.disconnect()
    await student.disconnect()


async def test_instructor_action_the_engine_refuses_is_an_error_and_not_logged() -> None:
    session, cookie = await _instructor()
    instructor = await _connect(session, cookie)
    await _hello(instructor)
    await _start(instructor)

    await instructor.send_json_to(
        {"type": "action", "action": {"do": "kill_task", "task": "nope-9"}}
    )
    error = await _until(instructor, "error")

    assert error["field"] == "action.task"
    kinds = await sync_to_async(list)(
        SessionCommand.objects.filter(session=session).values_list("kind", flat=True)
    )
    assert kinds == ["scenario", "speed", "play"]
    await instructor.disconnect()


async def test_late_joiner_and_restart_get_the_same_frames_from_the_log() -> None:
    session, cookie = await _instructor()
    instructor = await _connect(session, cookie)
    await _hello(instructor)
    await _start(instructor)
    await instructor.send_json_to({"type": "action", "action": KILL})
    first = await _frames_until_action(instructor)
    await instructor.send_json_to({"type": "pause"})
    await _until(instructor, "state")
    await asyncio.sleep(0.3)  # windows due before the pause are sent
    await instructor.disconnect()
    # Every socket of the room is gone, so this process's relay and its streamer are gone too:
    # as after a restart, the next socket rebuilds the run from the database's command log.
    assert all(session.pk not in relays for relays in RoomRelay._by_layer.values())

    late = await _connect(session, await _student(session, "Late"))
    hello = await _hello(late)
    sim_hello = await _until(late, "sim.hello")
    replayed = []
    while True:
        frame = await _until(late, "sim.frame")
        replayed.append(frame)
        if frame["seq"] == first["seq"]:
            break

    assert sim_hello["run"] == hello["state"]["sim"]["run"]
    assert [a["do"] for a in sim_hello["log"]] == ["kill_task"]
    assert [f["seq"] for f in replayed] == list(range(first["seq"] + 1))
    assert replayed[-1] == first
    await late.disconnect()


async def test_students_get_the_engines_readouts_after_a_fault() -> None:
    session, cookie = await _instructor()
    instructor = await _connect(session, cookie)
    student = await _connect(session, await _student(session, "Aya"))
    await _hello(instructor)
    await _hello(student)
    await _start(instructor)

    await instructor.send_json_to({"type": "action", "action": KILL})
    readouts = await _until(student, "sim.readouts", timeout=10)

    assert readouts["pattern"] == "elb"
    assert [(f["task"], f["do"]) for f in readouts["values"]["faults"]] == [
        ("inventory-2", "kill_task")
    ]
    await instructor.disconnect()
    await student.disconnect()
