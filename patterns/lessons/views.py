"""Lesson pages: the index, story mode (one step a page), presenter mode and the glossary.

Content comes from :mod:`patterns.lessons.library`, parsed and rendered once per process and
language, so a lesson page costs a dictionary lookup and one template render.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from patterns.lessons import library, quiz
from patterns.lessons.content import Lesson, RenderedStep
from patterns.progress import records as progress

# The cached narration marks each quiz (templates/lessons/embed_quiz.html); story mode swaps in a
# live, graded form with a fresh attempt (drawn numbers) per page view. Content can never produce
# these comments: Markdown here escapes raw HTML.
_QUIZ_BLOCK = re.compile(r"<!--quiz:([a-z0-9-]+)-->.*?<!--/quiz-->", re.DOTALL)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _get_lesson(slug: str) -> tuple[Lesson, tuple[RenderedStep, ...]]:
    lesson = library.lessons(library.language()).get(slug)
    if lesson is None:
        raise Http404("no such lesson")
    return lesson, library.rendered(lesson)


def _step_number(request: HttpRequest, total: int) -> int:
    raw = request.GET.get("step", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= total:
        raise Http404(f"step must be a number from 1 to {total}")
    return int(raw)


def _neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    ordered = list(library.lessons(lesson.lang).values())
    index = ordered.index(lesson)
    before = ordered[index - 1] if index > 0 else None
    after = ordered[index + 1] if index + 1 < len(ordered) else None
    return before, after


def _live_quizzes(request: HttpRequest, lesson: Lesson, narration: str) -> str:
    def live(match: re.Match[str]) -> str:
        directive = quiz.find_quiz(lesson, match.group(1))
        if directive is None:
            return match.group(0)
        return live_quiz_form(request, lesson, directive.id)

    return _QUIZ_BLOCK.sub(live, narration)


def _track_read(request: HttpRequest, lesson: Lesson, number: int) -> str | None:
    """Record the step; when that would create a session, the URL the page's script reports to."""
    if not progress.has_session(request):
        return reverse("step-read")
    progress.mark_step_read(request, lesson.slug, number)
    return None


# The playground's player, rendered once per language and process: a step with a player embed
# carries it in a <template> that lessons.js clones into the embed (the static summary stays
# for readers without JavaScript). The setting-change form is left out: a lesson step watches.
_PLAYERS: dict[str, SafeString] = {}


def _player_partial() -> SafeString:
    language = translation.get_language() or "en"
    html = _PLAYERS.get(language)
    if html is None:
        context = {
            "show_legend": True,
        }
        html = SafeString(render_to_string("player/_player.html", context))
        _PLAYERS[language] = html
    return html


@require_GET
def lesson_index(request: HttpRequest) -> HttpResponse:
    lessons = list(library.lessons(library.language()).values())
    return render(request, "lessons/index.html", {"lessons": lessons})


@require_GET
def lesson_step(request: HttpRequest, slug: str) -> HttpResponse:
    lesson, steps = _get_lesson(slug)
    number = _step_number(request, len(steps))
    _previous_lesson, next_lesson = _neighbours(lesson)
    step = steps[number - 1]
    if "<!--quiz:" in step.narration:
        step = dataclasses.replace(step, narration=_live_quizzes(request, lesson, step.narration))
    context = {
        "lesson": lesson,
        "steps": steps,
        "step": step,
        "report_read": _track_read(request, lesson, number),
        "total": len(steps),
        "previous_number": number - 1 if number > 1 else None,
        "next_number": number + 1 if number < len(steps) else None,
        "next_lesson": next_lesson,
        "player": _player_partial() if step.stage_kind == "player" else None,
    }
    return render(request, "lessons/step.html", context)


@require_GET
def lesson_present(request: HttpRequest, slug: str) -> HttpResponse:
    lesson, steps = _get_lesson(slug)
    start = _step_number(request, len(steps))
    has_player = any(step.stage_kind == "player" for step in steps)
    context = {
        "lesson": lesson,
        "steps": steps,
        "start": start,
        "player": _player_partial() if has_player else None,
    }
    return render(request, "lessons/present.html", context)


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    lang = library.language()
    return render(
        request,
        "lessons/glossary.html",
        {"glossary": library.glossary(lang), "entries": library.glossary_entries(lang)},
    )


# --------------------------------------------------------------------------- quizzes and reading


CSRF_SLOT = "kumoben-csrf-slot"


@functools.lru_cache(maxsize=1024)
def _quiz_form(lang: str, slug: str, quiz_id: str, seed: int, version: float) -> str:
    lesson = library.lessons(lang)[slug]
    directive = quiz.find_quiz(lesson, quiz_id)
    context = {**quiz_context(lesson, directive, seed), "csrf_token": CSRF_SLOT}
    with translation.override(lang):
        return render_to_string("labs/quiz.html#quiz-form", context)


def live_quiz_form(request: HttpRequest, lesson: Any, quiz_id: str) -> str:
    """A lesson's quiz as a form with a fresh attempt; rendered once per (language, seed)."""
    html = _quiz_form(lesson.lang, lesson.slug, quiz_id, quiz.new_attempt(), library.version())
    return html.replace(CSRF_SLOT, get_token(request))


def quiz_context(lesson: Any, quiz_directive: Any, seed: int) -> dict[str, Any]:
    asked = quiz.questions(lesson, quiz_directive, seed)
    return {
        "quiz": quiz_directive,
        "lesson": lesson,
        "questions": list(enumerate(asked, start=1)),
        "attempt": quiz.sign_attempt(seed),
    }


@require_POST
def quiz_grade(request: HtmxHttpRequest, slug: str, quiz_id: str) -> HttpResponse:
    lesson = library.lessons(library.language()).get(slug)
    directive = quiz.find_quiz(lesson, quiz_id) if lesson is not None else None
    if lesson is None or directive is None:
        raise Http404("no such quiz")
    seed = quiz.read_attempt(request.POST.get("attempt", ""))
    if seed is None:  # a forged or stale token: start a fresh attempt instead of failing
        context = quiz_context(lesson, directive, quiz.new_attempt())
        context["error"] = True
    else:
        asked = quiz.questions(lesson, directive, seed)
        graded = quiz.grade(asked, quiz.parse_answers(request.POST, quiz_id, len(asked)))
        score = sum(g.right for g in graded)
        store = progress.ProgressStore(request)
        record = store.load()
        progress.record_quiz(record, slug, score, len(graded))
        store.save(record)
        context = quiz_context(lesson, directive, quiz.new_attempt(previous=seed))
        context.update({"graded": graded, "score": score, "total": len(graded)})
    template = "labs/quiz.html"
    if request.htmx:
        template += "#quiz-form"
    return render(request, template, context)


@require_POST
def step_read(request: HttpRequest) -> HttpResponse:
    """The lesson page's script reports a read step when the server could not record it itself."""
    slug = request.POST.get("lesson", "")
    step = request.POST.get("step", "")
    lesson = library.lessons(library.language()).get(slug)
    if lesson is None or not step.isdigit() or not 1 <= int(step) <= len(lesson.steps):
        return HttpResponse(status=400)
    progress.mark_step_read(request, slug, int(step))
    return HttpResponse(status=204)
