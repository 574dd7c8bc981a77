"""The live playground socket sends the readouts panel's numbers from the first frames on (not
only once an action has happened), at the same times and with the same values as an instant run,
and at the playhead where a fork or a resume begins."""

from __future__ import annotations

import pytest

from patterns.player.playback import instant_frames, readout_values
from patterns.sim import Simulation
from tests.playground.sockets import connected, started_then_resumed, until
from tests.scenarios import TINY

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db, pytest.mark.usefixtures("sockets")]

FAST = 10
LONG_TINY = {**TINY, "duration_s": 12}


def _readouts(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["type"] == "readouts"]


def _engine_at(t: float, log: list[dict] | None = None) -> dict:
    """The readout values of the engine run straight to ``t`` (no player, no socket)."""
    scenario = {**LONG_TINY, "actions": [*LONG_TINY.get("actions", []), *(log or [])]}
    engine = Simulation(scenario, pattern="elb", seed=1)
    engine.advance(t)
    return readout_values(engine.brief_result())


async def test_the_first_frame_comes_with_the_engines_readouts_before_any_action() -> None:
    communicator = await connected()

    await communicator.send_json_to({"type": "start", "scenario": LONG_TINY, "speed": FAST})
    messages = await until(communicator, "status", state="ended")

    kinds = [(m["type"], m.get("seq"), m.get("values", {}).get("t")) for m in messages[:5]]
    # hello, the playing status, the first window's frame and its readouts, then window 2.
    assert kinds == [
        ("hello", None, None),
        ("status", None, None),
        ("frame", 0, None),
        ("readouts", None, 1.0),
        ("frame", 1, None),
    ]
    live = _readouts(messages)
    # The instant run's readouts, message for message: 1 s, 5 s, 10 s and the end (12 s).
    assert live == instant_frames(LONG_TINY, "elb", 1)["readouts"]
    # TINY sends 4 requests a second: 4 by the first window's end, 48 by the run's.
    assert [(r["values"]["t"], r["values"]["requests"]) for r in live] == [
        (1.0, 4),
        (5.0, 20),
        (10.0, 40),
        (12.0, 48),
    ]
    assert live[0]["values"] == _engine_at(1.0)
    await communicator.disconnect()


async def test_a_fork_gets_the_readouts_at_its_playhead_before_its_frames() -> None:
    communicator = await connected()
    await communicator.send_json_to({"type": "start", "scenario": LONG_TINY, "speed": FAST})
    await until(communicator, "status", state="ended")

    kill = {"do": "kill_task", "task": "back-2"}
    await communicator.send_json_to({"type": "fork", "at": 7.5, "action": kill})
    messages = await until(communicator, "status", state="ended")

    assert [m["type"] for m in messages[:3]] == ["hello", "readouts", "status"]
    first = messages[1]
    assert first["branch"] == 1
    # The fork's run from its window's start (7 s): the kill at 7.5 s has not happened yet.
    assert (first["values"]["t"], first["values"]["requests"], first["values"]["faults"]) == (
        7.0,
        28,
        [],
    )
    assert first["values"] == _engine_at(7.0, [{**kill, "at_s": 7.5}])
    # Then the live cadence: 10 s (a reading every 5 windows) and the end, with the kill.
    later = _readouts(messages[2:])
    assert [r["values"]["t"] for r in later] == [10.0, 12.0]
    assert [(f["task"], f["t"]) for f in later[0]["values"]["faults"]] == [("back-2", 7.5)]
    await communicator.disconnect()


async def test_a_resume_gets_the_readouts_at_its_last_frame() -> None:
    _, again = await started_then_resumed(LONG_TINY, 2, speed=FAST, paused=True)
    messages = await until(again, "status", state="paused")

    # The window after the last frame held (seq 3, ending at 4 s), then the readouts as of it.
    assert [(m["type"], m.get("seq")) for m in messages] == [
        ("hello", None),
        ("frame", 3),
        ("readouts", None),
        ("status", None),
    ]
    assert messages[2]["values"] == _engine_at(4.0)
    assert messages[2]["values"]["requests"] == 16
    await again.disconnect()
