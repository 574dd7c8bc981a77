"""The lobby lock and removing a participant (review D5, D6): instructor commands of the log, so
every process and a rebuilt screen agree; a student's frame asking for either is refused."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import translation

from patterns.sessions import joining, log
from patterns.sessions.models import Participant, StudySession
from tests.sessions.room import (
    ORIGIN,
    as_instructor,
    as_student,
    connect,
    room_socket,
)
from tests.sessions.room import until as _until

pytestmark = [
    pytest.mark.unit,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sockets"),
]


async def until(communicator: Any, kind: str) -> dict[str, Any]:
    return await _until(communicator, kind, timeout=10)  # a loaded machine is slow to answer


async def until_hello(communicator: Any) -> dict[str, Any]:
    return await until(communicator, "hello")


LOCKED = "The instructor has locked this session: no one new can join. Ask them to unlock it."


@sync_to_async
def _join(session: StudySession, nickname: str, client: Client | None = None) -> Any:
    client = client or Client()
    return client.post("/sessions/join/", {"code": session.code, "nickname": nickname})


@sync_to_async
def _participant(session: StudySession, nickname: str) -> Participant:
    return Participant.objects.get(session=session, nickname=nickname)


@sync_to_async
def _stored(session: StudySession) -> tuple[dict[str, Any], dict[str, Any]]:
    fresh = StudySession.objects.get(pk=session.pk)
    return fresh.state, log.rebuild_state(session.pk)


async def _refused_close(session: StudySession, cookie: bytes) -> int | None:
    communicator = room_socket(f"/ws/sessions/{session.public_id}/", [ORIGIN, (b"cookie", cookie)])
    connected, code = await communicator.connect(timeout=10)
    if connected:
        closing = await communicator.receive_output(timeout=10)
        return int(closing.get("code", 0))
    return code


async def test_a_locked_lobby_refuses_new_joins_and_lets_joined_students_back() -> None:
    session, teacher_cookie = await as_instructor()
    aya_cookie = await as_student(session, "Aya")
    teacher = await connect(session, teacher_cookie)
    await until_hello(teacher)

    await teacher.send_json_to({"type": "lobby", "locked": True})
    state = (await until(teacher, "state"))["state"]
    refused = await _join(session, "Ben")

    assert state["locked"] is True
    assert refused.status_code == 403
    assert LOCKED in refused.content.decode()
    # Aya joined before the lock: her socket and her join link still admit her.
    aya = await connect(session, aya_cookie)
    assert (await until_hello(aya))["state"]["locked"] is True
    stored, rebuilt = await _stored(session)
    assert stored == rebuilt and stored["locked"] is True

    await teacher.send_json_to({"type": "lobby", "locked": False})
    assert (await until(teacher, "state"))["state"]["locked"] is False
    assert (await _join(session, "Ben")).status_code == 302


async def test_the_locked_message_is_in_japanese() -> None:
    session, teacher_cookie = await as_instructor()
    teacher = await connect(session, teacher_cookie)
    await until_hello(teacher)
    await teacher.send_json_to({"type": "lobby", "locked": True})
    await until(teacher, "state")
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")

    refused = await _join(session, "Ben", client)

    with translation.override("ja"):
        expected = translation.gettext(LOCKED)
    assert expected != LOCKED
    assert refused.status_code == 403
    assert expected in refused.content.decode()


async def test_removing_a_participant_closes_their_socket_and_their_token_no_longer_admits() -> (
    None
):
    session, teacher_cookie = await as_instructor()
    aya_cookie = await as_student(session, "Aya")
    await as_student(session, "Ben")
    teacher = await connect(session, teacher_cookie)
    aya = await connect(session, aya_cookie)
    await until_hello(teacher)
    await until_hello(aya)
    ben = await _participant(session, "Ben")
    aya_id = (await _participant(session, "Aya")).pk

    await teacher.send_json_to({"type": "remove", "participant": aya_id})
    closing = await aya.receive_output(timeout=10)
    lobby = await until(teacher, "lobby")
    while "Aya" in [p["nickname"] for p in lobby["participants"]]:
        lobby = await until(teacher, "lobby")  # one pushed before the removal, coalesced

    assert (closing["type"], closing.get("code")) == ("websocket.close", 4401)
    assert [p["nickname"] for p in lobby["participants"]] == ["Ben"]
    assert [p["id"] for p in lobby["participants"]] == [ben.pk]
    # Her token no longer admits her: the socket is told why, the room page sends her away.
    assert await _refused_close(session, aya_cookie) == 4401
    stored, rebuilt = await _stored(session)
    assert stored == rebuilt and stored["removed"] == [aya_id]
    assert await sync_to_async(joining.participant_for_token)(session.pk, "x") is None
    # The nickname stays taken (decided: a removed prankster cannot return under it).
    again = await _join(session, "Aya")
    assert again.status_code == 400
    assert "already uses" in again.content.decode()


async def test_only_the_instructor_may_lock_or_remove() -> None:
    session, teacher_cookie = await as_instructor()
    aya = await connect(session, await as_student(session, "Aya"))
    projector_headers = [ORIGIN, (b"cookie", teacher_cookie)]
    projector = room_socket(f"/ws/sessions/{session.public_id}/?view=projector", projector_headers)
    assert (await projector.connect(timeout=10))[0]
    await until_hello(aya)
    await until_hello(projector)
    aya_id = (await _participant(session, "Aya")).pk

    for socket in (aya, projector):
        await socket.send_json_to({"type": "lobby", "locked": True})
        refused = await until(socket, "error")
        assert (refused["field"], refused["reason"]) == ("type", "only the instructor can do that")
        await socket.send_json_to({"type": "remove", "participant": aya_id})
        refused = await until(socket, "error")
        assert (refused["field"], refused["reason"]) == ("type", "only the instructor can do that")

    stored, _rebuilt = await _stored(session)
    assert "locked" not in stored and "removed" not in stored


async def test_bad_lock_and_remove_frames_name_the_field() -> None:
    session, teacher_cookie = await as_instructor()
    other, _cookie = await as_instructor("other")
    await as_student(other, "Zed")
    teacher = await connect(session, teacher_cookie)
    await until_hello(teacher)
    stranger = (await _participant(other, "Zed")).pk

    await teacher.send_json_to({"type": "lobby", "locked": "yes"})
    not_bool = await until(teacher, "error")
    await teacher.send_json_to({"type": "remove", "participant": stranger})
    not_here = await until(teacher, "error")
    await teacher.send_json_to({"type": "remove", "participant": "Aya"})
    not_id = await until(teacher, "error")

    assert (not_bool["field"], not_bool["reason"]) == ("locked", "expected true or false")
    assert (not_here["field"], not_here["reason"]) == (
        "participant",
        "No such participant is in this session.",
    )
    assert not_id["field"] == "participant"
    assert (await sync_to_async(Participant.objects.get)(pk=stranger)).removed_at is None
