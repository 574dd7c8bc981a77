"""A lesson as slides and polls for a study session: its steps, its quiz questions as
ready-made polls, the list an instructor picks a lesson from.

The lessons are read once per language and root. A lesson file that does not parse raises
here, as it does on the lesson pages: a broken lesson is a bug to fix, not a session to run
without its slides. A session with no lesson (or one whose slug is not in the library) gets
numbered slides.
"""

from __future__ import annotations

import functools
from html import unescape
from pathlib import Path
from typing import Any

from django.utils.html import strip_tags

from patterns.lessons import content, quiz
from patterns.lessons.content import Lesson


def library(lang: str, root: Path | None = None) -> dict[str, Lesson]:
    """Every lesson of ``lang`` by slug, from ``root`` (the content folder by default)."""
    return _library(lang, root if root is not None else content.LESSONS_DIR)


@functools.lru_cache(maxsize=8)
def _library(lang: str, root: Path) -> dict[str, Lesson]:
    return {lesson.slug: lesson for lesson in content.load_lessons(lang, root)}


def find_lesson(slug: str, lang: str) -> Lesson | None:
    """The lesson in ``lang``, else in English; None without a slug or such a lesson."""
    if not slug:
        return None
    return library(lang).get(slug) or library("en").get(slug)


def lesson_steps(slug: str, lang: str) -> list[dict[str, Any]] | None:
    """The steps of a lesson as slides ({title, html}); None when there is no such lesson."""
    lesson = find_lesson(slug, lang)
    if lesson is None:
        return None
    return [
        {
            "title": step.title,
            "html": "".join(
                content.render_markdown(block) for block in step.blocks if isinstance(block, str)
            ),
        }
        for step in lesson.steps
    ]


def _plain(html: str) -> str:
    return " ".join(unescape(strip_tags(html)).split())


def lesson_polls(
    slug: str, lang: str, seed: int, *, max_choices: int, prompt_max: int, choice_max: int
) -> list[dict[str, Any]]:
    """The lesson's quiz questions as ready-made polls: plain-text prompt and choices, and the
    right choice's index (None when several choices are right: such a poll cannot be scored).
    Drawn questions get their numbers from ``seed``; a question longer than a poll takes
    (more than ``max_choices`` choices, a longer prompt or choice) is left out.
    """
    lesson = find_lesson(slug, lang)
    if lesson is None:
        return []
    polls = []
    for step in lesson.steps:
        for directive in step.directives:
            if directive.kind != "quiz":
                continue
            for question in quiz.questions(lesson, directive, seed):
                prompt, choices = _plain(question.prompt), [_plain(c) for c in question.choices]
                if (
                    len(choices) > max_choices
                    or len(prompt) > prompt_max
                    or max(map(len, choices)) > choice_max
                ):
                    continue
                (right,) = question.correct if len(question.correct) == 1 else (None,)
                polls.append(
                    {
                        "step": step.number,
                        "prompt": prompt,
                        "choices": choices,
                        "correct": None if right is None else right - 1,
                    }
                )
    return polls


def lesson_choices(lang: str) -> list[tuple[str, str]]:
    """(slug, title) of every lesson in ``lang``, for the session form's lesson menu."""
    return [(slug, lesson.title) for slug, lesson in library(lang).items()]


def slide_count(slug: str, default: int) -> int:
    """How many slides the lesson has (its English steps); ``default`` without a lesson."""
    steps = lesson_steps(slug, "en")
    return len(steps) if steps else default
