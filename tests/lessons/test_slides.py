"""A lesson as a study session's slides: a broken lesson file fails loudly, never silently
turning a lesson session into numbered slides."""

from __future__ import annotations

from pathlib import Path

import pytest

from patterns.lessons import content, slides
from patterns.lessons.content import ContentError

pytestmark = pytest.mark.unit


def _broken_library(root: Path) -> None:
    (root / "en").mkdir()
    (root / "en" / "01-broken.md").write_text("no front matter here\n", encoding="utf-8")


def test_a_broken_lesson_file_raises_from_the_loader(tmp_path: Path) -> None:
    _broken_library(tmp_path)

    with pytest.raises(ContentError, match="front matter"):
        slides.library("en", tmp_path)


def test_a_broken_lesson_file_raises_from_the_session_slides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_library(tmp_path)
    monkeypatch.setattr(content, "LESSONS_DIR", tmp_path)

    with pytest.raises(ContentError):
        slides.lesson_steps("broken", "en")
    with pytest.raises(ContentError):
        slides.lesson_choices("en")
    with pytest.raises(ContentError):
        slides.slide_count("broken", 500)


def test_a_session_without_a_lesson_has_numbered_slides() -> None:
    assert slides.lesson_steps("", "en") is None
    assert slides.lesson_steps("no-such-lesson", "en") is None
    assert slides.slide_count("no-such-lesson", 500) == 500
    assert (
        slides.lesson_polls(
            "no-such-lesson", "en", 1, max_choices=6, prompt_max=300, choice_max=120
        )
        == []
    )
