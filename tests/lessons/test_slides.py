"""A lesson as a study session's slides: a broken lesson file fails loudly, never silently
turning a lesson session into numbered slides."""

from __future__ import annotations

from pathlib import Path

import pytest

from patterns.lessons import library, slides
from patterns.lessons.content import ContentError

pytestmark = pytest.mark.unit


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A content folder whose one English lesson has no front matter, read by the library."""
    for lang in library.LANGUAGES:
        (tmp_path / lang).mkdir()
    (tmp_path / "en" / "01-broken.md").write_text("no front matter here\n", encoding="utf-8")
    monkeypatch.setattr(library, "LESSONS_DIR", tmp_path)
    return tmp_path


def test_a_broken_lesson_file_raises_from_the_session_slides(broken: Path) -> None:
    with pytest.raises(ContentError, match=r"01-broken\.md:1: the file must start with front"):
        slides.lesson_steps("broken", "en")
    with pytest.raises(ContentError):
        slides.lesson_choices("en")
    with pytest.raises(ContentError):
        slides.slide_count("broken", 500)
    with pytest.raises(ContentError):
        slides.lesson_polls("broken", "en", 1, max_choices=6, prompt_max=300, choice_max=120)


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
