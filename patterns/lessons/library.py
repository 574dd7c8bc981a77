"""The lesson library: every lesson and the glossary of a language, parsed once per process.

Lesson pages, quizzes, labs, the progress page and study sessions all read lessons through here,
so they see the same content and the same caches. With DEBUG on, the caches are keyed by the
newest content file's modification time: an edited or added file shows on the next request,
without a restart.

Nothing here hides a broken file: a lesson that does not parse raises its ``ContentError`` on the
first read, in pages and tests alike.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from patterns.lessons.content import (
    LANGUAGES,
    LESSONS_DIR,
    Glossary,
    Lesson,
    RenderedStep,
    load_glossary,
    load_lessons,
    render_lesson,
    render_markdown,
)

__all__ = [
    "LANGUAGES",
    "LESSONS_DIR",
    "glossary",
    "glossary_entries",
    "language",
    "lesson",
    "lessons",
    "rendered",
    "version",
]


def language(code: str | None = None) -> str:
    """The content language for a UI language code ("ja", "en-us" -> "en", anything else "en").

    Without a code, the active UI language.
    """
    base = (code or translation.get_language() or "en").split("-")[0]
    return base if base in LANGUAGES else "en"


def version() -> float:
    """0 in production; with DEBUG, the newest content file's mtime, so edits show up at once."""
    if not settings.DEBUG:
        return 0.0
    return max(path.stat().st_mtime for path in LESSONS_DIR.rglob("*.md"))


@functools.lru_cache(maxsize=8)
def _lessons_at(lang: str, root: Path, version: float) -> dict[str, Lesson]:
    return {lesson.slug: lesson for lesson in load_lessons(lang, root)}


@functools.lru_cache(maxsize=8)
def _glossary_at(lang: str, root: Path, version: float) -> Glossary:
    return load_glossary(lang, root)


def lessons(lang: str) -> dict[str, Lesson]:
    """Every lesson of one content language by slug, in the lessons' order."""
    return _lessons_at(lang, LESSONS_DIR, version())


def lesson(slug: str, lang: str) -> Lesson | None:
    """The lesson in ``lang``, else in English; None without a slug or such a lesson."""
    if not slug:
        return None
    return lessons(lang).get(slug) or lessons("en").get(slug)


def glossary(lang: str) -> Glossary:
    return _glossary_at(lang, LESSONS_DIR, version())


@functools.lru_cache(maxsize=64)
def _rendered_at(lang: str, slug: str, root: Path, version: float) -> tuple[RenderedStep, ...]:
    with translation.override(lang):
        return render_lesson(
            _lessons_at(lang, root, version)[slug],
            _glossary_at(lang, root, version),
            reverse("lessons-glossary"),
        )


def rendered(lesson: Lesson) -> tuple[RenderedStep, ...]:
    """The lesson's steps as HTML (narration with glossary links, stage), rendered once."""
    return _rendered_at(lesson.lang, lesson.slug, LESSONS_DIR, version())


@functools.lru_cache(maxsize=8)
def _glossary_entries_at(lang: str, root: Path, version: float) -> list[tuple[str, str, str]]:
    return [
        (term.id, term.term, render_markdown(term.definition))
        for term in _glossary_at(lang, root, version).terms
    ]


def glossary_entries(lang: str) -> list[tuple[str, str, str]]:
    """(id, term, definition as HTML) for every glossary entry of a language."""
    return _glossary_entries_at(lang, LESSONS_DIR, version())
