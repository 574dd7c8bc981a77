"""Joining a study session from a phone with an emoji nickname, and a refused one explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, Classroom, join_code

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦
NICKNAME = f"\U0001f1ef\U0001f1f5 さくら {FAMILY}\U0001f44b\U0001f3fd"  # 🇯🇵 さくら 👨‍👩‍👧‍👦👋🏽
SHOTS = Path("/tmp/shots-h13form")


def test_a_student_joins_with_an_emoji_nickname_and_the_room_shows_it(
    classroom: Classroom,
) -> None:
    teacher = classroom.instructor()

    student = classroom.student(join_code(teacher), NICKNAME, locale="ja-JP")

    expect(student.locator(".room__me strong")).to_have_text(NICKNAME)
    expect(teacher.locator(".lobby li", has_text=NICKNAME)).to_have_count(1)
    SHOTS.mkdir(exist_ok=True)
    student.screenshot(path=str(SHOTS / "nickname-room-390-ja.png"))


@pytest.mark.parametrize(
    ("locale", "reason"),
    [
        ("en-US", "Use at most 20 characters (an emoji counts as one); this nickname has 21."),
        (
            "ja-JP",
            "ニックネームは 20 文字までにしてください（絵文字は 1 文字と数えます）。いまは 21 文字です。",
        ),
    ],
)
def test_a_nickname_over_the_limit_says_how_many_characters_it_has(
    classroom: Classroom, browser: Browser, locale: str, reason: str
) -> None:
    teacher = classroom.instructor()
    # Its own context: the refusal is a 400, which the browser logs (the classroom's pages fail
    # on any logged error).
    context = browser.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{classroom.server.url}/sessions/join/{join_code(teacher)}/")

    page.locator("#id_nickname").fill(FAMILY * 21)
    page.get_by_test_id("join-form").locator("button[type=submit]").click()

    expect(page.get_by_test_id("nickname-error")).to_have_text(f"⚠ {reason}")
    expect(page.locator("#id_nickname")).to_have_value(FAMILY * 21)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"nickname-refused-390-{locale[:2]}.png"))
    context.close()
