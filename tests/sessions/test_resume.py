"""A screen that connects again is sent what it missed, not the whole run (review D14).

The oracle is a screen that never left: after the reconnect, the frames the returning screen
holds (its own from before the drop, less those the resume drops, plus those sent again) are the
same, byte for byte, as the uninterrupted screen's.
"""

from __future__ import annotations

import json

import pytest

from patterns.errors import FieldError
from patterns.sessions import relay
from patterns.sessions.stream import Have, parse_have
from tests.sessions.room import (
    FakeClock,
    as_instructor,
    as_student,
    connect,
    until,
    until_hello,
)
from tests.sessions.screens import long_run, open_screen, run_for, settle

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
    stayed = await open_screen(session, await as_student(session, "Stayed"))
    away_cookie = await as_student(session, "Away")
    away = await open_screen(session, away_cookie)
    await long_run(instructor, 600)
    await run_for(clock, [stayed, away], 3.0)
    assert len(away.frames) > 30
    await away.communicator.disconnect()

    # While away: the instructor kills a task (an action this screen has not seen) and the
    # run goes on.
    await run_for(clock, [stayed], 0.5)
    await instructor.send_json_to({"type": "action", "action": KILL})
    await until(instructor, "state")
    await run_for(clock, [stayed], 1.5)

    held = len(away.frames)
    back = await open_screen(session, away_cookie, away.have())
    back.takes_over(away)
    await back.drain(first="sim.resume")
    await settle([back, stayed])

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
    await long_run(instructor, 1900)
    clock.advance(minutes * 60 / 10)
    watcher_cookie = await as_student(session, "Watcher")
    watcher = await open_screen(session, watcher_cookie)
    await watcher.drain(quiet_s=1.0, first="sim.hello")
    assert watcher.frames and json.loads(watcher.frames[-1])["t0"] >= minutes * 60
    whole = watcher.bytes
    await run_for(clock, [watcher], 1.0)
    await watcher.drain(quiet_s=0.5)  # all that was sent, however busy the machine
    await watcher.communicator.disconnect()
    await run_for(clock, [], 2.0)
    back = await open_screen(session, watcher_cookie, watcher.have())
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
    await long_run(instructor, 120)
    screen = await open_screen(session, await as_student(session, "Odd"), "s1.x.0")
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
