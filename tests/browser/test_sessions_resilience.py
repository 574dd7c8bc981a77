"""A study session through a graceful server restart (SIGTERM, as a deploy sends; review D12):
screens say the server is restarting, an answer given meanwhile waits, said where the student
looks (D13; tests/browser/test_session_queued.py follows it through), and everything works again
once the server is back."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DESKTOP, PHONE, Classroom, join_code
from tests.browser.test_sessions import _ask
from tests.servers import DaphneServer

SHOTS = Path("/tmp/shots-h15")

TEXTS = {
    "en-US": {
        "restarting": "The server is restarting — reconnecting…",
        "waiting": "◔ Waiting to send: your answer goes out once the connection is back.",
        "sent": "Answer sent",
    },
    "ja-JP": {
        "restarting": "サーバーが再起動しています — 再接続中…",
        "waiting": "◔ 送信待ち：接続が戻ると回答を送信します。",
        "sent": "回答を送信しました",
    },
}


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_a_graceful_restart_is_announced_and_answers_wait_for_it(
    browser: Browser, restartable_server: DaphneServer, locale: str
) -> None:
    texts = TEXTS[locale]
    room = Classroom(browser, restartable_server, restarts=True)
    try:
        teacher = room.instructor()
        code = join_code(teacher)
        aya = room.student(code, "Aya", locale=locale)
        wide = room.student(code, "Ben", viewport=DESKTOP, locale=locale)
        _ask(teacher, "Which task gets the next request?", ["inventory-1", "inventory-2"], 1)
        choice = aya.get_by_test_id("student-poll").locator(".choice").nth(1)
        expect(choice).to_be_visible()

        restartable_server.stop()
        for page in (aya, wide, teacher):
            expect(page.locator("#conn")).to_have_attribute("data-state", "restarting")
        expect(aya.locator("#conn")).to_contain_text(texts["restarting"])
        choice.click()
        expect(aya.get_by_test_id("poll-feedback")).to_have_text(texts["waiting"])
        SHOTS.mkdir(exist_ok=True)
        tag = locale[:2]
        aya.screenshot(path=str(SHOTS / f"room-restarting-{tag}-{PHONE['width']}.png"))
        wide.screenshot(path=str(SHOTS / f"room-restarting-{tag}-{DESKTOP['width']}.png"))

        restartable_server.start()
        for page in (aya, wide, teacher):
            expect(page.locator("#conn")).to_have_attribute(
                "data-state", "connected", timeout=20_000
            )
        choice.click()
        expect(aya.get_by_test_id("poll-feedback")).to_contain_text(texts["sent"])
        expect(teacher.get_by_test_id("poll-answered")).to_have_text("1")
    finally:
        room.close()
