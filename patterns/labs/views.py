"""Guided labs and quiz grading: thin views over patterns.labs.checks, patterns.lessons.quiz and patterns.progress.records.

The Check is a CSRF-protected POST; htmx gets the ``#lab-result`` partial, a plain form post gets
the whole page with the same fragment in it. Bad input is reported beside its field, never a 500.
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from patterns.labs import checks as labs
from patterns.labs.forms import attach_engine_error, lab_form
from patterns.labs.texts import fill, lab_text
from patterns.lessons import library, quiz
from patterns.playground.views import SPEEDS
from patterns.progress import records as progress
from patterns.sim import ScenarioError


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# --------------------------------------------------------------------------- pages


def _get_lab(slug: str) -> labs.Lab:
    lab = labs.LABS.get(slug)
    if lab is None:
        raise Http404("no such lab")
    return lab


@require_GET
def lab_index(request: HttpRequest) -> HttpResponse:
    record = progress.ProgressStore(request).load()
    lang = library.language()
    items = [
        {"lab": lab, "text": lab_text(lang, lab.slug), "result": record["labs"].get(lab.slug)}
        for lab in labs.LABS.values()
    ]
    return render(request, "labs/index.html", {"items": items})


def _lab_context(request: HttpRequest, lab: labs.Lab, form: forms.Form) -> dict[str, Any]:
    store = progress.ProgressStore(request)
    params = labs.draw_params(lab, store.seed())
    text = lab_text(library.language(), lab.slug)
    filled = {
        **text,
        "goal": fill(text["goal"], params),
        "hints": [fill(hint, params) for hint in text["hints"]],
        "takeaway": fill(text["takeaway"], params),
    }
    return {
        "lab": lab,
        "text": filled,
        "params": params,
        "form": form,
        "result": store.load()["labs"].get(lab.slug),
        "speeds": [{"value": s, "label": s} for s in SPEEDS],
        "run": _run_spec(lab, lab.defaults(), params),
    }


def _run_spec(lab: labs.Lab, values: Any, params: dict[str, Any]) -> dict[str, Any] | None:
    """What the sandbox player replays: the scenario as judged (or the starting settings)."""
    try:
        scenario = lab.build(values, params)
    except (KeyError, TypeError, ValueError):
        return None
    pattern = lab.pattern_for(values)
    query = {"scenario_json": json.dumps(scenario, separators=(",", ":")), "pattern": pattern}
    return {
        "scenario": scenario,
        "pattern": pattern,
        "seed": params["seed"],
        "explore": f"{reverse('playground')}?{urlencode(query)}",
    }


@require_GET
def lab_page(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(slug)
    return render(request, "labs/lab.html", _lab_context(request, lab, lab_form(lab)))


@require_POST
def lab_check(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(slug)
    form = lab_form(lab, request.POST)
    context = _lab_context(request, lab, form)
    if form.is_valid():
        for name, message in lab.validate(form.cleaned_data):
            form.add_error(name, message)
    if form.is_valid():
        try:
            verdict = labs.check(lab, form.cleaned_data, context["params"])
        except ScenarioError as error:
            attach_engine_error(lab, form, error)
        else:
            store = progress.ProgressStore(request)
            record = store.load()
            progress.record_lab(record, lab.slug, verdict.passed)
            store.save(record)
            context["result"] = record["labs"][lab.slug]
            context["verdict"] = verdict
            context["run"] = _run_spec(lab, form.cleaned_data, context["params"])
    template = "labs/lab.html"
    if request.htmx:
        template += "#lab-check"
    return render(request, template, context)


# --------------------------------------------------------------------------- quizzes


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
