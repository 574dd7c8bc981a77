"""The lobby lock and removing a participant, in real browsers, en and ja, by keyboard: the
instructor locks the lobby (a newcomer is refused, a joined student comes back), unlocks it, and
removes a student after confirming in a dialog (their screen says so and stops reconnecting)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Classroom, join_code

TEXTS = {
    "en-US": {
        "lock": "Lock the lobby",
        "unlock": "Unlock the lobby",
        "locked": "Locked: no one new can join; those who joined can come back.",
        "open": "Open: anyone with the code can join.",
        "refused": "The instructor has locked this session: no one new can join.",
        "remove": "Remove Ben",
        "title": "Remove “Ben” from this session?",
        "removed": "The instructor removed you from this session.",
        "status": "Removed by the instructor",
    },
    "ja-JP": {
        "lock": "参加受付をロック",
        "unlock": "参加受付のロックを解除",
        "locked": "ロック中：新しい参加はできません。参加済みの人は戻れます。",
        "open": "受付中：コードを知っている人は誰でも参加できます。",
        "refused": "講師がこのセッションをロックしています。新しく参加することはできません。",
        "remove": "Ben を退出させる",
        "title": "「Ben」をこのセッションから退出させますか？",
        "removed": "講師によってこのセッションから退出させられました。",
        "status": "講師により退出",
    },
}


def _refused_join(classroom: Classroom, code: str, nickname: str, locale: str) -> Page:
    """A newcomer's join, in a context of its own: the 403 page is expected, and Chromium logs
    "Failed to load resource" for it (the classroom fixture fails on any console error)."""
    page = classroom.browser.new_context(locale=locale, viewport=PHONE).new_page()
    page.goto(f"{classroom.server.url}/sessions/join/{code}/")
    page.locator("#id_nickname").fill(nickname)
    page.get_by_test_id("join-form").locator("button[type=submit]").click()
    return page


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_lock_the_lobby_and_remove_a_student_by_keyboard(
    classroom: Classroom, locale: str, artifacts_dir: Path
) -> None:
    say = TEXTS[locale]
    shots = Path("/tmp/shots-h15guard")
    shots.mkdir(exist_ok=True)
    lang = locale[:2]
    teacher = classroom.instructor(locale=locale)
    code = join_code(teacher)
    aya = classroom.student(code, "Aya", locale=locale)
    ben = classroom.student(code, "Ben", locale=locale)
    lobby = teacher.get_by_test_id("lobby-list").locator("li")
    expect(lobby).to_have_text([re.compile("Aya"), re.compile("Ben")])

    # Lock, by keyboard: a newcomer is refused with the reason; Aya's reload lets her back.
    lock = teacher.get_by_test_id("lobby-lock")
    expect(lock).to_have_text(re.compile(say["lock"]))
    lock.focus()
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_test_id("lobby-lock-state")).to_have_text(say["locked"])
    expect(lock).to_have_text(re.compile(say["unlock"]))
    newcomer = _refused_join(classroom, code, "Chie", locale)
    expect(newcomer.locator("#id_code-error, .form-error, .field__error").first).to_contain_text(
        say["refused"]
    )
    aya.reload()
    expect(aya.locator("#conn")).to_have_attribute("data-state", "connected")
    teacher.set_viewport_size(DESKTOP)
    teacher.screenshot(path=str(shots / f"console-locked-{lang}-1280.png"), full_page=True)
    newcomer.screenshot(path=str(shots / f"join-locked-{lang}-390.png"), full_page=True)
    newcomer.context.close()

    # A reload of the console shows the lock as the log has it.
    teacher.reload()
    expect(teacher.get_by_test_id("lobby-lock-state")).to_have_text(say["locked"])
    teacher.get_by_test_id("lobby-lock").click()
    expect(teacher.get_by_test_id("lobby-lock-state")).to_have_text(say["open"])

    # Remove Ben: the dialog asks first; Escape keeps him, then Tab to Remove and Enter.
    remove = teacher.get_by_role("button", name=say["remove"])
    remove.focus()
    teacher.keyboard.press("Enter")
    dialog = teacher.get_by_test_id("remove-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text(say["title"])
    teacher.screenshot(path=str(shots / f"console-remove-dialog-{lang}-1280.png"))
    teacher.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(remove).to_be_focused()
    expect(lobby).to_have_count(2)
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_test_id("cancel-remove")).to_be_focused()
    teacher.keyboard.press("Tab")
    expect(teacher.get_by_test_id("confirm-remove")).to_be_focused()
    teacher.keyboard.press("Enter")

    expect(lobby).to_have_text([re.compile("Aya")])
    expect(ben.get_by_test_id("removed")).to_be_visible()
    expect(ben.get_by_test_id("removed")).to_contain_text(say["removed"])
    expect(ben.locator("#conn")).to_have_attribute("data-state", "removed")
    expect(ben.locator("#conn")).to_contain_text(say["status"])
    ben.screenshot(path=str(shots / f"room-removed-{lang}-390.png"), full_page=True)
    teacher.set_viewport_size(PHONE)
    teacher.screenshot(path=str(shots / f"console-lobby-{lang}-390.png"), full_page=True)
    # His join link no longer admits him: the room page sends him to the join form.
    ben.reload()
    expect(ben).to_have_url(re.compile(r"/sessions/$"))
    # Aya was not touched.
    expect(aya.locator("#conn")).to_have_attribute("data-state", "connected")
