"""Ids that screens give their requests, so a request sent twice is done once (review D13).

A console or a phone that loses its connection keeps the clicks made meanwhile and sends them
when it is back, each with the id it drew when the click was made; one sent just before the drop
may already be done. The room keeps a `Receipt` per id (in the database, so every server process
sees it): a repeated id gets the original result and changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from patterns.sessions.fields import SessionError
from patterns.sessions.models import Receipt

#: 8 to 40 URL-safe characters: the browsers send 22 (16 random bytes, base64url).
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


def read_client_id(frame: dict[str, Any]) -> str:
    """The frame's ``id`` (a screen's own number for a command or an answer), "" without one."""
    value = frame.get("id")
    if value is None:
        return ""
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise SessionError("id", _("expected 8 to 40 letters, digits, - or _"))
    return value


def receipt_for(session_id: int, client_id: str, participant_id: int | None) -> Receipt | None:
    """The receipt of a request already done under this id, if any. An id another sender used
    (an instructor's id in a student's answer, or the reverse) is refused, never shared."""
    if not client_id:
        return None
    found = Receipt.objects.filter(session_id=session_id, client_id=client_id).first()
    if found is not None and found.participant_id != participant_id:
        raise SessionError("id", _("this id was already used for another request"))
    return found
