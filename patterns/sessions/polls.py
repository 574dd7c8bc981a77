"""Polls in a study session: what an instructor may open, a student's answer, the tally
(numeric answers in round bins), the histogram's rows, and the leaderboard of scored polls."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patterns.lessons import slides
from patterns.sessions.fields import (
    SessionError,
    read_answer_number,
    read_number,
    read_text,
    read_whole,
)
from patterns.sessions.models import Answer, Participant, Poll, StudySession
from patterns.sessions.receipts import file_receipt, receipt_for

MAX_CHOICES = 6
CHOICE_MAX = 120
PROMPT_MAX = 300
POINTS_PER_CORRECT = 100
#: An optional poll timer, in whole seconds: the poll stops taking answers by itself.
TIMER_MIN_S = 5
TIMER_MAX_S = 600
#: The seeds the console draws a lesson's questions with (its page picks one per load).
SEED_MAX = 2**31 - 1


def from_lesson(slug: str, lang: str, seed: int) -> list[dict[str, Any]]:
    """The lesson's quiz questions that fit in a poll, as ready-made polls."""
    return slides.lesson_polls(
        slug, lang, seed, max_choices=MAX_CHOICES, prompt_max=PROMPT_MAX, choice_max=CHOICE_MAX
    )


def lesson_texts(slug: str, ref: str, seed: int) -> dict[str, dict[str, Any]]:
    """The lesson question ``ref`` (drawn with ``seed``) in every site language that has it:
    {lang: {"prompt", "choices", "correct"}}. Empty when the lesson or the question is unknown."""
    texts = {}
    for lang, _name in settings.LANGUAGES:
        found = next((p for p in from_lesson(slug, lang, seed) if p["ref"] == ref), None)
        if found is not None:
            texts[lang] = found
    return texts


def _translations(frame: dict[str, Any], payload: dict[str, Any], lesson: str) -> dict[str, Any]:
    """A poll opened unedited from the lesson's quiz: its prompt and choices in every language,
    so each phone shows it in its own. Edited (or not from the lesson): {}, the text as written."""
    ref, seed = frame.get("ref"), frame.get("seed")
    if not lesson or not isinstance(ref, str) or len(ref) > 100 or ref.count(":") != 1:
        return {}
    seed = read_whole(frame, "seed", 0, SEED_MAX)
    texts = lesson_texts(lesson, ref, seed)
    asked = (payload["prompt"], payload["choices"], payload["correct"])
    if not any((t["prompt"], t["choices"], t["correct"]) == asked for t in texts.values()):
        return {}
    return {lang: {"prompt": t["prompt"], "choices": t["choices"]} for lang, t in texts.items()}


def public_correct(poll: Poll) -> int | float | None:
    """The right answer as the room is told it: a choice's index or a number; None if unset."""
    if poll.correct is None:
        return None
    return int(poll.correct) if poll.kind == Poll.CHOICE else poll.correct


def validate_poll(frame: dict[str, Any], lesson: str = "") -> dict[str, Any]:
    """An instructor's poll.open frame -> the poll's fields; SessionError names a bad field.

    Two fields live only in the command log and the room state, not on the poll row: ``seconds``
    (the optional timer) and ``texts`` (a lesson question's words in every language)."""
    poll_kind = frame.get("kind")
    if poll_kind not in (Poll.CHOICE, Poll.NUMERIC):
        raise SessionError("kind", _("expected choice or numeric"))
    prompt = read_text(frame, "prompt", PROMPT_MAX)
    scored = frame.get("scored", False)
    if not isinstance(scored, bool):
        raise SessionError("scored", _("expected true or false"))
    correct = frame.get("correct")
    payload: dict[str, Any] = {
        "kind": poll_kind,
        "prompt": prompt,
        "scored": scored,
        "choices": [],
        "unit": "",
        "tolerance": 0.0,
        "correct": None,
    }
    if poll_kind == Poll.CHOICE:
        raw = frame.get("choices")
        if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_CHOICES:
            raise SessionError("choices", _("fill in 2 to %(max)d choices") % {"max": MAX_CHOICES})
        payload["choices"] = [
            read_text({"c": c}, "c", CHOICE_MAX) if isinstance(c, str) else _bad_choice()
            for c in raw
        ]
        if correct is not None:
            payload["correct"] = read_whole(frame, "correct", 0, len(raw) - 1)
    else:
        payload["unit"] = read_text(frame, "unit", 12, required=False)
        if correct is not None:
            payload["correct"] = read_number(frame, "correct", -1e9, 1e9)
        if frame.get("tolerance") is not None:
            payload["tolerance"] = read_number(frame, "tolerance", 0, 1e9)
    if scored and payload["correct"] is None:
        raise SessionError("correct", _("a scored poll needs a right answer"))
    seconds = frame.get("seconds")
    if seconds is not None:
        seconds = read_whole(frame, "seconds", TIMER_MIN_S, TIMER_MAX_S)
    return {**payload, "seconds": seconds, "texts": _translations(frame, payload, lesson)}


#: Fields of a poll.open payload that are not columns of the poll row.
STATE_ONLY = ("seconds", "texts")


def closes_at_ms(poll: dict[str, Any]) -> int | None:
    """When a timed poll in the room state stops taking answers (server epoch ms)."""
    return poll.get("closes_at_ms")


def _refuse_late(current: dict[str, Any]) -> None:
    closes = closes_at_ms(current)
    if closes is not None and timezone.now().timestamp() * 1000 >= closes:
        seconds = current.get("seconds") or 0
        raise SessionError(
            "poll",
            ngettext(
                "Time is up: this poll took answers for %(seconds)d second.",
                "Time is up: this poll took answers for %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds},
        )


def _bad_choice() -> str:
    raise SessionError("choices", _("each choice must be text"))


def answer(participant: Participant, frame: dict[str, Any], client_id: str = "") -> dict[str, Any]:
    """Take (or change) the student's answer: ``{"poll", "choice", "value"}`` as stored.

    With a ``client_id`` the phone has sent before (it lost the reply in a reconnect), nothing
    changes: the original answer's result comes back with ``"repeat": True``, even once the
    poll is revealed or closed."""
    done = receipt_for(participant.session_id, client_id, participant.pk)
    if done is not None:
        return {**done.result, "repeat": True}
    state = StudySession.objects.values_list("state", flat=True).get(pk=participant.session_id)
    current = state.get("poll")
    if current is None or frame.get("poll") != current["id"]:
        raise SessionError("poll", _("This poll is no longer open."))
    if current["state"] != Poll.OPEN:
        raise SessionError("poll", _("Answers are closed: the result has been revealed."))
    _refuse_late(current)
    choice: int | None = None
    value: float | None = None
    if current["kind"] == Poll.CHOICE:
        choice = read_whole(frame, "choice", 0, len(current["choices"]) - 1)
    else:
        value = read_answer_number(frame, "value", -1e9, 1e9)
    result = {"poll": current["id"], "choice": choice, "value": value}
    try:
        _store_answer(participant, current["id"], choice, value, client_id, result)
    except IntegrityError:
        # The same id reached another process first (two tabs, or a reconnect mid-request).
        done = receipt_for(participant.session_id, client_id, participant.pk)
        if done is None:
            raise
        return {**done.result, "repeat": True}
    return result


def _store_answer(
    participant: Participant,
    poll_id: int,
    choice: int | None,
    value: float | None,
    client_id: str,
    result: dict[str, Any],
) -> None:
    # The poll row's lock orders this answer against the reveal (which updates that row in its
    # command's transaction): an answer is either counted before the reveal or refused after.
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll_id)
        if poll.state != Poll.OPEN:
            raise SessionError("poll", _("Answers are closed: the result has been revealed."))
        changed = Answer.objects.filter(poll=poll, participant=participant).update(
            choice=choice, value=value, answered_at=timezone.now(), changes=F("changes") + 1
        )
        if not changed:
            Answer.objects.create(poll=poll, participant=participant, choice=choice, value=value)
        if client_id:
            file_receipt(
                session_id=participant.session_id,
                client_id=client_id,
                participant=participant,
                kind="answer",
                result=result,
            )


def numeric_bins(values: Sequence[float], most: int = 8) -> list[tuple[float, float]]:
    """At most `most` equal bins with round edges covering every value.

    Worked example: values 3, 7 and 12 -> raw width (12 - 3) / 8 = 1.125, rounded up to the next
    1-2-5 step = 2, first edge floor(3 / 2) * 2 = 2, so 6 bins: [2, 4), [4, 6), ..., [12, 14).
    """
    if not values:
        return []
    low, high = min(values), max(values)
    if low == high:
        return [(low, high)]
    raw = (high - low) / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    count = math.floor((high - start) / step) + 1
    return [(start + i * step, start + (i + 1) * step) for i in range(count)]


def format_number(value: float) -> str:
    return f"{value:g}"


def tally(poll_id: int) -> dict[str, Any]:
    """The poll's tally; while it is the room's current poll, with its choices in every language
    it has them (``texts``), for ``localized``."""
    poll = Poll.objects.select_related("session").get(pk=poll_id)
    answers = list(poll.answers.values_list("choice", "value"))
    counted = tally_answers(poll, answers)
    current = poll.session.state.get("poll") or {}
    if poll.kind == Poll.CHOICE and current.get("id") == poll.pk and current.get("texts"):
        counted["texts"] = {lang: t["choices"] for lang, t in current["texts"].items()}
    return counted


def localized(tally: dict[str, Any], lang: str) -> dict[str, Any]:
    """The tally with its labels in ``lang`` (a lesson question's choices) and without
    ``texts``."""
    texts = tally.get("texts") or {}
    out = {k: v for k, v in tally.items() if k != "texts"}
    if lang in texts:
        out["labels"] = list(texts[lang])
    return out


def without_answer(tally: dict[str, Any]) -> dict[str, Any]:
    """The tally as the projector may show it before the reveal: no right answer in it."""
    return {**tally, "correct": None}


def tally_answers(poll: Poll, answers: Sequence[tuple[int | None, float | None]]) -> dict[str, Any]:
    correct_bar: int | None = None
    if poll.kind == Poll.CHOICE:
        labels = list(poll.choices)
        counts = [0] * len(labels)
        for choice, _value in answers:
            if choice is not None and choice < len(counts):
                counts[choice] += 1
        if poll.correct is not None:
            correct_bar = int(poll.correct)
    else:
        values = [v for _c, v in answers if v is not None]
        bins = numeric_bins(values)
        labels, counts = [], [0] * len(bins)
        for low, high in bins:
            labels.append(
                format_number(low) if low == high else f"{format_number(low)}–{format_number(high)}"
            )
        for v in values:
            index = next(i for i, (low, high) in enumerate(bins) if v < high or i == len(bins) - 1)
            counts[index] += 1
        if poll.correct is not None and bins:
            for i, (low, high) in enumerate(bins):
                if low <= poll.correct < high or (i == len(bins) - 1 and poll.correct == high):
                    correct_bar = i
    return {
        "type": "tally",
        "poll": poll.pk,
        "labels": labels,
        "counts": counts,
        "answered": len(answers),
        "correct": correct_bar,
    }


def leaderboard(session_id: int, top: int = 10) -> list[dict[str, Any]]:
    scores: dict[int, int] = {}
    polls = Poll.objects.filter(
        session_id=session_id, scored=True, state=Poll.REVEALED
    ).prefetch_related("answers")
    for poll in polls:
        for a in poll.answers.all():
            if poll.is_correct(a.choice, a.value):
                scores[a.participant_id] = scores.get(a.participant_id, 0) + POINTS_PER_CORRECT
    names = dict(Participant.objects.filter(session_id=session_id).values_list("id", "nickname"))
    ranked = sorted(scores.items(), key=lambda item: (-item[1], names.get(item[0], "")))
    return [{"nickname": names[pid], "score": score} for pid, score in ranked[:top]]


def your_answer(participant_id: int, poll_id: int | None) -> dict[str, Any] | None:
    if poll_id is None:
        return None
    a = Answer.objects.filter(poll_id=poll_id, participant_id=participant_id).first()
    if a is None:
        return None
    return {"poll": poll_id, "choice": a.choice, "value": a.value}


# The histogram's geometry (SVG user units): the whole width, one row, the longest bar. The
# server draws every histogram (the report's and the room's); the browser only swaps it in.
HIST_WIDTH = 320
HIST_ROW = 36
HIST_BAR_MAX = 250


def histogram_rows(tally: dict[str, Any]) -> dict[str, Any]:
    """Row geometry for a horizontal bar chart: a label line above a bar per answer.

    A bar's width is its share of the largest count: counts 3 and 6 -> widths 125 and 250.
    """
    top = max(tally["counts"], default=0) or 1
    rows = []
    for i, (label, count) in enumerate(zip(tally["labels"], tally["counts"], strict=True)):
        y = i * HIST_ROW
        width = round(HIST_BAR_MAX * count / top, 1)
        rows.append(
            {
                "label": label,
                "count": count,
                "correct": tally.get("correct") == i,
                "label_y": y + 12,
                "bar_y": y + 16,
                "width": width,
                "count_x": width + 6,
                "count_y": y + 27,
            }
        )
    summary = "; ".join(f"{row['label']}: {row['count']}" for row in rows)
    return {
        "rows": rows,
        "summary": summary,
        "width": HIST_WIDTH,
        "height": max(HIST_ROW, len(rows) * HIST_ROW),
    }


def histogram_html(tally: dict[str, Any], label: str) -> str:
    """The tally as an SVG bar chart (sessions/_histogram.html): bars sized by SVG attributes,
    the right answer's bar marked by a class and a ✓ in its label; ``label`` names the chart
    for screen readers, followed by every bar's label and count."""
    return render_to_string(
        "sessions/_histogram.html", {"hist": histogram_rows(tally), "label": label}
    )
