"""The projector screen's socket (``?view=projector``): what it may do, and that it never
carries the right answer before the reveal; polls in each student's language; timed polls."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from patterns.sessions import polls
from patterns.sessions.models import StudySession
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

CHOICE_POLL = {
    "type": "poll.open",
    "kind": "choice",
    "prompt": "Which task gets the next request?",
    "choices": ["inventory-1", "inventory-2", "inventory-3"],
    "correct": 2,
}


async def _projector(session: StudySession, cookie: bytes | None) -> WebsocketCommunicator:
    headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
    communicator = room_socket(f"/ws/sessions/{session.public_id}/?view=projector", headers)
    connected, code = await communicator.connect(timeout=10)
    assert connected, code
    return communicator


async def _frames(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    """Every frame that arrives until the socket is quiet for a moment."""
    frames = []
    while not await communicator.receive_nothing(timeout=0.3):
        frames.append(await communicator.receive_json_from())
    return frames


@sync_to_async
def _with_lesson(session: StudySession, slug: str) -> None:
    StudySession.objects.filter(pk=session.pk).update(lesson_slug=slug)


async def test_projector_socket_is_the_owners_and_says_its_role() -> None:
    session, cookie = await as_instructor()
    student_cookie = await as_student(session, "Aya")

    projector = await _projector(session, cookie)
    hello = await until_hello(projector)
    stranger = room_socket(f"/ws/sessions/{session.public_id}/?view=projector", [ORIGIN])
    # A student asking for the projector view is still a student.
    student = await _projector(session, student_cookie)

    assert hello["role"] == "projector"
    assert await stranger.connect(timeout=10) == (False, 4403)
    assert (await until_hello(student))["role"] == "student"


async def test_projector_moves_slides_plays_and_reveals_but_does_nothing_else() -> None:
    session, cookie = await as_instructor()
    console = await connect(session, cookie)
    projector = await _projector(session, cookie)
    await until_hello(console)
    await until_hello(projector)
    await console.send_json_to(CHOICE_POLL)
    await until(projector, "state")
    await until(console, "state")

    await projector.send_json_to({"type": "slide", "slide": 2, "step": 0})
    moved = await until(console, "state")
    await projector.send_json_to({"type": "poll.reveal"})
    revealed = await until(console, "state")
    refused = []
    for frame in (
        {**CHOICE_POLL},
        {"type": "poll.close"},
        {"type": "highlight", "el": "task-inventory-2"},
        {"type": "end"},
    ):
        await projector.send_json_to(frame)
        refused.append(await until(projector, "error"))

    assert moved["state"]["slide"] == 2
    assert revealed["state"]["poll"]["state"] == "revealed"
    assert [e["reason"] for e in refused] == ["only the instructor can do that"] * 4


async def test_projector_frames_carry_no_right_answer_before_the_reveal() -> None:
    session, cookie = await as_instructor()
    console = await connect(session, cookie)
    projector = await _projector(session, cookie)
    aya = await connect(session, await as_student(session, "Aya"))
    for c in (console, projector, aya):
        await until_hello(c)

    await console.send_json_to(CHOICE_POLL)
    poll = (await until(aya, "state"))["state"]["poll"]
    await aya.send_json_to({"type": "answer", "poll": poll["id"], "choice": 2})
    await until(aya, "answered")
    before = await _frames(projector)
    # A projector that reconnects mid-poll gets its hello and the tally, still without it.
    again = await _projector(session, cookie)
    rejoined = await _frames(again)
    console_tally = [f for f in await _frames(console) if f["type"] == "tally"][-1]
    await console.send_json_to({"type": "poll.reveal"})
    after = await _frames(projector)

    text_before = json.dumps(before + rejoined, ensure_ascii=False)
    tallies = [f for f in before + rejoined if f["type"] == "tally"]
    assert [t["correct"] for t in tallies] == [None] * len(tallies) and len(tallies) >= 2
    assert tallies[-1]["counts"] == [0, 0, 1]
    assert "bar--correct" not in text_before and "✓" not in text_before
    assert '"correct": 2' not in text_before
    # The console (the instructor's own screen) knows the answer all along.
    assert console_tally["correct"] == 2
    revealed = [f for f in after if f["type"] == "tally"][-1]
    assert revealed["correct"] == 2 and "✓ inventory-3" in revealed["html"]


async def test_an_unedited_lesson_question_reaches_each_phone_in_its_language() -> None:
    session, cookie = await as_instructor()
    await _with_lesson(session, "summary")
    console = await connect(session, cookie)
    ja_cookie = await as_student(session, "Aya")
    ja = room_socket(
        f"/ws/sessions/{session.public_id}/",
        [ORIGIN, (b"cookie", ja_cookie), (b"accept-language", b"ja")],
    )
    assert (await ja.connect(timeout=10))[0]
    await until_hello(console)
    await until_hello(ja)
    en_question, ja_question = (polls.from_lesson("summary", lang, 7)[0] for lang in ("en", "ja"))
    asked = {
        "type": "poll.open",
        "kind": "choice",
        "prompt": en_question["prompt"],
        "choices": en_question["choices"],
        "correct": en_question["correct"],
        "ref": en_question["ref"],
        "seed": 7,
    }

    await console.send_json_to(asked)
    opened = (await until(ja, "state"))["state"]["poll"]
    await ja.send_json_to({"type": "answer", "poll": opened["id"], "choice": 1})
    await until(ja, "answered")
    await console.send_json_to({"type": "poll.reveal"})
    final = await until(ja, "tally")
    await console.send_json_to({"type": "poll.close"})
    await until(ja, "state")
    await console.send_json_to({**asked, "prompt": en_question["prompt"] + " (edited)"})
    edited = (await until(ja, "state"))["state"]["poll"]

    assert opened["texts"] == {
        "en": {"prompt": en_question["prompt"], "choices": en_question["choices"]},
        "ja": {"prompt": ja_question["prompt"], "choices": ja_question["choices"]},
    }
    assert (opened["prompt"], opened["correct"]) == (en_question["prompt"], None)
    # After the reveal the Japanese phone's bars carry the Japanese choices.
    assert final["labels"] == ja_question["choices"]
    assert f"✓ {ja_question['choices'][en_question['correct']]}" in final["html"]
    assert "texts" not in final
    assert edited["texts"] == {}


async def test_a_timed_poll_closes_itself_on_the_servers_clock(monkeypatch) -> None:
    session, cookie = await as_instructor()
    console = await connect(session, cookie)
    aya = await connect(session, await as_student(session, "Aya"))
    await until_hello(console)
    await until_hello(aya)

    await console.send_json_to({**CHOICE_POLL, "seconds": 5})
    poll = (await until(aya, "state"))["state"]["poll"]
    await aya.send_json_to({"type": "answer", "poll": poll["id"], "choice": 0})
    in_time = await until(aya, "answered")
    # Five seconds later by the server's clock, without waiting for them.
    later = polls.timezone.now() + polls.timezone.timedelta(seconds=5)
    monkeypatch.setattr(polls.timezone, "now", lambda: later)
    await aya.send_json_to({"type": "answer", "poll": poll["id"], "choice": 1})
    too_late = await until(aya, "error")

    assert poll["seconds"] == 5
    assert poll["closes_at_ms"] - 5000 == pytest.approx(
        polls.timezone.now().timestamp() * 1000 - 5000, abs=3000
    )
    assert in_time["choice"] == 0
    assert too_late == {
        "type": "error",
        "field": "poll",
        "reason": "Time is up: this poll took answers for 5 seconds.",
    }


@pytest.mark.parametrize(
    ("seconds", "reason"),
    [
        (4, "expected a whole number from 5 to 600"),
        (601, "expected a whole number from 5 to 600"),
        ("ten", "expected a whole number from 5 to 600"),
    ],
)
async def test_a_poll_timer_out_of_range_is_refused_by_name(seconds: Any, reason: str) -> None:
    session, cookie = await as_instructor()
    console = await connect(session, cookie)
    await until_hello(console)

    await console.send_json_to({**CHOICE_POLL, "seconds": seconds})
    error = await until(console, "error")

    assert error == {"type": "error", "field": "seconds", "reason": reason}
