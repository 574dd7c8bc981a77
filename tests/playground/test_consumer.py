from __future__ import annotations

import json

import pytest

from patterns.player.playback import instant_frames
from tests.playground.sockets import connected, resumed, started_then_resumed, until
from tests.scenarios import TINY

# The auth middleware looks the session up, so even anonymous sockets touch the database.
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db, pytest.mark.usefixtures("sockets")]

FAST = 10  # the fastest speed: a 5 s run streams in half a second


def _frames(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["type"] == "frame"]


def _without_run(frames: list[dict]) -> list[dict]:
    return [{k: v for k, v in f.items() if k != "run"} for f in frames]


def _instant(pattern: str = "elb", log: list[dict] | None = None) -> list[dict]:
    return instant_frames(TINY, pattern, 1, log=log or [])["frames"]


async def test_playground_streams_the_same_frames_as_an_instant_run() -> None:
    communicator = await connected()

    await communicator.send_json_to({"type": "start", "scenario": TINY, "speed": FAST})
    messages = await until(communicator, "status", state="ended")

    hello = messages[0]
    assert hello["type"] == "hello"
    assert hello["duration_s"] == 5.0
    frames = _frames(messages)
    assert [f["seq"] for f in frames] == [0, 1, 2, 3, 4]
    assert {f["run"] for f in frames} == {hello["run"]}
    assert _without_run(frames) == _without_run(_instant())
    await communicator.disconnect()


async def test_playground_all_patterns_share_one_clock() -> None:
    communicator = await connected()

    await communicator.send_json_to(
        {"type": "start", "scenario": TINY, "pattern": "all", "speed": FAST}
    )
    messages = await until(communicator, "status", state="ended")

    frames = _frames(messages)
    assert [f["seq"] for f in frames] == list(range(20))
    assert [(f["t0"], f["pattern"]) for f in frames[:4]] == [
        (0.0, "elb"),
        (0.0, "app-mesh"),
        (0.0, "service-discovery"),
        (0.0, "service-connect"),
    ]
    assert _without_run(frames) == _without_run(_instant("all"))
    await communicator.disconnect()


async def test_playground_pause_stops_the_stream_and_play_continues_it() -> None:
    communicator = await connected()
    await communicator.send_json_to({"type": "start", "scenario": TINY, "speed": 0.5})
    await until(communicator, "status", state="playing")

    await communicator.send_json_to({"type": "pause"})
    paused = await until(communicator, "status")
    quiet = await communicator.receive_nothing(timeout=0.3)
    await communicator.send_json_to({"type": "speed", "value": FAST})
    await communicator.send_json_to({"type": "play"})
    rest = await until(communicator, "status", state="ended")

    assert paused[-1]["state"] == "paused"
    assert quiet is True
    assert [f["seq"] for f in _frames(rest)] == [0, 1, 2, 3, 4]
    await communicator.disconnect()


async def test_playground_applies_an_action_at_the_current_time_and_logs_it() -> None:
    communicator = await connected()
    await communicator.send_json_to(
        {"type": "start", "scenario": TINY, "speed": FAST, "paused": True}
    )
    await until(communicator, "status", state="paused")

    await communicator.send_json_to(
        {"type": "action", "action": {"do": "kill_task", "task": "back-1"}}
    )
    log = await until(communicator, "log")
    await communicator.send_json_to({"type": "play"})
    messages = await until(communicator, "status", state="ended")

    applied = {"at_s": 0.0, "do": "kill_task", "task": "back-1"}
    assert log[-1]["applied"] == applied
    assert log[-1]["log"] == [applied]
    frames = _frames(messages)
    assert frames[0]["events"][0]["cause"] == "action_applied"
    assert _without_run(frames) == _without_run(_instant(log=[applied]))
    await communicator.disconnect()


async def test_playground_fork_starts_a_new_branch_at_the_fork_time() -> None:
    communicator = await connected()
    await communicator.send_json_to({"type": "start", "scenario": TINY, "speed": FAST})
    first = await until(communicator, "status", state="ended")

    await communicator.send_json_to(
        {"type": "fork", "at": 2.5, "action": {"do": "kill_task", "task": "back-2"}}
    )
    second = await until(communicator, "status", state="ended")

    hello = second[0]
    assert hello["type"] == "hello"
    assert hello["branch"] == 1
    assert hello["run"] == first[0]["run"]
    frames = _frames(second)
    assert [(f["branch"], f["seq"]) for f in frames] == [(1, 2), (1, 3), (1, 4)]
    killed = {"do": "kill_task", "task": "back-2", "at_s": 2.5}
    expected = [{**f, "branch": 1} for f in _instant(log=[killed])[2:]]
    assert _without_run(frames) == _without_run(expected)
    assert frames[0]["events"][0]["t"] == 2.5
    await communicator.disconnect()


async def test_playground_resume_after_a_drop_continues_without_gap_or_duplicate() -> None:
    before, again = await started_then_resumed(TINY, 1, speed=FAST)
    after = await until(again, "status", state="ended")

    frames = _frames(before) + _frames(after)
    assert [f["seq"] for f in frames] == [0, 1, 2, 3, 4]
    assert _without_run(frames) == _without_run(_instant())
    assert {f["run"] for f in frames} == {before[0]["run"]}
    await again.disconnect()


async def test_playground_resume_with_a_log_replays_the_live_action() -> None:
    communicator = await connected()
    await communicator.send_json_to(
        {"type": "start", "scenario": TINY, "speed": FAST, "paused": True}
    )
    hello = (await until(communicator, "status"))[0]
    await communicator.send_json_to(
        {"type": "action", "action": {"do": "slow_task", "task": "back-2", "delay_ms": 300}}
    )
    log = (await until(communicator, "log"))[-1]["log"]
    await communicator.disconnect()

    again = await resumed(hello, -1, log=log, speed=FAST)
    after = await until(again, "status", state="ended")

    assert _without_run(_frames(after)) == _without_run(_instant(log=log))
    await again.disconnect()


@pytest.mark.parametrize(
    ("frame", "field", "reason"),
    [
        ("not json", "frame", "not valid JSON"),
        (
            '{"type": "rewind"}',
            "type",
            "unknown type 'rewind'; expected one of "
            "['action', 'fork', 'pause', 'play', 'resume', 'speed', 'start']",
        ),
        ('{"type": "pause"}', "type", "send a start frame first"),
        ('{"type": "speed", "value": 1e400}', "value", "must be a number from 0.1 to 10"),
        ('{"type": "speed", "value": "fast"}', "value", "must be a number from 0.1 to 10"),
        (
            '{"type": "start", "scenario": 7}',
            "scenario",
            "must be an object or the name of a built-in scenario",
        ),
        ('{"type": "start", "scenario": "nope"}', "scenario", "unknown built-in scenario 'nope'"),
        (
            '{"type": "start", "scenario": {}, "pattern": "mesh"}',
            "pattern",
            "must be one of elb, app-mesh, service-discovery, service-connect, all",
        ),
        (
            '{"type": "start", "scenario": {"duration_s": 1e9}}',
            "scenario.duration_s",
            "must be between 0 and 86,400, got 1,000,000,000.0",
        ),
        (
            '{"type": "start", "scenario": {"duration_s": 7200}}',
            "scenario.duration_s",
            "at most 3,600 s in the playground",
        ),
        (
            '{"type": "start", "scenario": {}, "seed": -1}',
            "seed",
            "must be a whole number from 0 to 2**63 - 1",
        ),
        ('{"type": "start", "scenario": {}, "lang": "fr"}', "lang", "must be one of en, ja"),
        (
            '{"type": "resume", "scenario": {}, "run": 5}',
            "run",
            "must be the run id from the hello",
        ),
        ('{"type": "start", "permalink": "1%%%"}', "token", "not base64url text"),
    ],
)
async def test_playground_answers_a_bad_frame_with_an_error_and_stays_usable(
    frame: str, field: str, reason: str
) -> None:
    communicator = await connected()

    await communicator.send_to(text_data=frame)
    error = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "start", "scenario": TINY, "speed": FAST})
    hello = await communicator.receive_json_from()

    assert error == {"type": "error", "field": field, "reason": reason}
    assert hello["type"] == "hello"
    await communicator.disconnect()


async def test_playground_refuses_a_bad_action_and_keeps_streaming() -> None:
    communicator = await connected()
    await communicator.send_json_to(
        {"type": "start", "scenario": TINY, "speed": FAST, "paused": True}
    )
    await until(communicator, "status", state="paused")

    await communicator.send_json_to({"type": "action", "action": {"do": "explode"}})
    unknown = await communicator.receive_json_from()
    await communicator.send_json_to(
        {"type": "action", "action": {"do": "kill_task", "task": "nobody-1"}}
    )
    stranger = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "action", "action": "kill"})
    shape = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "play"})
    messages = await until(communicator, "status", state="ended")

    assert unknown["field"] == "action.do"
    assert unknown["reason"].startswith("must be one of kill_task, stop_task")
    assert stranger == {
        "type": "error",
        "field": "action.task",
        "reason": "must be '<service>-<n>' of a known service, got 'nobody-1'",
    }
    assert shape == {"type": "error", "field": "action", "reason": "must be an object"}
    assert len(_frames(messages)) == 5
    await communicator.disconnect()


async def test_playground_refuses_an_oversized_frame_and_too_many_tasks() -> None:
    communicator = await connected()
    huge = json.dumps({"type": "start", "scenario": {"name": "x" * 70000}})
    crowded = {"services": [{"name": "a", "tasks": 150}, {"name": "b", "tasks": 150}]}

    await communicator.send_to(text_data=huge)
    too_big = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "start", "scenario": crowded})
    too_many = await communicator.receive_json_from()
    await communicator.send_to(text_data=json.dumps({"type": "pause", "pad": "y" * 5000}))
    big_pause = await communicator.receive_json_from()

    assert too_big == {"type": "error", "field": "frame", "reason": "larger than 65,536 bytes"}
    assert too_many == {
        "type": "error",
        "field": "scenario.services",
        "reason": "at most 200 tasks in total",
    }
    assert big_pause == {"type": "error", "field": "frame", "reason": "larger than 4,096 bytes"}
    await communicator.disconnect()


async def test_playground_start_from_a_permalink_reproduces_the_run() -> None:
    communicator = await connected()
    await communicator.send_json_to(
        {"type": "start", "scenario": TINY, "speed": FAST, "paused": True}
    )
    await until(communicator, "status", state="paused")
    await communicator.send_json_to(
        {"type": "action", "action": {"do": "refuse_task", "task": "back-1"}}
    )
    token = (await until(communicator, "log"))[-1]["permalink"]
    await communicator.send_json_to({"type": "play"})
    original = _frames(await until(communicator, "status", state="ended"))

    await communicator.send_json_to({"type": "start", "permalink": token, "speed": FAST})
    replayed = _frames(await until(communicator, "status", state="ended"))

    assert _without_run(replayed) == _without_run(original)
    await communicator.disconnect()
