"""Links into the playground land on their exact run: a lesson's "Explore from here" at the
lesson player's playhead, and the language switch keeps it. Two runs are the same when the engine's hello
carries the same permalink (scenario as sent, seed, pattern and log)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.servers import DaphneServer

pytestmark = pytest.mark.browser

HELLO_PERMALINK = "window.kumobenPlayer.store.hello && window.kumobenPlayer.store.hello.permalink"


@pytest.mark.parametrize(("lang", "link"), [("en-US", "Explore from here in the playground")])
def test_explore_link_lands_on_the_lesson_run_at_its_playhead(
    page: Page, daphne_server: DaphneServer, lang: str, link: str
) -> None:
    page.goto(daphne_server.url + "/lessons/elb/?step=4")  # an inline scenario
    player = page.locator(".embed-player #player")
    expect(player).to_have_attribute("data-status", "ready", timeout=30_000)
    source = page.evaluate(HELLO_PERMALINK)
    page.evaluate("window.kumobenPlayer.pause(); window.kumobenPlayer.seek(42)")

    page.get_by_role("link", name=link).click()
    page.wait_for_url("**/playground/**")
    page.wait_for_function(
        "() => window.kumobenPlayer && window.kumobenPlayer.clock.now === 42", timeout=30_000
    )

    assert page.evaluate(HELLO_PERMALINK) == source
    assert page.evaluate("window.kumobenPlayer.clock.playing") is False
    expect(page.get_by_test_id("permalink-error")).to_have_count(0)

    # Switching language keeps the run and its playhead.
    page.get_by_test_id("lang-ja").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.wait_for_function(
        "() => window.kumobenPlayer && window.kumobenPlayer.clock.now === 42", timeout=30_000
    )
    assert page.evaluate(HELLO_PERMALINK) == source
