"""The receipts under the room socket (review D13): `log.apply_command` and `polls.answer` given
an id they have done before write nothing and return the original result."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from patterns.sessions import joining, log, polls, receipts
from patterns.sessions.fields import SessionError
from patterns.sessions.models import Answer, Participant, Receipt, SessionCommand

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_apply_command_with_a_known_id_returns_the_original_place_in_the_log() -> None:
    user = get_user_model().objects.create_user("teacher", password="pw-unused-123")
    session = joining.create_session(user, "Direct")
    first = log.apply_command(session.pk, "slide", {"slide": 2, "step": 0}, "direct-id-0001")
    log.apply_command(session.pk, "slide", {"slide": 5, "step": 0})
    again = log.apply_command(session.pk, "slide", {"slide": 2, "step": 0}, "direct-id-0001")

    assert (first.seq, first.repeat) == (1, False)
    assert (again.seq, again.repeat, again.at_s, again.vt) == (1, True, first.at_s, first.vt)
    assert again.state["slide"] == 5  # the room as it is now: the repeat moved nothing
    assert SessionCommand.objects.filter(session=session).count() == 2
    receipt = Receipt.objects.get()
    assert (receipt.kind, receipt.result["seq"], receipt.participant_id) == ("slide", 1, None)


def test_an_answers_receipt_names_its_student() -> None:
    user = get_user_model().objects.create_user("teacher", password="pw-unused-123")
    session = joining.create_session(user, "Direct")
    aya, _token = joining.join(session, "Aya")
    ben, _token = joining.join(session, "Ben")
    opened = log.apply_command(session.pk, "poll.open", log.validate_command(_numeric_poll(), 1)[1])
    poll_id = opened.state["poll"]["id"]

    given = polls.answer(aya, {"poll": poll_id, "value": "42"}, "aya-answer-001")
    again = polls.answer(aya, {"poll": poll_id, "value": "43"}, "aya-answer-001")
    with pytest.raises(SessionError) as refused:
        polls.answer(ben, {"poll": poll_id, "value": "7"}, "aya-answer-001")

    assert given == {"poll": poll_id, "choice": None, "value": 42.0}
    assert again == {**given, "repeat": True}
    assert refused.value.field == "id"
    stored = Answer.objects.get(participant=aya)
    assert (stored.value, stored.changes) == (42.0, 0)
    assert not Answer.objects.filter(participant=ben).exists()
    assert Participant.objects.count() == 2


def _numeric_poll() -> dict[str, Any]:
    return {"type": "poll.open", "kind": "numeric", "prompt": "How many?"}


def test_receipts_older_than_any_screen_can_send_again_are_deleted_in_bounded_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = get_user_model().objects.create_user("teacher", password="pw-unused-123")
    session = joining.create_session(user, "Direct")
    now = timezone.now()
    old = now - timedelta(seconds=receipts.RECEIPT_KEEP_S + 1)
    young = now - timedelta(seconds=receipts.RECEIPT_KEEP_S - 5)
    for i in range(5):
        Receipt.objects.create(session=session, client_id=f"old-id-{i:04d}", kind="slide", at=old)
    Receipt.objects.create(session=session, client_id="young-id-0001", kind="slide", at=young)
    monkeypatch.setattr(receipts, "PRUNE_BATCH", 3)

    assert receipts.prune(now) == 3  # a batch at a time, the oldest first
    assert receipts.prune(now) == 2
    assert receipts.prune(now) == 0
    assert list(Receipt.objects.values_list("client_id", flat=True)) == ["young-id-0001"]


def test_a_write_that_files_a_receipt_cleans_up_after_its_commit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    user = get_user_model().objects.create_user("teacher", password="pw-unused-123")
    session = joining.create_session(user, "Direct")
    stale = timezone.now() - timedelta(seconds=receipts.RECEIPT_KEEP_S + 60)
    Receipt.objects.create(session=session, client_id="stale-id-0001", kind="slide", at=stale)
    monkeypatch.setattr(receipts, "_next_prune", 0.0)

    with django_capture_on_commit_callbacks(execute=True):
        log.apply_command(session.pk, "slide", {"slide": 2, "step": 0}, "fresh-id-0001")
    with django_capture_on_commit_callbacks(execute=True) as later:
        log.apply_command(session.pk, "slide", {"slide": 3, "step": 0}, "fresh-id-0002")

    ids = sorted(Receipt.objects.values_list("client_id", flat=True))
    assert ids == ["fresh-id-0001", "fresh-id-0002"]
    assert later == []  # the next clean-up waits PRUNE_EVERY_S
