"""Quiz pages: the live form in a lesson, grading with a hint and a second try, spaced review.

One attempt, seen by the learner in three states: the form (its seed kept in the session, so a
reload asks the same questions in the same order); the first try graded (the score counts, the
right answers are explained, the wrong ones show their hint and can be answered once more); the
second try graded (now every explanation shows), with the next attempt's form, which asks other
variants. Questions answered wrongly at the first try come back on the progress page.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from patterns.lessons import library, quiz
from patterns.lessons.content import Lesson, Quiz
from patterns.progress import records as progress

ATTEMPTS_KEY = "kumoben_quiz_attempts"
CSRF_SLOT = "kumoben-csrf-slot"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def today() -> datetime.date:
    return timezone.localdate()


# --------------------------------------------------------------------------- attempts in the session


def current_attempt(request: HttpRequest, quiz_id: str) -> int:
    """This learner's attempt at the quiz, kept in the session so a reload shows the same one."""
    seed = request.session.get(ATTEMPTS_KEY, {}).get(quiz_id)
    if not isinstance(seed, int) or not 1 <= seed <= quiz.ATTEMPT_POOL:
        seed = quiz.new_attempt()
        _keep_attempt(request, quiz_id, seed)
    return seed


def _keep_attempt(request: HttpRequest, quiz_id: str, seed: int) -> None:
    attempts = dict(request.session.get(ATTEMPTS_KEY, {}))
    attempts[quiz_id] = seed
    request.session[ATTEMPTS_KEY] = attempts


# --------------------------------------------------------------------------- rendering


def _rows(
    asked: list[quiz.Question],
    numbers: tuple[int, ...] | None = None,
    answers: dict[int, quiz.Answer] | None = None,
    typed: dict[int, str] | None = None,
    errors: dict[int, str] | None = None,
) -> list[dict[str, Any]]:
    """One row a question the form asks: its number, the question and what to fill back in."""
    rows = []
    for number, question in enumerate(asked, start=1):
        if numbers is not None and number not in numbers:
            continue
        chosen = (answers or {}).get(number)
        slots = [
            (k, chosen[k - 1] if isinstance(chosen, tuple) and k <= len(chosen) else 0)
            for k in range(1, len(question.choices) + 1)
        ]
        rows.append(
            {
                "number": number,
                "question": question,
                "chosen": chosen if isinstance(chosen, frozenset) else frozenset(),
                "slots": slots,
                "typed": (typed or {}).get(number, ""),
                "error": number in (errors or {}),
                "player": json.dumps(question.player) if question.player else "",
            }
        )
    return rows


def quiz_context(lesson: Lesson, directive: Quiz, seed: int) -> dict[str, Any]:
    asked = quiz.questions(lesson, directive, seed)
    return {
        "quiz": directive,
        "lesson": lesson,
        "form_rows": _rows(asked),
        "attempt": quiz.sign_attempt(seed),
    }


@functools.lru_cache(maxsize=1024)
def _quiz_form(lang: str, slug: str, quiz_id: str, seed: int, version: float) -> str:
    lesson = library.lessons(lang)[slug]
    directive = quiz.find_quiz(lesson, quiz_id)
    assert directive is not None
    context = {**quiz_context(lesson, directive, seed), "csrf_token": CSRF_SLOT}
    with translation.override(lang):
        return render_to_string("labs/quiz.html#quiz-form", context)


def live_quiz_form(request: HttpRequest, lesson: Lesson, quiz_id: str) -> str:
    """A lesson's quiz as a form for this learner's current attempt."""
    seed = current_attempt(request, quiz_id)
    html = _quiz_form(lesson.lang, lesson.slug, quiz_id, seed, library.version())
    return html.replace(CSRF_SLOT, get_token(request))


def has_predict(lesson: Lesson) -> bool:
    """True when the lesson's quiz has a predict question (its step then needs the player)."""
    return any(draw.__name__.startswith("predict_") for draw in quiz.DRAWN.get(lesson.slug, ()))


# --------------------------------------------------------------------------- grading


def _get_quiz(slug: str, quiz_id: str) -> tuple[Lesson, Quiz]:
    lesson = library.lessons(library.language()).get(slug)
    directive = quiz.find_quiz(lesson, quiz_id) if lesson is not None else None
    if lesson is None or directive is None:
        raise Http404("no such quiz")
    return lesson, directive


def _first_try(request: HttpRequest, lesson: Lesson, directive: Quiz, seed: int) -> dict[str, Any]:
    asked = quiz.questions(lesson, directive, seed)
    answers, errors = quiz.parse_answers(request.POST, directive.id, asked)
    if errors:  # a typed answer that is not a number: ask again, keeping every answer
        typed = {
            n: request.POST.get(f"{directive.id}-{n}", "")[:40] for n in range(1, len(asked) + 1)
        }
        context = quiz_context(lesson, directive, seed)
        context["form_rows"] = _rows(asked, None, answers, typed, errors)
        context["number_errors"] = sorted(errors)
        return context
    graded = quiz.grade(asked, answers)
    score = sum(g.right for g in graded)
    wrong = tuple(g.number for g in graded if not g.right)
    store = progress.ProgressStore(request)
    record = store.load()
    progress.record_quiz(record, lesson.slug, score, len(graded))
    for g in graded:
        if not g.right:
            progress.schedule_review(
                record, lesson.slug, directive.id, g.question.key, seed, today()
            )
    store.save(record)
    _keep_attempt(request, directive.id, quiz.new_attempt(previous=seed))
    context: dict[str, Any] = {
        "quiz": directive,
        "lesson": lesson,
        "graded": graded,
        "score": score,
        "total": len(graded),
    }
    if wrong:
        context["second"] = quiz.sign_second_try(seed, wrong)
        context["second_rows"] = _rows(asked, wrong)
    else:
        context.update(_next_attempt(request, lesson, directive))
    return context


def _second_try(
    request: HttpRequest, lesson: Lesson, directive: Quiz, seed: int, wrong: tuple[int, ...]
) -> dict[str, Any]:
    asked = quiz.questions(lesson, directive, seed)
    answers, _errors = quiz.parse_answers(request.POST, directive.id, asked, wrong)
    return {
        "quiz": directive,
        "lesson": lesson,
        "explained": quiz.grade(asked, answers, wrong),
        "score": len(asked) - len(wrong),
        "total": len(asked),
        **_next_attempt(request, lesson, directive),
    }


def _next_attempt(request: HttpRequest, lesson: Lesson, directive: Quiz) -> dict[str, Any]:
    seed = current_attempt(request, directive.id)
    rows = _rows(quiz.questions(lesson, directive, seed))
    return {"form_rows": rows, "attempt": quiz.sign_attempt(seed), "retake": True}


@require_POST
def quiz_grade(request: HtmxHttpRequest, slug: str, quiz_id: str) -> HttpResponse:
    lesson, directive = _get_quiz(slug, quiz_id)
    second = quiz.read_second_try(request.POST.get("second", ""))
    seed = quiz.read_attempt(request.POST.get("attempt", ""))
    if second is not None:
        context = _second_try(request, lesson, directive, *second)
    elif seed is not None:
        context = _first_try(request, lesson, directive, seed)
    else:  # a forged or stale token: start a fresh attempt instead of failing
        context = quiz_context(lesson, directive, current_attempt(request, quiz_id))
        context["error"] = True
    template = "labs/quiz.html"
    if request.htmx:
        template += "#quiz-form"
    elif has_predict(lesson):
        # The whole page: its predict questions need the compact player's markup and script.
        from patterns.lessons.views import _player_partial  # lessons.views imports this module

        context["player"] = _player_partial()
    return render(request, template, context)


# --------------------------------------------------------------------------- spaced review


def review_rows(request: HttpRequest, record: dict[str, Any]) -> dict[str, Any]:
    """The progress page's review: the questions due now (with their forms) and those to come."""
    lessons = library.lessons(library.language())
    due, later = [], []
    now = today()
    for item in sorted(record["review"], key=lambda i: i["due"]):
        question = _review_question(lessons, item)
        if question is None:
            continue
        entry = {"item": item, "lesson": lessons[item["lesson"]], "question": question,
                 "due": datetime.date.fromisoformat(item["due"])}  # fmt: skip
        (due if item["due"] <= now.isoformat() else later).append(entry)
    for index, entry in enumerate(due, start=1):
        entry["index"] = index
        entry["prefix"] = f"review{index}"  # the field names review_answer reads
        entry["row"] = _rows([entry["question"]])[0]
    return {"review_due": due, "review_later": later}


def _review_question(lessons: dict[str, Lesson], item: dict[str, Any]) -> quiz.Question | None:
    lesson = lessons.get(item["lesson"])
    directive = quiz.find_quiz(lesson, item["quiz"]) if lesson is not None else None
    if lesson is None or directive is None:
        return None
    return quiz.find_question(lesson, directive, item["seed"], item["key"])


@require_POST
def review_answer(request: HtmxHttpRequest) -> HttpResponse:
    lessons = library.lessons(library.language())
    store = progress.ProgressStore(request)
    record = store.load()
    wanted = (
        request.POST.get("lesson", ""),
        request.POST.get("quiz", ""),
        request.POST.get("key", ""),
    )
    item = next((i for i in record["review"] if (i["lesson"], i["quiz"], i["key"]) == wanted), None)
    question = _review_question(lessons, item) if item is not None else None
    if item is None or question is None:
        raise Http404("no such question to review")
    index = request.POST.get("index", "1")
    index = index if index.isdigit() and len(index) < 4 else "1"
    answers, _errors = quiz.parse_answers(request.POST, f"review{index}", [question])
    (graded,) = quiz.grade([question], answers)
    after = progress.review_answered(record, *wanted, graded.right, today())
    store.save(record)
    context = {
        "graded": graded,
        "index": index,
        "next_due": datetime.date.fromisoformat(after["due"]) if after else None,
        "lesson": lessons[item["lesson"]],
    }
    template = "lessons/review.html"
    if request.htmx:
        template += "#review-result"
    return render(request, template, context)
