"""Lesson pages: index, story mode steps and deep links, presenter mode, glossary, embeds."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.test import Client, override_settings

from patterns.lessons import library
from patterns.lessons.comparison import SEED, dead_task_window, result_for
from patterns.lessons.content import load_lessons

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
FRONT = "---\ntitle: Demo\norder: 1\nsummary: S\nminutes: 1\n---\n"


def _html(client: Client, url: str, headers: dict[str, str] = EN) -> str:
    response = client.get(url, **headers)  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.content.decode()


def test_lesson_index_lists_every_lesson_in_order(client: Client) -> None:
    html = _html(client, "/lessons/")

    titles = re.findall(r'class="lesson-card__title"><a href="/lessons/([a-z-]+)/">', html)

    assert titles == [lesson.slug for lesson in load_lessons("en")]


def test_lesson_index_follows_the_japanese_browser(client: Client) -> None:
    html = _html(client, "/lessons/", JA)

    assert '<html lang="ja">' in html
    assert "マイクロサービスとサンプルシステム" in html


def test_lesson_step_has_back_continue_and_progress(client: Client) -> None:
    html = _html(client, "/lessons/elb/?step=2")

    assert '<a class="step-nav__back" rel="prev" href="?step=1"' in html
    assert '<a class="step-nav__next button" rel="next" href="?step=3"' in html
    assert "Step 2 of 8" in html
    assert '<progress class="progress__bar" max="8" value="2"' in html
    assert html.count('aria-current="step"') == 1
    assert '<h2 id="step-title" tabindex="-1">The load balancer\'s name, and your own</h2>' in html


def test_lesson_first_step_is_the_default_and_links_back_to_the_index(client: Client) -> None:
    html = _html(client, "/lessons/elb/")

    assert "Step 1 of 8" in html
    assert '<a class="step-nav__back" href="/lessons/">' in html


def test_lesson_last_step_leads_to_the_next_lesson(client: Client) -> None:
    html = _html(client, "/lessons/microservices/?step=5")

    assert 'href="/lessons/four-patterns/" data-testid="next-lesson"' in html


@pytest.mark.parametrize("step", ["0", "9", "two", "-1"])
def test_lesson_step_outside_the_lesson_is_404(client: Client, step: str) -> None:
    response = client.get(f"/lessons/elb/?step={step}", **EN)  # type: ignore[arg-type]

    assert response.status_code == 404


def test_unknown_lesson_is_404(client: Client) -> None:
    response = client.get("/lessons/istio/", **EN)  # type: ignore[arg-type]

    assert response.status_code == 404


def test_lesson_player_step_embeds_the_player_and_explores_from_there(client: Client) -> None:
    html = _html(client, "/lessons/four-patterns/?step=6")

    assert '<div class="embed embed-player" data-scenario="kill-task" data-pattern="all"' in html
    # The player opens at its step's start (55 s, before the kill at 60 s), and so does Explore.
    assert 'data-seed="1" data-start="55"' in html
    assert (
        'href="/playground/?scenario=kill-task&amp;pattern=all&amp;seed=1&amp;t=55"'
        " data-follows-playhead>" in html
    )
    assert (
        '<p class="embed-player__watch" data-role="watch"><span class="embed-player__watch-mark"'
        ' aria-hidden="true">◎</span> Watch inventory-2, killed at 60\u00a0s: which patterns let'
        " requests fail, and for how long.</p>" in html
    )


def test_lesson_player_watch_line_is_in_the_page_language(client: Client) -> None:
    # A no-break space keeps "60" and its unit on one line (narrate.keep_units).
    html = _html(client, "/lessons/elb/?step=5", JA)

    assert 'data-start="55"' in html
    assert (
        "60\u00a0秒以降の inventory-2 に注目：ECS が強制終了されたタスクを登録解除するので、"
        "504 は数秒で止まります。</p>" in html
    )


def test_lesson_inline_player_carries_its_scenario(client: Client) -> None:
    html = _html(client, "/lessons/elb/?step=4")

    assert 'data-scenario="inline" data-pattern="elb"' in html
    assert "data-scenario-json=" in html
    assert "scenario_json=" in html


def test_lesson_diagram_step_has_a_diagram_container(client: Client) -> None:
    html = _html(client, "/lessons/four-patterns/?step=2")

    assert (
        'class="embed embed-diagram" data-pattern="elb" data-scenario="steady" data-at="0"' in html
    )


def test_lesson_comparison_cells_come_from_the_engine(client: Client) -> None:
    window, _open = dead_task_window(result_for("kill-task", "elb", SEED) or {})

    html = _html(client, "/lessons/comparison/?step=2")

    row = html[html.index('data-row="dead-task"') :]
    first_cell = re.search(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert first_cell is not None
    assert first_cell.group(1).startswith(f"{window:.1f}".removesuffix(".0") + " s; ")


def test_lesson_links_the_first_use_of_a_glossary_term(client: Client) -> None:
    html = _html(client, "/lessons/microservices/?step=2")

    assert '<a href="/lessons/glossary/#term-microservices" class="term">Microservices</a>' in html


def test_lesson_pages_have_no_inline_script_or_style(client: Client) -> None:
    pages = [
        "/lessons/",
        "/lessons/elb/?step=4",
        "/lessons/comparison/present/",
        "/lessons/glossary/",
    ]

    htmls = [_html(client, url) for url in pages]

    for html in htmls:
        assert " style=" not in html
        # Data goes through json_script (type="application/json"), which runs nothing.
        assert re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html) is None
        assert re.search(r"\son[a-z]+=", html) is None


def test_lesson_quiz_renders_choices_and_the_answer(client: Client) -> None:
    html = _html(client, "/lessons/elb/?step=8")

    assert '<section class="embed embed-quiz" data-quiz="elb-basics" data-lesson="elb"' in html
    assert html.count('type="radio" name="elb-basics-1"') == 3
    assert "Show the answer" not in html  # the explanation waits for a second try


def test_presenter_mode_has_one_slide_per_step(client: Client) -> None:
    html = _html(client, "/lessons/elb/present/?step=3")

    assert html.count(' data-slide="') == 8
    assert 'data-start="3"' in html
    assert 'href="/lessons/elb/?step=3" data-deck-exit' in html


def test_presenter_mode_in_japanese(client: Client) -> None:
    html = _html(client, "/lessons/app-mesh/present/", JA)

    assert '<html lang="ja">' in html
    assert "2026 年 9 月 30 日" in html


def test_glossary_page_has_an_anchor_per_term(client: Client) -> None:
    html = _html(client, "/lessons/glossary/")

    assert 'id="term-envoy"' in html
    assert 'id="term-outlier-detection"' in html


@override_settings(DEBUG=True)
def test_lesson_edits_show_up_without_a_restart_in_debug(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for lang in ("en", "ja"):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "01-demo.md").write_text(FRONT + "## First\nOne.\n", encoding="utf-8")
    (tmp_path / "glossary").mkdir()
    for lang in ("en", "ja"):
        (tmp_path / "glossary" / f"{lang}.md").write_text("---\ntitle: G\n---\n", encoding="utf-8")
    monkeypatch.setattr(library, "LESSONS_DIR", tmp_path)
    first = _html(client, "/lessons/demo/")
    page = tmp_path / "en" / "01-demo.md"

    page.write_text(FRONT + "## Renamed\nTwo.\n", encoding="utf-8")
    os.utime(page, (page.stat().st_atime, page.stat().st_mtime + 5))
    second = _html(client, "/lessons/demo/")

    assert "First" in first
    assert "Renamed" in second


def test_lesson_player_step_carries_the_live_player_markup(client: Client) -> None:
    html = _html(client, "/lessons/elb/?step=5")

    assert 'data-run-url="/playground/api/run"' in html
    assert "<template data-lesson-player>" in html
    assert 'data-role="player"' in html
    assert "css/player.css" in html


def test_lesson_step_without_a_player_has_no_player_markup(client: Client) -> None:
    html = _html(client, "/lessons/four-patterns/?step=2")

    assert "data-lesson-player" not in html
    assert "data-run-url" not in html
    assert "css/player.css" not in html
