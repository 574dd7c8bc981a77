"""Students arriving together share their trips to the database (patterns/sessions/arrivals.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from patterns.sessions import arrivals
from patterns.sessions.models import Participant
from tests.sessions.room import ORIGIN, as_instructor, as_student, room_socket, until


async def connect(session: Any, cookie: bytes) -> Any:
    """A room socket, given time to open: the test runs on a busy machine too."""
    communicator = room_socket(f"/ws/sessions/{session.public_id}/", [ORIGIN, (b"cookie", cookie)])
    connected, code = await communicator.connect(timeout=30)
    assert connected, code
    return communicator


async def until_hello(communicator: Any) -> Any:
    return await until(communicator, "hello", timeout=30)


pytestmark = [
    pytest.mark.unit,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sockets"),
]


async def test_a_burst_of_arrivals_takes_fewer_trips_and_counts_every_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trips: list[list[int]] = []
    real = arrivals.arrive_many

    def counted(session_id: int, ids: list[int]) -> Any:
        trips.append(list(ids))
        return real(session_id, ids)

    monkeypatch.setattr(arrivals, "arrive_many", counted)
    resolves: list[int] = []
    real_resolve = arrivals.resolve_many

    def resolve_counted(public_id: str, asks: list[Any]) -> Any:
        resolves.append(len(asks))
        return real_resolve(public_id, asks)

    monkeypatch.setattr(arrivals, "resolve_many", resolve_counted)
    session, cookie = await as_instructor()
    instructor = await connect(session, cookie)
    await until_hello(instructor)
    cookies = [await as_student(session, f"s{n:02d}") for n in range(24)]
    # The first student in two tabs: two sockets, two connections counted.
    cookies.append(cookies[0])

    sockets = await asyncio.gather(*(connect(session, c) for c in cookies))
    hellos = await asyncio.gather(*(until(s, "hello", timeout=30) for s in sockets))

    assert sorted(h["nickname"] for h in hellos) == sorted(
        [f"s{n:02d}" for n in range(24)] + ["s00"]
    )
    assert {h["seq"] for h in hellos} == {0} and all(h["answer"] is None for h in hellos)
    assert sum(len(t) for t in trips) == 25
    assert len(trips) < 25
    counts = await sync_to_async(
        lambda: dict(Participant.objects.values_list("nickname", "connections"))
    )()
    assert counts == {f"s{n:02d}": 2 if n == 0 else 1 for n in range(24)}
    # Who each socket is was looked up in groups too (the instructor's own trip, then the rest).
    assert sum(resolves) == 26 and len(resolves) < 26

    # Everyone leaves at once: every connection is counted off, and all are offline.
    await asyncio.gather(*(s.disconnect() for s in sockets))
    left = await sync_to_async(
        lambda: set(Participant.objects.values_list("connections", "online"))
    )()
    assert left == {(0, False)}


async def test_a_failed_trip_fails_each_arrival_of_it_and_the_next_trip_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session, cookie = await as_instructor()
    student = await sync_to_async(Participant.objects.create)(
        session=session, nickname="Aya", token_hash="x"
    )
    real = arrivals.arrive_many
    calls = [0]

    def flaky(session_id: int, ids: list[int]) -> Any:
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("database gone")
        return real(session_id, ids)

    monkeypatch.setattr(arrivals, "arrive_many", flaky)
    with pytest.raises(RuntimeError, match="database gone"):
        await arrivals.arrive(session.pk, student.pk)
    data = await arrivals.arrive(session.pk, student.pk)
    assert (data["live"], data["answer"], data["seq"]) == (True, None, 0)
    assert arrivals._GROUPS == {}
