"""A new screen gets a bounded snapshot of the shared run, and older windows when it asks
(review D14): what joining costs does not grow with the run, and a screen that fetched the
older history holds the frames of one that stayed, byte for byte."""

from __future__ import annotations

import json

import pytest

from patterns.sessions.stream import OLDER_MAX_FRAMES
from tests.sessions.room import FakeClock, as_instructor, as_student, connect, until, until_hello
from tests.sessions.screens import Screen, long_run, open_screen, run_for, settle

pytestmark = [pytest.mark.unit]

#: What a new screen is sent when it joins a running scenario, however long it has run (bytes on
#: the socket: the room's hello, the shared run's hello and snapshot, the frames from 5 s before
#: the shared clock to the head, 1 s of wall time ahead, at 10x: about 16 whole frames of
#: about 10 KB, and the readouts). The whole history was 2 MiB after 15 minutes (the review).
SNAPSHOT_BOUND = 256 * 1024


async def _join_bytes(clock: FakeClock, minutes: int) -> int:
    session, cookie = await as_instructor(f"teacher{minutes}")
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await long_run(instructor, 1900)
    clock.advance(minutes * 60 / 10)
    late = await open_screen(session, await as_student(session, "Late"))
    await late.drain(quiet_s=1.0, first="sim.snapshot")
    assert late.first > 0 and json.loads(late.frames[-1])["t0"] >= minutes * 60
    await late.communicator.disconnect()
    await instructor.disconnect()
    return late.bytes


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sockets")
async def test_a_screen_joining_at_5_and_at_30_minutes_gets_the_same_bounded_snapshot(
    clock: FakeClock,
) -> None:
    at_5 = await _join_bytes(clock, 5)
    at_30 = await _join_bytes(clock, 30)

    assert at_5 < SNAPSHOT_BOUND and at_30 < SNAPSHOT_BOUND
    assert abs(at_30 - at_5) < 0.25 * at_5


async def _fetch_older(screen: Screen) -> int:
    """Ask for the windows before those held, a request at a time, back to the start."""
    requests = 0
    while screen.first > 0:
        first = max(0, screen.first - OLDER_MAX_FRAMES)
        await screen.communicator.send_json_to(
            {"type": "sim.older", "from": first, "to": screen.first}
        )
        before = screen.first
        await screen.drain(quiet_s=0.2)
        assert screen.first == first < before
        requests += 1
    return requests


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sockets")
async def test_a_late_screen_that_fetched_the_older_windows_holds_the_frames_of_one_that_stayed(
    clock: FakeClock,
) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    stayed = await open_screen(session, await as_student(session, "Stayed"))
    await long_run(instructor, 600)
    await run_for(clock, [stayed], 16.0)  # 160 s of run at 10x
    await instructor.send_json_to(
        {"type": "action", "action": {"do": "kill_task", "task": "inventory-2"}}
    )
    await until(instructor, "state")
    await run_for(clock, [stayed], 2.0)

    late = await open_screen(session, await as_student(session, "Late"))
    await late.drain(quiet_s=0.5, first="sim.snapshot")
    await stayed.drain()
    sim_kinds = [kind for kind in late.kinds if kind.startswith("sim.")]
    assert sim_kinds[:2] == ["sim.hello", "sim.snapshot"] and "sim.older" not in sim_kinds
    assert late.first > 150
    requests = await _fetch_older(late)
    await run_for(clock, [stayed, late], 1.0)
    await settle([stayed, late])

    assert requests == late.kinds.count("sim.older") >= 3
    assert late.first == 0
    assert late.frames == stayed.frames
    assert [a["do"] for a in late.log] == ["kill_task"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sockets")
async def test_a_bad_range_is_an_error_frame_naming_its_field_and_the_socket_stays(
    clock: FakeClock,
) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    screen = await open_screen(session, await as_student(session, "Odd"))
    await screen.communicator.send_json_to({"type": "sim.older", "from": 0, "to": 1})
    refused = await until(screen.communicator, "error")
    assert (refused["field"], refused["reason"]) == ("from", "start a scenario first")
    await long_run(instructor, 600)
    await run_for(clock, [screen], 3.0)
    for frame, field in [
        ({"from": -1, "to": 2}, "from"),
        ({"from": "0", "to": 2}, "from"),
        ({"to": 2}, "from"),
        ({"from": 0, "to": 0}, "to"),
        ({"from": 0, "to": 10**9}, "to"),
        ({"from": 0, "to": 2.5}, "to"),
        ({"from": 0, "to": [1]}, "to"),
    ]:
        await screen.communicator.send_json_to({"type": "sim.older", **frame})
        refused = await until(screen.communicator, "error")
        assert refused["field"] == field, frame
    await screen.communicator.send_json_to({"type": "ping"})
    await until(screen.communicator, "pong")
