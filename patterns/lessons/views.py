"""Lesson pages: the index, story mode (one step a page), presenter mode and the glossary.

Content comes from :mod:`patterns.lessons.library`, parsed and rendered once per process and
language, so a lesson page costs a dictionary lookup and one template render.
"""

from __future__ import annotations

import dataclasses
import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from patterns.lessons import library, quiz, quiz_views
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
        return quiz_views.live_quiz_form(request, lesson, directive.id)

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
    predict = False
    if "<!--quiz:" in step.narration:
        step = dataclasses.replace(step, narration=_live_quizzes(request, lesson, step.narration))
        predict = quiz_views.has_predict(lesson)
    context = {
        "lesson": lesson,
        "steps": steps,
        "step": step,
        "report_read": _track_read(request, lesson, number),
        "total": len(steps),
        "previous_number": number - 1 if number > 1 else None,
        "next_number": number + 1 if number < len(steps) else None,
        "next_lesson": next_lesson,
        "player": _player_partial() if step.stage_kind == "player" or predict else None,
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


# --------------------------------------------------------------------------- reading


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
