"""The room socket when something under it fails: the database refusing an instructor's
command (issue 15), the socket's end by any path (review D1)."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from patterns.sessions.models import SessionCommand, StudySession
from tests.sessions.room import as_instructor, as_student, connect, until, until_hello

pytestmark = [
    pytest.mark.unit,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sockets"),
]


@sync_to_async
def _refuse_commands(refuse: bool) -> None:
    """A real refusal by the database: a trigger that aborts every new log row."""
    table = SessionCommand._meta.db_table
    with connection.cursor() as cursor:
        if refuse:
            cursor.execute(
                f"CREATE TRIGGER refuse_commands BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS refuse_commands")


@sync_to_async
def _stored(session: StudySession) -> tuple[int, int]:
    fresh = StudySession.objects.get(pk=session.pk)
    return fresh.last_seq, fresh.state["slide"]


async def test_a_command_the_database_refuses_is_reported_and_the_socket_stays() -> None:
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    student = await connect(session, await as_student(session, "Aya"))
    await until_hello(instructor)
    await until_hello(student)

    await _refuse_commands(True)
    try:
        await instructor.send_json_to({"type": "slide", "slide": 3, "step": 0})
        error = await until(instructor, "error")
    finally:
        await _refuse_commands(False)
    assert (error["field"], error["reason"]) == (
        "type",
        "the database refused this command; nothing changed",
    )
    assert await _stored(session) == (0, 1)  # nothing changed: the first slide

    await instructor.send_json_to({"type": "slide", "slide": 3, "step": 0})
    frame: dict[str, Any] = await until(student, "state")
    assert (frame["seq"], frame["state"]["slide"]) == (1, 3)
