"""The playground's live run while its server is down (review D13): a fault acted on a task at
the live head waits for the connection, the learner is told so, and it is applied once the
connection is back, once."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PageErrors
from tests.browser.test_playground import PLAYER, branch_events, open_run, task, wait_until_t
from tests.servers import DaphneServer

SHOTS = Path("/tmp/shots-h15clicks")
WAITING = {
    "en-US": "Waiting for the connection: ",
    "ja-JP": "接続待ち：接続が戻ると ",
}


#: A stopped server makes the browser log each failed reconnect; anything else is a real error.
EXPECTED_ERRORS = ("WebSocket connection to", "net::ERR_CONNECTION_REFUSED")


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_an_action_made_while_the_server_is_down_waits_and_is_applied_once(
    browser: Browser, restartable_server: DaphneServer, locale: str
) -> None:
    server = restartable_server
    context = browser.new_context(locale=locale, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = PageErrors(page)
    try:
        _act_while_down(page, server, locale)
    finally:
        context.close()
    assert [m for m in errors.messages if not any(e in m for e in EXPECTED_ERRORS)] == []


def _act_while_down(page: Page, server: DaphneServer, locale: str) -> None:
    open_run(page, server, scenario="steady", mode="live")
    page.click(f"{PLAYER} button[data-speed='10']")
    wait_until_t(page, 5)

    server.stop()
    page.wait_for_function(
        "() => window.kumobenPlayer.connectionLog.at(-1) !== 'connected'", timeout=15_000
    )
    page.focus(task("elb", "inventory-3"))
    page.keyboard.press("Enter")
    page.click(f"{PLAYER} [data-role=palette] button[data-fault=kill]")
    narration = page.locator(f"{PLAYER} [data-role=narration]")
    expect(narration).to_contain_text(WAITING[locale])
    SHOTS.mkdir(exist_ok=True)
    narration.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"playground-waiting-{locale[:2]}-{DESKTOP['width']}.png"))

    server.start()
    page.wait_for_function("() => window.kumobenPlayer.branch.log.length === 1", timeout=30_000)
    at = page.evaluate("window.kumobenPlayer.branch.log[0].at_s")
    wait_until_t(page, at + 5)
    shown = page.evaluate("window.kumobenPlayer.branchId")
    kills = [e for e in branch_events(page, shown, at + 5) if e[2] == "task_killed"]
    assert len(kills) == 1
    assert page.evaluate("window.kumobenPlayer.branch.log.length") == 1
