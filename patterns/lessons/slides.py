"""A lesson as slides and polls for a study session: its steps, its quiz questions as
ready-made polls, the list an instructor picks a lesson from.

Lessons come from :mod:`patterns.lessons.library`, like every other page's: a lesson file that
does not parse raises there, so a broken lesson is a bug to fix, not a session quietly run
without its slides. A session with no lesson (or one whose slug is not in the library) gets
numbered slides.
"""

from __future__ import annotations

from html import unescape
from typing import Any

from django.utils.html import strip_tags

from patterns.lessons import library, quiz
from patterns.lessons.content import render_markdown


def lesson_steps(slug: str, lang: str) -> list[dict[str, Any]] | None:
    """The steps of a lesson as slides ({title, html, stage, stage_kind}); None when there is
    no such lesson. ``stage`` is the step's diagram, player or comparison as story mode renders
    it (the session page makes a player embed live), "" when the step has none."""
    lesson = library.lesson(slug, lang)
    if lesson is None:
        return None
    rendered = library.rendered(lesson)
    return [
        {
            "title": step.title,
            "html": "".join(
                render_markdown(block) for block in step.blocks if isinstance(block, str)
            ),
            "stage": shown.stage,
            "stage_kind": shown.stage_kind,
        }
        for step, shown in zip(lesson.steps, rendered, strict=True)
    ]


def _plain(html: str) -> str:
    return " ".join(unescape(strip_tags(html)).split())


def lesson_polls(
    slug: str, lang: str, seed: int, *, max_choices: int, prompt_max: int, choice_max: int
) -> list[dict[str, Any]]:
    """The lesson's quiz questions as ready-made polls, every variant of each concept
    (:func:`patterns.lessons.quiz.pool`): plain-text prompt and choices, the right choice's index
    (None when several choices are right: such a poll cannot be scored), and for the
    instructor's eyes only the right answer and the explanation.
    ``index`` is the poll's place in the list; ``ref`` names the question the same way in every
    language (quiz id and its place in the pool), so a poll opened from it can be shown in each student's language; ``concept`` groups
    the variants. Drawn questions get their numbers from ``seed``; a question a poll cannot take
    (a typed number, an exhibit or a player; more than ``max_choices`` choices, a longer prompt
    or choice) is left out.
    """
    lesson = library.lesson(slug, lang)
    if lesson is None:
        return []
    polls = []
    for step in lesson.steps:
        for directive in step.directives:
            if directive.kind != "quiz":
                continue
            index = -1
            for key, variants in quiz.pool(lesson, directive, seed):
                for number, question in enumerate(variants, start=1):
                    index += 1
                    poll = _poll(question, max_choices, prompt_max, choice_max)
                    if poll is not None:
                        polls.append(
                            {
                                "index": len(polls),
                                "ref": f"{directive.id}:{index}",
                                "step": step.number,
                                "concept": key,
                                "variant": number,
                                "variants": len(variants),
                                **poll,
                            }
                        )
    return polls


def _poll(
    question: quiz.Question, max_choices: int, prompt_max: int, choice_max: int
) -> dict[str, Any] | None:
    if question.kind != "choice" or question.exhibit or question.predict:
        return None  # a poll is plain text with choices: no typed number, table or player
    prompt, choices = _plain(question.prompt), [_plain(c) for c in question.choices]
    if (
        len(choices) > max_choices
        or len(prompt) > prompt_max
        or max(map(len, choices)) > choice_max
    ):
        return None
    (right,) = question.correct if len(question.correct) == 1 else (None,)
    return {
        "prompt": prompt,
        "choices": choices,
        "correct": None if right is None else right - 1,
        "answer": _plain(question.shown_answer()),
        "explanation": _plain(question.explanation),
    }


def lesson_choices(lang: str) -> list[tuple[str, str]]:
    """(slug, title) of every lesson in ``lang``, for the session form's lesson menu."""
    return [(slug, lesson.title) for slug, lesson in library.lessons(lang).items()]


def slide_count(slug: str, default: int) -> int:
    """How many slides the lesson has (its English steps); ``default`` without a lesson."""
    lesson = library.lesson(slug, "en")
    return len(lesson.steps) if lesson is not None and lesson.steps else default
