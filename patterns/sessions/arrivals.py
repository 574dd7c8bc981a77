"""Students arriving in a room, served in groups: one trip to the database thread for everyone
who arrived while the previous trip ran.

Channels runs every database call of the process on one thread, so in a burst of joins (a class
of 2,000 opening the room at the bell, or every screen coming back after a restart) each
socket's presence write and hello read queued behind all the others, and daphne drops a
WebSocket handshake that waits more than 5 s. Here the first arrival starts a trip; those that
arrive meanwhile wait for the next one, which counts all their connections in one UPDATE, reads
the room's state once and each one's poll answer. So the trips a burst costs grow with how long
it lasts, not with how many it brings; one arrival alone still costs one trip.

A student's hello is still built from a state read after its socket joined the room's relay
(every arrival joins before it waits here), so no broadcast falls in a gap.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from patterns.lessons import slides
from patterns.sessions import joining, log, polls
from patterns.sessions.models import Participant, StudySession


def arrive_many(session_id: int, participant_ids: list[int]) -> tuple[dict[str, Any], dict]:
    """Count one more open socket for each id (an id twice: two more), then read what their
    hellos need: the room's state, live or not, the revealed tally, and each one's answer.

    Returns (common, answers): ``common`` has ``seq``, ``state``, ``live`` and ``tally`` (None
    unless the poll is revealed); ``answers`` maps each id to its answer to the open poll."""
    counts = Counter(participant_ids)
    now = timezone.now()
    with transaction.atomic():
        for times in sorted(set(counts.values())):
            ids = [pid for pid, n in counts.items() if n == times]
            Participant.objects.filter(pk__in=ids).update(
                connections=F("connections") + times, online=True, last_seen=now
            )
    session = StudySession.objects.get(pk=session_id)
    state = session.state
    poll = state["poll"]
    revealed = poll is not None and poll["state"] == "revealed"
    common = {
        "seq": session.last_seq,
        "state": state,
        "live": session.is_live(),
        "tally": polls.tally(poll["id"]) if revealed else None,
    }
    poll_id = poll["id"] if poll else None
    answers = {pid: polls.your_answer(pid, poll_id) for pid in counts}
    return common, answers


def resolve_many(public_id: str, asks: list[tuple[Any, Any, str]]) -> list[tuple[Any, ...]]:
    """Who each socket opening room ``public_id`` is, for a group of them: (user, Django session,
    view) -> (session, role, participant, slide count); role ``"removed"`` for a participant the
    instructor removed (``joining.participant_for_token(..., removed=True)``'s rule).

    One lookup of the room and one of the participants for every token in the group."""
    session = StudySession.objects.filter(public_id=public_id).first()
    if session is None:
        return [(None, None, None, 0)] * len(asks)
    count = slides.slide_count(session.lesson_slug, log.MAX_SLIDE)
    hashes: list[str | None] = []
    for _user, django_session, _view in asks:
        tokens = django_session.get("study_tokens", {}) if django_session is not None else {}
        token = tokens.get(public_id)
        hashes.append(joining._hash_token(token) if isinstance(token, str) and token else None)
    wanted = [h for h in hashes if h is not None]
    found = {
        p.token_hash: p
        for p in Participant.objects.filter(session_id=session.pk, token_hash__in=wanted)
    }
    resolved: list[tuple[Any, ...]] = []
    for (user, _django_session, view), token_hash in zip(asks, hashes, strict=True):
        participant = found.get(token_hash) if token_hash is not None else None
        if joining.is_instructor(user) and session.owner_id == user.pk:
            resolved.append((session, view, None, count))
        elif participant is None:
            resolved.append((session, None, None, 0))
        elif participant.removed_at is not None:
            # Removed by the instructor: the socket is told so (review D6).
            resolved.append((session, "removed", None, 0))
        else:
            resolved.append((session, "student", participant, count))
    return resolved


def leave_many(session_id: int, participant_ids: list[int]) -> None:
    """One socket fewer for each id (an id twice: two fewer); offline once none is left."""
    counts = Counter(participant_ids)
    now = timezone.now()
    with transaction.atomic():
        for times in sorted(set(counts.values())):
            ids = [pid for pid, n in counts.items() if n == times]
            Participant.objects.filter(pk__in=ids).update(
                connections=Greatest(F("connections") - times, 0),
                online=Case(When(connections__gt=times, then=Value(True)), default=Value(False)),
                last_seen=now,
            )


class _Group:
    """The requests of one kind for one room waiting for the next trip: ``work(key, items)``
    runs on the database thread and returns one result per item, in order (None: the same
    None for each)."""

    def __init__(self, name: tuple[str, Any], work: Callable[[Any, list[Any]], Any]) -> None:
        self.name = name
        self.work = work
        self.loop = asyncio.get_running_loop()
        self.pending: list[tuple[Any, asyncio.Future[Any]]] = []
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending, []
                try:
                    results = await database_sync_to_async(self.work)(
                        self.name[1], [item for item, _future in batch]
                    )
                except Exception as error:  # noqa: BLE001 - each request raises it as its own
                    for _item, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                if results is None:
                    results = [None] * len(batch)
                for (_item, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            # No await since the loop saw ``pending`` empty: nobody can be left waiting here.
            if _GROUPS.get(self.name) is self and not self.pending:
                del _GROUPS[self.name]


_GROUPS: dict[tuple[str, Any], _Group] = {}


async def _together(kind: str, key: Any, item: Any) -> Any:
    """``item``'s result of the next trip of ``kind`` for ``key`` (started now if none runs)."""
    name = (kind, key)
    group = _GROUPS.get(name)
    if group is None or group.loop is not asyncio.get_running_loop():
        group = _GROUPS[name] = _Group(name, _WORK[kind])
    future: asyncio.Future[Any] = group.loop.create_future()
    group.pending.append((item, future))
    if group.task is None or group.task.done():
        group.task = asyncio.ensure_future(group.run())
    return await future


def _arrive_work(session_id: int, ids: list[int]) -> list[dict[str, Any]]:
    common, answers = arrive_many(session_id, ids)
    return [{**common, "answer": answers.get(pid)} for pid in ids]


_WORK: dict[str, Callable[[Any, list[Any]], Any]] = {
    "arrive": lambda key, items: _arrive_work(key, items),
    "resolve": lambda key, items: resolve_many(key, items),
    "leave": lambda key, items: leave_many(key, items),
}


async def arrive(session_id: int, participant_id: int) -> dict[str, Any]:
    """Count this socket of the participant and return its hello's data (as ``arrive_many``'s
    ``common`` with this participant's ``answer``), sharing the trip with others arriving."""
    result: dict[str, Any] = await _together("arrive", session_id, participant_id)
    return result


async def resolve(public_id: str, user: Any, django_session: Any, view: str) -> tuple[Any, ...]:
    """``resolve_many`` for one socket, sharing the trip with others opening the room."""
    result: tuple[Any, ...] = await _together("resolve", public_id, (user, django_session, view))
    return result


async def leave(session_id: int, participant_id: int) -> None:
    """``leave_many`` for one socket, sharing the trip with others leaving the room."""
    await _together("leave", session_id, participant_id)
