"""A study session's command log and the room state folded from it.

The room's state is a fold of its command log: `fold(commands)` replays rows in `seq` order
through `reduce_state`, and `apply_command` writes the new row and the folded state in one
transaction, under a row lock on the session, so two processes never hand out the same `seq`.
`validate_command` turns an instructor's frame into the (kind, payload) the log stores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patterns.catalog import MAX_SPEED, MIN_SPEED
from patterns.sessions import shared_run as session_sim
from patterns.sessions.fields import SessionError, read_number, read_whole
from patterns.sessions.models import Participant, Poll, Receipt, SessionCommand, StudySession
from patterns.sessions.polls import STATE_ONLY, public_correct, validate_poll
from patterns.sessions.receipts import file_receipt, receipt_for

#: Slides a session without a lesson may go to.
MAX_SLIDE = 500
ELEMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
SIM_KINDS = ("play", "pause", "speed", "action", "scenario")
#: Commands that mean the class has begun: the projector then puts the join code in a corner.
STARTING_KINDS = frozenset({"slide", "play", "scenario", "poll.open"})


def initial_state() -> dict[str, Any]:
    return {
        "slide": 1,
        "step": 0,
        "highlight": None,
        "sim": {"playing": False, "speed": 1.0, "vt": 0.0, "since": 0.0, "actions": 0},
        "poll": None,
        "started": False,
        "ended": False,
    }


def reduce_state(state: dict[str, Any], kind: str, payload: dict[str, Any], at_s: float):
    """The state after one command; pure, so the log can be replayed anywhere."""
    new = {**state, "sim": dict(state["sim"])}
    if kind in STARTING_KINDS:
        new["started"] = True
    if kind == "slide":
        new["slide"], new["step"] = payload["slide"], payload["step"]
    elif kind == "highlight":
        new["highlight"] = payload["el"]
    elif kind in SIM_KINDS:
        sim = new["sim"]
        sim["vt"] = round(session_sim.virtual_time(sim, at_s), 6)
        sim["since"] = at_s
        if kind == "play":
            sim["playing"] = True
        elif kind == "pause":
            sim["playing"] = False
        elif kind == "speed":
            sim["speed"] = payload["value"]
        elif kind == "action":
            sim["actions"] += 1
        if sim.get("run") is not None or kind == "scenario":
            session_sim.reduce_sim(sim, kind, payload, at_s)
    elif kind == "poll.open":
        new["poll"] = {
            "id": payload["id"],
            "number": payload["number"],
            "kind": payload["kind"],
            "prompt": payload["prompt"],
            "choices": payload["choices"],
            "unit": payload["unit"],
            "scored": payload["scored"],
            "state": Poll.OPEN,
            "correct": None,
            # Logs written before timers and translations have neither.
            "seconds": payload.get("seconds"),
            "closes_at_ms": (
                round((at_s + payload["seconds"]) * 1000) if payload.get("seconds") else None
            ),
            "texts": payload.get("texts") or {},
        }
    elif kind == "poll.reveal" and new["poll"] is not None:
        new["poll"] = {**new["poll"], "state": Poll.REVEALED, "correct": payload["correct"]}
    elif kind == "poll.close":
        new["poll"] = None
    elif kind == "lobby":
        new["locked"] = payload["locked"]
    elif kind == "remove":
        new["removed"] = [*state.get("removed", []), payload["participant"]]
    elif kind == "end":
        new["ended"] = True
    return new


def fold(commands: Iterable[SessionCommand]) -> dict[str, Any]:
    state = initial_state()
    for command in commands:
        state = reduce_state(state, command.kind, command.payload, command.at.timestamp())
    return state


def rebuild_state(session_id: int) -> dict[str, Any]:
    return fold(SessionCommand.objects.filter(session_id=session_id).order_by("seq"))


@dataclass(frozen=True)
class Applied:
    seq: int
    state: dict[str, Any]
    at_s: float
    vt: float
    #: True when the command's id was done before: nothing was written, ``seq``, ``at_s`` and
    #: ``vt`` are the original command's and ``state`` is the room's now.
    repeat: bool = False


def _repeat(session: StudySession, receipt: Receipt) -> Applied:
    result = receipt.result
    return Applied(
        seq=result["seq"], state=session.state, at_s=result["at_s"], vt=result["vt"], repeat=True
    )


def apply_command(
    session_id: int, kind: str, payload: dict[str, Any], client_id: str = ""
) -> Applied:
    """Write the command and its folded state; with a ``client_id`` already done, write nothing
    and return the original command's place in the log (``Applied.repeat``)."""
    try:
        return _apply_command(session_id, kind, payload, client_id)
    except IntegrityError:
        # Another process wrote the same id between our look and our write: it is done.
        session = StudySession.objects.get(pk=session_id)
        receipt = receipt_for(session_id, client_id, None)
        if receipt is None:
            raise
        return _repeat(session, receipt)


def _apply_command(session_id: int, kind: str, payload: dict[str, Any], client_id: str) -> Applied:
    with transaction.atomic():
        session = StudySession.objects.select_for_update().get(pk=session_id)
        receipt = receipt_for(session_id, client_id, None)
        if receipt is not None:
            return _repeat(session, receipt)
        if not session.is_live():
            raise SessionError("session", _("This session has ended."))
        now = timezone.now()
        at_s = now.timestamp()
        vt = round(session_sim.virtual_time(session.state["sim"], at_s), 6)
        payload = _prepare(session, kind, payload, now)
        seq = session.last_seq + 1
        SessionCommand.objects.create(
            session=session, seq=seq, at=now, vt=vt, kind=kind, payload=payload
        )
        state = reduce_state(session.state, kind, payload, at_s)
        session.state, session.last_seq = state, seq
        update = ["state", "last_seq"]
        if kind == "end":
            session.ended_at = now
            update.append("ended_at")
        session.save(update_fields=update)
        if client_id:
            file_receipt(
                session=session,
                client_id=client_id,
                kind=kind,
                result={"seq": seq, "at_s": at_s, "vt": vt},
                at=now,
            )
    return Applied(seq=seq, state=state, at_s=at_s, vt=vt)


def _prepare(
    session: StudySession, kind: str, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Commands that touch poll rows do so here, inside the command's transaction."""
    current = session.state.get("poll")
    if kind == "scenario":
        return {**payload, "run": f"s{session.last_seq + 1}"}
    if kind == "action":
        sim = session.state["sim"]
        vt = session_sim.virtual_time(sim, now.timestamp())
        try:
            return session_sim.prepare_action(sim, payload["action"], vt)
        except session_sim.SimCommandError as error:
            raise SessionError(error.field, error.reason) from None
    if kind == "poll.open":
        number = session.polls.count() + 1
        columns = {k: v for k, v in payload.items() if k not in STATE_ONLY}
        poll = Poll.objects.create(session=session, number=number, opened_at=now, **columns)
        return {"id": poll.pk, "number": number, **payload}
    if kind == "remove":
        removed = Participant.objects.filter(
            session=session, pk=payload["participant"], removed_at__isnull=True
        ).update(removed_at=now)
        if not removed:
            raise SessionError("participant", _("No such participant is in this session."))
        return payload
    if kind in ("poll.reveal", "poll.close"):
        if current is None:
            raise SessionError("poll", _("No poll is open."))
        poll = Poll.objects.get(pk=current["id"], session=session)
        if kind == "poll.reveal":
            if poll.state == Poll.REVEALED:
                raise SessionError("poll", _("This poll is already revealed."))
            poll.state, poll.revealed_at = Poll.REVEALED, now
            poll.save(update_fields=["state", "revealed_at"])
            return {"id": poll.pk, "correct": public_correct(poll)}
        return {"id": poll.pk}
    return payload


def validate_command(
    frame: dict[str, Any], slides: int, lesson: str = ""
) -> tuple[str, dict[str, Any]]:
    """An instructor frame -> (kind, payload) as stored in the log; SessionError names the field."""
    kind = frame["type"]
    if kind == "slide":
        return kind, {
            "slide": read_whole(frame, "slide", 1, max(1, slides)),
            "step": read_whole(frame, "step", 0, 99),
        }
    if kind == "highlight":
        el = frame.get("el")
        if el is not None and (not isinstance(el, str) or not ELEMENT_ID.match(el)):
            raise SessionError("el", _("expected a diagram element id such as task-inventory-2"))
        return kind, {"el": el}
    if kind in ("play", "pause", "end", "poll.reveal", "poll.close"):
        return kind, {}
    if kind == "speed":
        return kind, {"value": read_number(frame, "value", MIN_SPEED, MAX_SPEED)}
    if kind == "action":
        # Checked by the engine in apply_command, against the running scenario and its log.
        action = frame.get("action")
        if not isinstance(action, dict):
            raise SessionError("action", _("expected an engine action object"))
        return kind, {"action": action}
    if kind == "scenario":
        try:
            return kind, session_sim.validate_start(frame)
        except session_sim.SimCommandError as error:
            raise SessionError(error.field, error.reason) from None
    if kind == "poll.open":
        return kind, validate_poll(frame, lesson)
    if kind == "lobby":
        locked = frame.get("locked")
        if not isinstance(locked, bool):
            raise SessionError("locked", _("expected true or false"))
        return kind, {"locked": locked}
    if kind == "remove":
        return kind, {"participant": read_whole(frame, "participant", 1, 2**31 - 1)}
    raise SessionError("type", _("not an instructor command"))
