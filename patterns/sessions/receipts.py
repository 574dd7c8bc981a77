"""Ids that screens give their requests, so a request sent twice is done once (review D13).

A console or a phone that loses its connection keeps the clicks made meanwhile and sends them
when it is back, each with the id it drew when the click was made; one sent just before the drop
may already be done. The room keeps a `Receipt` per id (in the database, so every server process
sees it): a repeated id gets the original result and changes nothing.

A receipt is needed only while a screen may still send its request again: the browsers drop a
queued click after two minutes (``OUTBOX_MAX_AGE_MS`` in static/js/sessions/connection.js), so
receipts older than RECEIPT_KEEP_S are deleted, a bounded batch at a time, after a write that
filed one (at most once every PRUNE_EVERY_S per process): the table holds the last few minutes
of requests, however long the server runs.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patterns.sessions.fields import SessionError
from patterns.sessions.models import Receipt

logger = logging.getLogger(__name__)

#: Receipts younger than this are kept: the browsers send a queued click again for at most two
#: minutes after it was made (and it was made before its receipt was filed), plus a wide margin.
RECEIPT_KEEP_S = 300.0
#: One clean-up deletes at most this many receipts (the oldest first).
PRUNE_BATCH = 500
#: A process cleans up at most this often (a clean-up is one DELETE, after the write's commit).
PRUNE_EVERY_S = 30.0
_next_prune = 0.0

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


def file_receipt(**fields: Any) -> Receipt:
    """Create a receipt (inside the caller's transaction); once it commits, delete old ones."""
    receipt = Receipt.objects.create(**fields)
    global _next_prune  # noqa: PLW0603 - one clock per process
    clock = time.monotonic()
    if clock >= _next_prune:
        _next_prune = clock + PRUNE_EVERY_S
        transaction.on_commit(_prune_quietly, robust=True)
    return receipt


def prune(now: Any = None) -> int:
    """Delete up to PRUNE_BATCH receipts filed more than RECEIPT_KEEP_S before ``now``; returns
    how many. One statement, oldest ids first, so two processes at it at once wait for each
    other instead of deadlocking."""
    cutoff = (now or timezone.now()) - timedelta(seconds=RECEIPT_KEEP_S)
    old = Receipt.objects.filter(at__lt=cutoff).order_by("pk").values_list("pk", flat=True)
    deleted, _by_model = Receipt.objects.filter(pk__in=old[:PRUNE_BATCH]).delete()
    return deleted


def _prune_quietly() -> None:
    try:
        prune()
    except DatabaseError:  # a clean-up that fails is tried again at the next write
        logger.exception("cannot delete old receipts")
