"""A request sent twice under one id is done once (review D13): the console and the phones keep
what was clicked while the connection was down and send it when it is back, each click with its
own id; the one in flight at the drop may already be done, so the room must know the id again,
whichever socket or server process the screen reaches, and answer with the original result."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from patterns.sessions import polls
from patterns.sessions.models import Answer, Receipt, SessionCommand, StudySession
from tests.sessions.room import as_instructor, as_student, connect, until, until_hello

pytestmark = [
    pytest.mark.unit,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sockets"),
]

SLIDE_ID = "console-click-0001"
ANSWER_ID = "phone-click-0001"


@sync_to_async
def _log(session: StudySession) -> list[tuple[int, str, dict[str, Any]]]:
    rows = SessionCommand.objects.filter(session=session).order_by("seq")
    return [(row.seq, row.kind, row.payload) for row in rows]


@sync_to_async
def _answers(session: StudySession) -> list[tuple[str, int | None, float | None, int]]:
    rows = Answer.objects.filter(poll__session=session).select_related("participant")
    return [(a.participant.nickname, a.choice, a.value, a.changes) for a in rows]


async def _room(students: tuple[str, ...] = ("Aya",)) -> tuple[Any, ...]:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    phones = []
    for name in students:
        phone = await connect(session, await as_student(session, name))
        await until_hello(phone)
        phones.append(phone)
    return session, cookie, instructor, phones


async def _open_poll(instructor: WebsocketCommunicator, phone: WebsocketCommunicator) -> int:
    await instructor.send_json_to(
        {"type": "poll.open", "kind": "choice", "prompt": "Next task?", "choices": ["a", "b", "c"]}
    )
    return int((await until(phone, "state"))["state"]["poll"]["id"])


async def test_a_command_sent_twice_under_one_id_changes_the_log_once() -> None:
    session, _cookie, instructor, (aya,) = await _room()

    await instructor.send_json_to({"type": "slide", "slide": 3, "step": 0, "id": SLIDE_ID})
    first = await until(instructor, "done")
    seen = await until(aya, "state")
    await instructor.send_json_to({"type": "slide", "slide": 3, "step": 0, "id": SLIDE_ID})
    again = await until(instructor, "done")

    assert first == {"type": "done", "id": SLIDE_ID, "seq": 1}
    assert again == {"type": "done", "id": SLIDE_ID, "seq": 1, "repeat": True}
    assert seen["seq"] == 1
    assert await _log(session) == [(1, "slide", {"slide": 3, "step": 0})]
    assert await aya.receive_nothing(timeout=0.3)  # no second state frame for the repeat


async def test_the_same_id_through_a_second_socket_is_still_done_once() -> None:
    # The console reconnects on another socket (another consumer) and resends its click.
    session, cookie, first_tab, (aya,) = await _room()
    await first_tab.send_json_to({"type": "play", "id": SLIDE_ID})
    assert (await until(first_tab, "done"))["seq"] == 1
    await first_tab.disconnect()

    second_tab = await connect(session, cookie)
    hello = await until_hello(second_tab)
    await second_tab.send_json_to({"type": "play", "id": SLIDE_ID})
    again = await until(second_tab, "done")

    assert (hello["seq"], hello["state"]["sim"]["playing"]) == (1, True)
    assert again == {"type": "done", "id": SLIDE_ID, "seq": 1, "repeat": True}
    assert [(seq, kind) for seq, kind, _ in await _log(session)] == [(1, "play")]


async def test_commands_without_an_id_are_done_each_time_as_before() -> None:
    session, _cookie, instructor, _phones = await _room(())
    for _ in range(2):
        await instructor.send_json_to({"type": "slide", "slide": 2, "step": 0})
        await until(instructor, "state")
    assert [seq for seq, _kind, _payload in await _log(session)] == [1, 2]


async def test_different_ids_are_different_commands() -> None:
    session, _cookie, instructor, _phones = await _room(())
    for n, click in enumerate(("click-next-000001", "click-next-000002"), start=2):
        await instructor.send_json_to({"type": "slide", "slide": n, "step": 0, "id": click})
        assert (await until(instructor, "done"))["id"] == click
    assert [payload["slide"] for _seq, _kind, payload in await _log(session)] == [2, 3]


async def test_a_repeated_poll_open_opens_one_poll() -> None:
    session, _cookie, instructor, (aya,) = await _room()
    frame = {"type": "poll.open", "kind": "numeric", "prompt": "RTT?", "id": "open-poll-0001"}
    await instructor.send_json_to(frame)
    await until(instructor, "done")
    await instructor.send_json_to(frame)
    assert (await until(instructor, "done"))["repeat"] is True
    count = await sync_to_async(lambda: session.polls.count())()
    assert count == 1
    assert [kind for _seq, kind, _payload in await _log(session)] == ["poll.open"]


async def test_an_answer_sent_twice_under_one_id_is_counted_once() -> None:
    session, _cookie, instructor, (aya, ben) = await _room(("Aya", "Ben"))
    poll = await _open_poll(instructor, aya)

    answer = {"type": "answer", "poll": poll, "choice": 1, "id": ANSWER_ID}
    await aya.send_json_to(answer)
    first = await until(aya, "answered")
    await aya.send_json_to(answer)
    again = await until(aya, "answered")
    await ben.send_json_to({"type": "answer", "poll": poll, "choice": 2})
    await until(ben, "answered")

    assert first == {"type": "answered", "poll": poll, "choice": 1, "value": None, "id": ANSWER_ID}
    assert again == {**first, "repeat": True}
    assert sorted(await _answers(session)) == [("Aya", 1, None, 0), ("Ben", 2, None, 0)]
    tally = await sync_to_async(polls.tally)(poll)
    assert (tally["counts"], tally["answered"]) == ([0, 1, 1], 2)


async def test_a_stale_repeat_does_not_undo_a_newer_answer() -> None:
    # Aya answered b, then changed to c under a new id; the first id arriving again (an old
    # phone's outbox) must not put b back.
    session, _cookie, instructor, (aya,) = await _room()
    poll = await _open_poll(instructor, aya)
    await aya.send_json_to({"type": "answer", "poll": poll, "choice": 1, "id": ANSWER_ID})
    await until(aya, "answered")
    await aya.send_json_to({"type": "answer", "poll": poll, "choice": 2, "id": "phone-click-0002"})
    await until(aya, "answered")
    await aya.send_json_to({"type": "answer", "poll": poll, "choice": 1, "id": ANSWER_ID})
    stale = await until(aya, "answered")

    assert (stale["choice"], stale["repeat"]) == (1, True)  # the original result, as it was
    assert await _answers(session) == [("Aya", 2, None, 1)]


async def test_a_repeat_after_the_reveal_gets_its_result_not_a_refusal() -> None:
    session, _cookie, instructor, (aya,) = await _room()
    poll = await _open_poll(instructor, aya)
    answer = {"type": "answer", "poll": poll, "choice": 0, "id": ANSWER_ID}
    await aya.send_json_to(answer)
    await until(aya, "answered")
    await instructor.send_json_to({"type": "poll.reveal"})
    await until(aya, "state")

    await aya.send_json_to(answer)
    again = await until(aya, "answered")
    await aya.send_json_to({**answer, "id": "phone-click-late1"})
    late = await until(aya, "error")

    assert (again["choice"], again["repeat"]) == (0, True)
    assert late["field"] == "poll" and late["id"] == "phone-click-late1"
    assert await _answers(session) == [("Aya", 0, None, 0)]


async def test_a_refused_command_carries_its_id_and_is_not_remembered() -> None:
    session, _cookie, instructor, _phones = await _room(())
    await instructor.send_json_to({"type": "poll.reveal", "id": "reveal-click-01"})
    refused = await until(instructor, "error")
    assert (refused["field"], refused["reason"], refused["id"]) == (
        "poll",
        "No poll is open.",
        "reveal-click-01",
    )
    assert await sync_to_async(Receipt.objects.count)() == 0
    assert await _log(session) == []


@pytest.mark.parametrize("bad", ["short", "x" * 41, "has space 123", 12345678, ["list-of-it"]])
async def test_a_malformed_id_is_refused_by_name_and_nothing_is_done(bad: Any) -> None:
    session, _cookie, instructor, _phones = await _room(())
    await instructor.send_json_to({"type": "slide", "slide": 2, "step": 0, "id": bad})
    error = await until(instructor, "error")
    assert (error["field"], error["reason"]) == ("id", "expected 8 to 40 letters, digits, - or _")
    assert "id" not in error  # only a well-formed id is echoed
    assert await _log(session) == []


async def test_a_student_cannot_reuse_the_instructors_id() -> None:
    session, _cookie, instructor, (aya,) = await _room()
    poll = await _open_poll(instructor, aya)
    await instructor.send_json_to({"type": "slide", "slide": 2, "step": 0, "id": SLIDE_ID})
    await until(instructor, "done")

    await aya.send_json_to({"type": "answer", "poll": poll, "choice": 0, "id": SLIDE_ID})
    error = await until(aya, "error")
    assert (error["field"], error["reason"]) == (
        "id",
        "this id was already used for another request",
    )
    assert await _answers(session) == []
