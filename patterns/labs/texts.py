"""Lab texts: each lab's title, goal, hints and takeaway, from its Markdown in patterns/content/labs/."""

from __future__ import annotations

import functools
from typing import Any

from patterns.labs import checks as labs
from patterns.lessons import library
from patterns.lessons.content import ContentError, parse_lesson, render_markdown

LAB_TEXT_DIR = library.LESSONS_DIR / "labs"


def lab_text(lang: str, slug: str) -> dict[str, Any]:
    return _lab_text(lang, slug, library.version())


@functools.lru_cache(maxsize=64)
def _lab_text(lang: str, slug: str, version: float) -> dict[str, Any]:
    """A lab's title, summary and its three sections (goal, hints, takeaway) from its Markdown.

    Lab files use the lesson format (front matter, ``## `` sections) without directives; numbers
    drawn per learner are written ``[[name]]`` and filled in per request.
    """
    lab = labs.LABS[slug]
    path = LAB_TEXT_DIR / lang / f"{lab.order:02d}-{slug}.md"
    lesson = parse_lesson(path.read_text(encoding="utf-8"), path, lang)
    if len(lesson.steps) != 3:
        raise ContentError(path, 1, "a lab has three sections: goal, hints, takeaway")
    sections = ["".join(b for b in step.blocks if isinstance(b, str)) for step in lesson.steps]
    hints = [line[2:].strip() for line in sections[1].splitlines() if line.startswith("- ")]
    return {
        "title": lesson.title,
        "summary": lesson.summary,
        "minutes": lesson.minutes,
        "goal": render_markdown(sections[0]),
        "hints": [render_markdown(hint) for hint in hints],
        "takeaway": render_markdown(sections[2]),
        "headings": [step.title for step in lesson.steps],
    }


def fill(html: str, params: dict[str, Any]) -> str:
    """Put one learner's drawn numbers into the ``[[name]]`` slots of a lab text."""
    for key, value in params.items():
        html = html.replace(f"[[{key}]]", str(value))
    return html
