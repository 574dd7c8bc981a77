"""Clicks made while the room's connection is down wait and go once it is back (review D13):
the instructor's console and a student's phone say the click is waiting, then that it went; the
server does each click once, also one whose reply the connection lost."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.browser.conftest import DESKTOP, PHONE, Classroom, join_code
from tests.servers import DaphneServer

SHOTS = Path("/tmp/shots-h15clicks")

TEXTS = {
    "en-US": {
        "waiting": "◔ Clicks waiting to send: {n}. They go out once the connection is back.",
        "sent": "✓ Sent once the connection was back: {n}.",
        "answer_waiting": "◔ Waiting to send: your answer goes out once the connection is back.",
        "answered": "✓ Answer sent. You can change it until the result is shown.",
        "slide": "Slide {n}",
    },
    "ja-JP": {
        "waiting": "◔ 送信待ちの操作：{n} 件。接続が戻ると送信します。",
        "sent": "✓ 接続が戻ったので送信しました：{n} 件。",
        "answer_waiting": "◔ 送信待ち：接続が戻ると回答を送信します。",
        "answered": "✓ 回答を送信しました。結果が表示されるまで変更できます。",
        "slide": "スライド {n}",
    },
}


def _ask(console: Page, prompt: str, choices: list[str]) -> None:
    """Open a choice poll from the console's form, whatever the console's language."""
    form = console.get_by_test_id("poll-form")
    form.locator("#poll-prompt").fill(prompt)
    for i, choice in enumerate(choices):
        form.locator('input[name="choice"]').nth(i).fill(choice)
    form.get_by_test_id("poll-ask").click()


def _log(server: DaphneServer) -> list[tuple[int, str, str]]:
    with sqlite3.connect(server.env["KUMOBEN_SQLITE_PATH"]) as db:
        rows = db.execute(
            "SELECT seq, kind, payload FROM patterns_sessioncommand ORDER BY seq"
        ).fetchall()
    return [(seq, kind, payload) for seq, kind, payload in rows]


def _answers(server: DaphneServer) -> list[tuple[int | None, int]]:
    with sqlite3.connect(server.env["KUMOBEN_SQLITE_PATH"]) as db:
        return db.execute("SELECT choice, changes FROM patterns_answer").fetchall()


def _slides(server: DaphneServer) -> list[int]:
    return [json.loads(payload)["slide"] for _seq, kind, payload in _log(server) if kind == "slide"]


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_clicks_made_while_the_server_is_down_are_sent_once_it_is_back(
    browser: Browser, restartable_server: DaphneServer, locale: str
) -> None:
    texts = TEXTS[locale]
    server = restartable_server
    room = Classroom(browser, server, restarts=True)
    try:
        teacher = room.instructor(locale=locale)
        code = join_code(teacher)
        aya = room.student(code, "Aya", locale=locale)
        _ask(teacher, "Which task gets the next request?", ["inventory-1", "inventory-2"])
        choice = aya.get_by_test_id("student-poll").locator(".choice").nth(1)
        expect(choice).to_be_visible()
        before = _log(server)
        assert [kind for _seq, kind, _payload in before] == ["poll.open"]

        server.stop()
        for page in (aya, teacher):
            expect(page.locator("#conn")).to_have_attribute("data-state", "restarting")
        teacher.get_by_test_id("next-slide").click()
        teacher.get_by_test_id("next-slide").click()
        choice.click()
        outbox = teacher.get_by_test_id("outbox")
        expect(outbox).to_have_text(texts["waiting"].format(n=2))
        expect(outbox).to_have_attribute("data-state", "waiting")
        expect(aya.get_by_test_id("poll-feedback")).to_have_text(texts["answer_waiting"])
        expect(choice).to_have_attribute("aria-pressed", "true")
        SHOTS.mkdir(exist_ok=True)
        tag = locale[:2]
        teacher.screenshot(path=str(SHOTS / f"console-waiting-{tag}-{DESKTOP['width']}.png"))
        aya.screenshot(path=str(SHOTS / f"room-waiting-{tag}-{PHONE['width']}.png"))

        server.start()
        expect(outbox).to_have_text(texts["sent"].format(n=2), timeout=20_000)
        expect(outbox).to_have_attribute("data-state", "sent")
        expect(aya.get_by_test_id("student-slide")).to_contain_text(texts["slide"].format(n=3))
        expect(aya.get_by_test_id("poll-feedback")).to_have_text(texts["answered"])
        expect(teacher.get_by_test_id("poll-answered")).to_have_text("1")
        teacher.screenshot(path=str(SHOTS / f"console-sent-{tag}-{DESKTOP['width']}.png"))
        aya.screenshot(path=str(SHOTS / f"room-sent-{tag}-{PHONE['width']}.png"))

        # Each click once: two slides, in order, and one answer never changed.
        assert _slides(server) == [2, 3]
        assert len(_log(server)) == 3
        assert _answers(server) == [(1, 0)]
    finally:
        room.close()


def test_a_click_whose_reply_was_lost_is_resent_and_done_once(
    browser: Browser, restartable_server: DaphneServer
) -> None:
    """The connection dies after the server did the click but before its reply arrived: the
    console sends it again on the new connection, and the server answers without doing it twice."""
    server = restartable_server
    room = Classroom(browser, server)
    try:
        teacher = room.instructor()
        aya = room.student(join_code(teacher), "Aya")
        cut = {"armed": True, "replies": []}

        def route(ws: WebSocketRoute) -> None:
            upstream = ws.connect_to_server()

            def down(message: str | bytes) -> None:
                frame: dict[str, Any] = json.loads(message)
                if frame.get("type") == "done":
                    cut["replies"].append(frame)
                    if cut["armed"]:
                        cut["armed"] = False
                        upstream.close()
                        ws.close(code=4000, reason="lost")
                        return
                ws.send(message)

            upstream.on_message(down)

        teacher.route_web_socket(re.compile(r"/ws/sessions/"), route)
        teacher.reload()
        expect(teacher.locator("#conn")).to_have_attribute("data-state", "connected")

        teacher.get_by_test_id("next-slide").click()
        outbox = teacher.get_by_test_id("outbox")
        expect(outbox).to_have_text("✓ Sent once the connection was back: 1.", timeout=20_000)
        expect(aya.get_by_test_id("student-slide")).to_contain_text("Slide 2")

        first, again = cut["replies"]
        assert (first["seq"], again["seq"], again["id"]) == (1, 1, first["id"])
        assert "repeat" not in first and again["repeat"] is True
        assert _slides(server) == [2]
        # A later click still moves the class on, once.
        teacher.get_by_test_id("next-slide").click()
        expect(aya.get_by_test_id("student-slide")).to_contain_text("Slide 3")
        assert _slides(server) == [2, 3]
    finally:
        room.close()


def test_clicks_that_waited_over_two_minutes_are_dropped_and_said_so(
    browser: Browser, restartable_server: DaphneServer
) -> None:
    server = restartable_server
    room = Classroom(browser, server, restarts=True)
    try:
        teacher = room.instructor()
        aya = room.student(join_code(teacher), "Aya")
        # The page's clock, so two minutes can pass at once (time otherwise flows as usual).
        teacher.clock.install()
        teacher.reload()
        expect(teacher.locator("#conn")).to_have_attribute("data-state", "connected")

        server.stop()
        expect(teacher.locator("#conn")).to_have_attribute("data-state", "restarting")
        # At most 16 clicks wait (the server takes bursts of 20 frames); the 17th is refused.
        for _ in range(17):
            teacher.get_by_test_id("next-slide").click()
        outbox = teacher.get_by_test_id("outbox")
        expect(outbox).to_have_text(TEXTS["en-US"]["waiting"].format(n=16))
        expect(teacher.locator("#command-error")).to_have_text(
            "⚠ connection: Not sent: too many clicks are already waiting for the connection."
        )
        teacher.clock.fast_forward("02:01")

        server.start()
        expect(outbox).to_have_text(
            "✗ Not sent, the connection was down for over 2 minutes: 16. Click again if still needed.",
            timeout=20_000,
        )
        expect(outbox).to_have_attribute("data-state", "dropped")
        expect(teacher.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(aya.get_by_test_id("student-slide")).to_contain_text("Slide 1")
        assert _log(server) == []
    finally:
        room.close()
