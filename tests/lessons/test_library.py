"""The lesson library: one cached loader per language, English fallback, broken files fail loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from patterns.lessons import library
from patterns.lessons.content import ContentError, load_lessons

FRONT = "---\ntitle: Demo\norder: 1\nsummary: S\nminutes: 1\n---\n"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty content folder (both languages, an empty glossary) the library reads instead."""
    for lang in library.LANGUAGES:
        (tmp_path / lang).mkdir()
    (tmp_path / "glossary").mkdir()
    for lang in library.LANGUAGES:
        (tmp_path / "glossary" / f"{lang}.md").write_text("---\ntitle: G\n---\n", encoding="utf-8")
    monkeypatch.setattr(library, "LESSONS_DIR", tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ja", "ja"), ("en", "en"), ("en-us", "en"), ("ja-jp", "ja"), ("fr", "en"), ("", "en")],
)
def test_language_maps_a_ui_language_to_a_content_language(code: str, expected: str) -> None:
    with translation.override("en"):
        assert library.language(code) == expected


def test_language_defaults_to_the_active_ui_language() -> None:
    with translation.override("ja"):
        assert library.language() == "ja"


def test_lessons_are_every_file_of_the_language_in_order() -> None:
    assert list(library.lessons("ja")) == [lesson.slug for lesson in load_lessons("ja")]


def test_lessons_are_parsed_once_per_process() -> None:
    assert library.lessons("en") is library.lessons("en")


def test_lesson_falls_back_to_english(content: Path) -> None:
    (content / "en" / "01-demo.md").write_text(FRONT + "## First\nOne.\n", encoding="utf-8")

    found = library.lesson("demo", "ja")

    assert found is not None
    assert (found.slug, found.lang) == ("demo", "en")
    assert library.lesson("missing", "ja") is None
    assert library.lesson("", "en") is None


def test_a_broken_lesson_raises_its_content_error(content: Path) -> None:
    (content / "en" / "01-broken.md").write_text(FRONT + "no step heading\n", encoding="utf-8")

    with pytest.raises(ContentError, match=r"01-broken\.md:7: text before the first step"):
        library.lessons("en")
    with pytest.raises(ContentError):
        library.lesson("broken", "en")


@pytest.mark.django_db
def test_a_broken_lesson_breaks_the_lesson_index(client: Client, content: Path) -> None:
    (content / "en" / "01-broken.md").write_text("no front matter\n", encoding="utf-8")

    with pytest.raises(ContentError):
        client.get("/lessons/", HTTP_ACCEPT_LANGUAGE="en")
