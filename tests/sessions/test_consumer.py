"""The study-session room consumer: roles, commands, the log, follow, polls, ending."""

from __future__ import annotations

import functools
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from patterns.sessions import consumers, log
from patterns.sessions.consumers import _language
from patterns.sessions.models import Answer, SessionCommand, StudySession
from patterns.sessions.relay import RoomRelay
from tests.sessions.room import (
    ORIGIN,
    as_instructor,
    as_student,
    connect,
    room_socket,
    until,
    until_hello,
)

pytestmark = [
    pytest.mark.unit,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sockets"),
]


@sync_to_async
def _log(session: StudySession) -> list[tuple[int, str, dict[str, Any]]]:
    return list(
        SessionCommand.objects.filter(session=session).values_list("seq", "kind", "payload")
    )


@sync_to_async
def _stored_state(session: StudySession) -> tuple[int, dict[str, Any]]:
    fresh = StudySession.objects.get(pk=session.pk)
    return fresh.last_seq, fresh.state


async def test_room_refuses_a_stranger_and_an_unknown_session() -> None:
    session, _ = await as_instructor()
    stranger = room_socket(f"/ws/sessions/{session.public_id}/", [ORIGIN])
    nowhere = room_socket("/ws/sessions/abcdefghijkl/", [ORIGIN])

    results = [await stranger.connect(timeout=10), await nowhere.connect(timeout=10)]

    assert results == [(False, 4403), (False, 4404)]


async def test_room_says_hello_with_the_role_and_current_state() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    student = await connect(session, await as_student(session, "Aya"))

    teacher_hello = await until_hello(instructor)
    student_hello = await until_hello(student)

    assert (teacher_hello["role"], teacher_hello["seq"], teacher_hello["state"]) == (
        "instructor",
        0,
        log.initial_state(),
    )
    assert (student_hello["role"], student_hello["nickname"], student_hello["answer"]) == (
        "student",
        "Aya",
        None,
    )


async def test_lobby_shows_a_new_student_to_the_instructor_live() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until(instructor, "lobby")

    await connect(session, await as_student(session, "<i>Aya</i>"))

    lobby = await until(instructor, "lobby")
    assert lobby == {
        "type": "lobby",
        "participants": [
            {
                "id": lobby["participants"][0]["id"],
                "nickname": "<i>Aya</i>",
                "online": True,
                "following": True,
            }
        ],
        "joined": 1,
        "online": 1,
        "following": 1,
    }


async def test_slide_change_reaches_students_and_is_logged() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    student = await connect(session, await as_student(session, "Aya"))
    await until_hello(instructor)
    await until_hello(student)

    await instructor.send_json_to({"type": "slide", "slide": 3, "step": 1})

    frame = await until(student, "state")
    assert (frame["seq"], frame["state"]["slide"], frame["state"]["step"]) == (1, 3, 1)
    assert await _log(session) == [(1, "slide", {"slide": 3, "step": 1})]


async def test_student_cannot_run_an_instructor_command() -> None:
    session, _ = await as_instructor()
    student = await connect(session, await as_student(session, "Aya"))
    await until_hello(student)

    await student.send_json_to({"type": "slide", "slide": 5, "step": 0})
    await student.send_json_to({"type": "end"})

    assert await student.receive_json_from() == {
        "type": "error",
        "field": "type",
        "reason": "only the instructor can do that",
    }
    assert (await student.receive_json_from())["reason"] == "only the instructor can do that"
    assert await _stored_state(session) == (0, log.initial_state())
    assert await _log(session) == []


async def test_instructor_cannot_answer_polls() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)

    await instructor.send_json_to({"type": "answer", "poll": 1, "choice": 0})

    assert await until(instructor, "error") == {
        "type": "error",
        "field": "type",
        "reason": "only students can do that",
    }


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        ("not json", {"field": "frame", "reason": "not valid JSON"}),
        ("[1, 2]", {"field": "frame", "reason": "expected a JSON object"}),
        (json.dumps({"type": "x" * 5000}), {"field": "frame", "reason": "larger than 4,096 bytes"}),
        (
            json.dumps({"type": "slide", "slide": 0, "step": 0}),
            {"field": "slide", "reason": "expected a whole number from 1 to 500"},
        ),
        (
            json.dumps({"type": "speed", "value": 99}),
            {"field": "value", "reason": "expected a number from 0.1 to 10.0"},
        ),
        (
            json.dumps({"type": "highlight", "el": "<script>"}),
            {"field": "el", "reason": "expected a diagram element id such as task-inventory-2"},
        ),
        (
            json.dumps({"type": "poll.open", "kind": "choice", "prompt": "?", "choices": ["a"]}),
            {"field": "choices", "reason": "fill in 2 to 6 choices"},
        ),
        (json.dumps({"type": "poll.reveal"}), {"field": "poll", "reason": "No poll is open."}),
    ],
)
async def test_bad_frames_get_an_error_and_the_connection_stays(sent: str, error: dict) -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)

    await instructor.send_to(text_data=sent)
    reply = await until(instructor, "error")
    await instructor.send_json_to({"type": "ping"})

    assert reply == {"type": "error", **error}
    assert (await until(instructor, "pong"))["type"] == "pong"
    assert await _log(session) == []


async def test_frames_are_rate_limited_per_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bucket's clock stands still: no token comes back while the 25 frames are handled,
    # however slow the machine.
    still = functools.partial(consumers.RateLimiter, clock=lambda: 0.0)
    monkeypatch.setattr(consumers, "RateLimiter", still)
    session, _ = await as_instructor()
    student = await connect(session, await as_student(session, "Aya"))
    await until_hello(student)

    for _ in range(25):
        await student.send_json_to({"type": "sync"})
    kinds = [(await student.receive_json_from())["type"] for _ in range(25)]

    assert kinds.count("hello") == 20
    assert kinds.count("error") == 5


async def test_simulation_commands_are_logged_with_virtual_time() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)

    for frame in [
        {"type": "scenario", "scenario": "steady"},
        {"type": "play"},
        {"type": "speed", "value": 2},
        {"type": "action", "action": {"do": "stop_task", "task": "inventory-2"}},
        {"type": "pause"},
    ]:
        await instructor.send_json_to(frame)
        await until(instructor, "state")

    rows = await sync_to_async(list)(
        SessionCommand.objects.filter(session=session).values_list("kind", "vt")
    )
    assert [kind for kind, _ in rows] == ["scenario", "play", "speed", "action", "pause"]
    assert rows[0][1] == 0.0
    assert all(a <= b for (_, a), (_, b) in zip(rows, rows[1:], strict=False))
    seq, state = await _stored_state(session)
    assert (seq, state["sim"]["playing"], state["sim"]["speed"], state["sim"]["actions"]) == (
        5,
        False,
        2.0,
        1,
    )
    assert await sync_to_async(log.rebuild_state)(session.pk) == state


async def test_late_joiner_arrives_at_the_current_slide() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    await instructor.send_json_to({"type": "slide", "slide": 4, "step": 2})
    await instructor.send_json_to({"type": "highlight", "el": "task-inventory-2"})
    await until(instructor, "state")
    await until(instructor, "state")

    late = await connect(session, await as_student(session, "Late"))

    hello = await until_hello(late)
    assert (hello["seq"], hello["state"]["slide"], hello["state"]["step"]) == (2, 4, 2)
    assert hello["state"]["highlight"] == "task-inventory-2"


async def test_unfollow_and_refollow_change_the_following_count() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    student = await connect(session, await as_student(session, "Aya"))
    await until_hello(student)
    assert (await until(instructor, "lobby"))["following"] in (0, 1)

    await student.send_json_to({"type": "follow", "value": False})
    ack = await until(student, "following")
    unfollowed = await until(instructor, "lobby")
    await student.send_json_to({"type": "follow", "value": True})
    refollowed = await until(instructor, "lobby")

    assert ack == {"type": "following", "value": False}
    assert (unfollowed["online"], unfollowed["following"]) == (1, 0)
    assert (refollowed["online"], refollowed["following"]) == (1, 1)


async def test_poll_predict_then_reveal() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    aya = await connect(session, await as_student(session, "Aya"))
    ben = await connect(session, await as_student(session, "Ben"))
    for c in (instructor, aya, ben):
        await until_hello(c)

    await instructor.send_json_to(
        {
            "type": "poll.open",
            "kind": "choice",
            "prompt": "Which task gets the next request?",
            "choices": ["inventory-1", "inventory-2", "inventory-3"],
            "correct": 2,
            "scored": True,
        }
    )
    opened = (await until(aya, "state"))["state"]["poll"]
    await aya.send_json_to({"type": "answer", "poll": opened["id"], "choice": 0})
    await aya.send_json_to({"type": "answer", "poll": opened["id"], "choice": 2})  # changed mind
    await ben.send_json_to({"type": "answer", "poll": opened["id"], "choice": 1})
    acks = [await until(aya, "answered"), await until(aya, "answered")]
    await until(ben, "answered")
    live = await until(instructor, "tally")
    while live["answered"] < 2:
        live = await until(instructor, "tally")
    await instructor.send_json_to({"type": "poll.reveal"})
    revealed = (await until(ben, "state"))["state"]["poll"]
    final = await until(ben, "tally")
    leaders = await until(ben, "leaderboard")
    await ben.send_json_to({"type": "answer", "poll": opened["id"], "choice": 2})
    too_late = await until(ben, "error")

    assert (opened["correct"], opened["state"]) == (None, "open")
    assert acks[1] == {"type": "answered", "poll": opened["id"], "choice": 2, "value": None}
    assert (live["counts"], live["correct"]) == ([0, 1, 1], 2)
    assert (revealed["state"], revealed["correct"]) == ("revealed", 2)
    assert (final["counts"], final["answered"], final["correct"]) == ([0, 1, 1], 2, 2)
    # The server draws the histogram: bars sized by SVG attributes, the right one marked.
    assert re.findall(r'<rect [^>]*width="([\d.]+)"', final["html"]) == ["0.0", "250.0", "250.0"]
    assert re.findall(r'<g class="([^"]*)"', final["html"]) == ["bar", "bar", "bar bar--correct"]
    assert "✓ inventory-3" in final["html"]
    assert (
        'aria-label="Answers so far (inventory-1: 0; inventory-2: 1; inventory-3: 1)"'
        in (live["html"])
    )
    assert "style" not in final["html"]
    assert leaders["leaders"] == [{"nickname": "Aya", "score": 100}]
    assert too_late["reason"] == "Answers are closed: the result has been revealed."
    stored = await sync_to_async(
        lambda: sorted(Answer.objects.values_list("participant__nickname", "choice", "changes"))
    )()
    assert stored == [("Aya", 2, 1), ("Ben", 1, 0)]


async def test_numeric_poll_answers_are_numbers() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    aya = await connect(session, await as_student(session, "Aya"))
    await until_hello(aya)
    await instructor.send_json_to(
        {
            "type": "poll.open",
            "kind": "numeric",
            "prompt": "Seconds until traffic stops?",
            "correct": 30,
            "tolerance": 5,
            "unit": "s",
        }
    )
    poll = (await until(aya, "state"))["state"]["poll"]

    await aya.send_json_to({"type": "answer", "poll": poll["id"], "value": "thirty"})
    bad = await until(aya, "error")
    await aya.send_json_to({"type": "answer", "poll": poll["id"], "value": 27.5})
    good = await until(aya, "answered")
    # As a Japanese phone types it: full-width digits and a full-width decimal point.
    await aya.send_json_to({"type": "answer", "poll": poll["id"], "value": "２７．５"})
    typed = await until(aya, "answered")
    await aya.send_json_to({"type": "answer", "poll": poll["id"], "value": " "})
    empty = await until(aya, "error")

    assert bad == {
        "type": "error",
        "field": "value",
        "reason": "“thirty” is not a number: write only digits, such as 42 or 1.5.",
    }
    assert good == {"type": "answered", "poll": poll["id"], "choice": None, "value": 27.5}
    assert typed == good
    assert empty == {"type": "error", "field": "value", "reason": "Write a number first."}


async def test_student_cannot_enter_another_session() -> None:
    first, _ = await as_instructor("first")
    second, _ = await as_instructor("second")
    cookie = await as_student(first, "Aya")

    communicator = room_socket(f"/ws/sessions/{second.public_id}/", [ORIGIN, (b"cookie", cookie)])
    connected, code = await communicator.connect(timeout=10)

    assert (connected, code) == (False, 4403)


async def test_instructor_cannot_drive_someone_elses_session() -> None:
    first, _ = await as_instructor("first")
    _, other_cookie = await as_instructor("second")

    communicator = room_socket(
        f"/ws/sessions/{first.public_id}/", [ORIGIN, (b"cookie", other_cookie)]
    )
    connected, code = await communicator.connect(timeout=10)

    assert (connected, code) == (False, 4403)


async def test_ending_a_session_closes_every_socket() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    student = await connect(session, await as_student(session, "Aya"))
    await until_hello(instructor)
    await until_hello(student)

    await instructor.send_json_to({"type": "end"})

    assert (await until(student, "state"))["state"]["ended"] is True
    assert await until(student, "ended") == {"type": "ended"}
    assert await student.receive_output(timeout=1) == {"type": "websocket.close", "code": 4410}
    assert await until(instructor, "ended") == {"type": "ended"}
    again = room_socket(f"/ws/sessions/{session.public_id}/", [ORIGIN, (b"cookie", cookie)])
    assert (await again.connect(timeout=10))[0] is True
    assert await again.receive_json_from() == {"type": "ended"}


async def test_a_session_reaching_its_time_limit_pushes_its_open_sockets_out() -> None:
    session, cookie = await as_instructor()
    student_cookie = await as_student(session, "Aya")
    soon = timezone.now() + timedelta(seconds=1.5)
    await sync_to_async(StudySession.objects.filter(pk=session.pk).update)(expires_at=soon)
    instructor = await connect(session, cookie)
    student = await connect(session, student_cookie)
    await until_hello(instructor)
    await until_hello(student)

    # No command is sent: the room's own timer ends it.
    assert await until(student, "ended", timeout=5) == {"type": "ended"}
    assert await student.receive_output(timeout=1) == {"type": "websocket.close", "code": 4410}
    assert await until(instructor, "ended", timeout=5) == {"type": "ended"}
    ended_at = await sync_to_async(
        lambda: StudySession.objects.values_list("ended_at", flat=True).get(pk=session.pk)
    )()
    assert ended_at is not None and ended_at >= soon
    for communicator in (instructor, student):
        await communicator.disconnect()
    assert all(session.pk not in relays for relays in RoomRelay._by_layer.values())


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"cookies": {"django_language": "ja"}, "headers": []}, "ja"),
        ({"cookies": {}, "headers": [(b"accept-language", b"ja-JP,ja;q=0.9,en;q=0.5")]}, "ja"),
        ({"cookies": {}, "headers": [(b"accept-language", b"fr-FR")]}, "en"),
        ({"cookies": {"django_language": "xx"}, "headers": []}, "en"),
    ],
)
async def test_room_speaks_the_page_language(scope: dict[str, Any], expected: str) -> None:
    assert _language(scope) == expected


async def test_one_relay_a_room_and_process_leaves_with_its_last_socket() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    students = [await connect(session, await as_student(session, n)) for n in ("Aya", "Ben")]
    for c in (instructor, *students):
        await until_hello(c)
    layer = get_channel_layer()
    relay = RoomRelay._by_layer[layer][session.pk]

    await instructor.send_json_to({"type": "slide", "slide": 2, "step": 0})
    seqs = [(await until(c, "state"))["seq"] for c in (instructor, *students)]
    members = len(relay.members)
    for c in (instructor, *students):
        await c.disconnect()

    assert (seqs, members) == ([1, 1, 1], 3)
    assert layer.groups.get(f"study-{session.pk}") is None
    assert RoomRelay._by_layer[layer] == {}
