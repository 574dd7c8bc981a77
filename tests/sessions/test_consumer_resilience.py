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
    """A real refusal by the database: a trigger that aborts every new log row (SQLite for the
    unit suite, PostgreSQL when tests/integration/test_postgres.py runs this file there)."""
    table = SessionCommand._meta.db_table
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if refuse and postgres:
            cursor.execute(
                "CREATE OR REPLACE FUNCTION refuse_commands() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_commands BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_commands()"
            )
        elif refuse:
            cursor.execute(
                f"CREATE TRIGGER refuse_commands BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        elif postgres:
            cursor.execute(f"DROP TRIGGER IF EXISTS refuse_commands ON {table}")
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


async def _lobby_now(instructor: Any) -> dict[str, Any]:
    """The lobby as the database has it now: an instructor's ping is answered with the lobby,
    then the pong (coalesced lobby pushes may come before it; the last lobby is the ping's)."""
    await instructor.send_json_to({"type": "ping"})
    lobby: dict[str, Any] = {}
    while (frame := await instructor.receive_json_from(timeout=2))["type"] != "pong":
        if frame["type"] == "lobby":
            lobby = frame
    return lobby


async def test_closing_one_of_two_tabs_keeps_the_student_online() -> None:
    # Review D10: presence is per connection, not per student.
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    student = await as_student(session, "Aya")
    first_tab = await connect(session, student)
    second_tab = await connect(session, student)
    await until_hello(first_tab)
    await until_hello(second_tab)
    assert (await _lobby_now(instructor))["online"] == 1

    await second_tab.disconnect()
    still = await _lobby_now(instructor)
    await first_tab.disconnect()
    gone = await _lobby_now(instructor)

    assert [(p["nickname"], p["online"]) for p in still["participants"]] == [("Aya", True)]
    assert [(p["nickname"], p["online"]) for p in gone["participants"]] == [("Aya", False)]
