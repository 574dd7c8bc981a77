"""The lesson-sized player: a lesson step's player opens paused at its step's start with its watch
line, shows the diagram, a scrubber and play/pause (the rest of the playground stays behind
"Explore"), works by keyboard, and "Explore" opens the playground on the same run at the same
moment. Also: an instant run's readouts say "as of" an early playhead (40 s of kill-task).
Starts, watch lines and times come from the content files and the engine."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.servers import DaphneServer

pytestmark = pytest.mark.browser

HELLO_PERMALINK = "window.kumobenPlayer.store.hello && window.kumobenPlayer.store.hello.permalink"
NOW = "window.kumobenPlayer.clock.now"

# ELB, "a task that is killed": kill-task under ELB, start=55 (the kill is at 60 s).
STEP = "/lessons/elb/?step=5"
WATCH = {
    "en-US": "Watch inventory-2 after 60 s: ECS deregisters the killed task, so the 504s stop"
    " within seconds.",
    "ja-JP": "60 秒以降の inventory-2 に注目：ECS が強制終了されたタスクを登録解除するので、"
    "504 は数秒で止まります。",
}
TIME_AT_START = {"en-US": "55.0 s of 240 s", "ja-JP": "55.0 秒 / 240 秒"}
# The browser's language picks the page's (the conftest's context reads the locale mark).
LOCALES = [pytest.param(loc, marks=pytest.mark.locale(loc)) for loc in ("en-US", "ja-JP")]
EXPLORE = {
    "en-US": "Explore from here in the playground",
    "ja-JP": "ここからプレイグラウンドで試す",
}


def _open(page: Page, url: str) -> None:
    page.goto(url)
    player = page.locator(".embed-player [data-role=player]")
    expect(player).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(player.locator("figure[data-loaded=true]")).to_have_count(1)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_lesson_player_opens_at_its_start_with_its_watch_line_and_nothing_else(
    page: Page, daphne_server: DaphneServer, locale: str
) -> None:
    _open(page, daphne_server.url + STEP)
    player = page.locator(".embed-player [data-role=player]")

    assert page.evaluate(NOW) == 55
    assert page.evaluate("window.kumobenPlayer.clock.playing") is False
    expect(page.locator(".embed-player__watch")).to_have_text("◎ " + WATCH[locale])
    expect(page.locator(".embed-player__watch")).to_be_visible()
    expect(player.locator("#scrub")).to_have_value("55")
    expect(player.locator("[data-role=time]")).to_have_text(TIME_AT_START[locale])
    # Lesson-sized: the diagram, the scrubber and play/pause; the playground's panels are not here.
    expect(player.locator("[data-control=play]")).to_be_visible()
    expect(player.locator("#scrub")).to_be_visible()
    expect(player.locator(".diagram__svg svg")).to_be_visible()
    for hidden in (
        "[data-control=next]",
        "[data-control=prev]",
        ".speeds",
        "[data-role=jump]",
        "[data-role=events]",
        ".player__panels",
        ".chart",
        ".legend",
    ):
        expect(player.locator(hidden).first).to_be_hidden()
    # The diagram comes first, then the scrubber, then play/pause.
    tops = page.evaluate(
        """() => ['.diagram__svg', '#scrub', '[data-control=play]'].map((s) =>
            document.querySelector('.embed-player ' + s).getBoundingClientRect().top)"""
    )
    assert tops == sorted(tops)
    # The narration sits beside a one-pattern lesson player at 1280 px.
    narration = page.locator(".step__narration").bounding_box()
    stage = page.locator(".step__stage").bounding_box()
    assert narration is not None and stage is not None
    assert stage["x"] > narration["x"] + narration["width"] - 1


@pytest.mark.parametrize("locale", LOCALES)
def test_play_pause_and_the_scrubber_work_by_keyboard(
    page: Page, daphne_server: DaphneServer, locale: str
) -> None:
    _open(page, daphne_server.url + STEP)
    player = page.locator(".embed-player [data-role=player]")
    play = player.locator("[data-control=play]")

    play.focus()
    page.keyboard.press("Space")
    expect(play).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(f"() => {NOW} > 55.5")
    page.keyboard.press("Space")
    expect(play).to_have_attribute("aria-pressed", "false")
    paused = page.evaluate(NOW)
    page.wait_for_timeout(300)
    assert page.evaluate(NOW) == paused

    scrub = player.locator("#scrub")
    scrub.focus()
    page.keyboard.press("Home")
    page.wait_for_function(f"() => {NOW} === 0")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => Math.abs({NOW} - 0.1) < 1e-9")
    page.keyboard.press("End")
    page.wait_for_function(f"() => {NOW} === 240")
    # The keys stayed in the player: the lesson did not move to another step.
    expect(page).to_have_url(re.compile(r"/lessons/elb/\?step=5$"))

    # Played to its end, the player's clock stops there.
    page.evaluate("window.kumobenPlayer.seek(239.5)")
    play.focus()
    page.keyboard.press("Enter")
    expect(play).to_have_attribute("aria-pressed", "false", timeout=10_000)
    assert page.evaluate(NOW) == 240
    page.wait_for_timeout(300)
    assert page.evaluate(NOW) == 240

    # Play at the end plays the moment that matters again, from the step's start.
    page.keyboard.press("Enter")
    expect(play).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(f"() => {NOW} >= 55 && {NOW} < 60")


@pytest.mark.parametrize("locale", LOCALES)
def test_explore_opens_the_exact_run_at_the_lesson_players_start(
    page: Page, daphne_server: DaphneServer, locale: str
) -> None:
    _open(page, daphne_server.url + STEP)
    source = page.evaluate(HELLO_PERMALINK)

    page.get_by_role("link", name=EXPLORE[locale]).click()
    page.wait_for_url("**/playground/**")
    page.wait_for_function(
        "() => window.kumobenPlayer && window.kumobenPlayer.clock.now === 55", timeout=30_000
    )

    assert page.evaluate(HELLO_PERMALINK) == source
    assert page.evaluate("window.kumobenPlayer.clock.playing") is False
    # The playground shows everything the lesson player left out.
    expect(page.locator("[data-control=next]")).to_be_visible()
    expect(page.locator("[data-role=events]")).to_be_visible()


@pytest.mark.parametrize(
    ("locale", "heading"),
    [
        pytest.param("en-US", "ELB · as of 40.0 s", marks=pytest.mark.locale("en-US")),
        pytest.param("ja-JP", "ELB · 40.0 秒時点", marks=pytest.mark.locale("ja-JP")),
    ],
)
def test_an_instant_run_shows_readouts_as_of_an_early_playhead(
    page: Page, daphne_server: DaphneServer, locale: str, heading: str
) -> None:
    # Before the fix an instant kill-task run had no readouts before 80 s (20 s after the kill).
    page.goto(daphne_server.url + "/playground/?scenario=kill-task&pattern=elb&seed=1&t=40")
    page.wait_for_function(
        "() => window.kumobenPlayer && window.kumobenPlayer.clock.now === 40", timeout=30_000
    )

    panel = page.locator("[data-role=readouts]")
    expect(panel.locator("h4")).to_have_text(heading)
    # tests/player/test_readouts_at.py: the engine's count at 40 s of this run, no failures yet.
    requests = panel.locator("tbody tr").first
    expect(requests.locator("td")).to_have_text("1182")
    expect(page.locator("[data-role=readouts-empty]")).to_be_hidden()

    # At 12 s the latest reading is the 10 s one, and the panel says so.
    page.evaluate("window.kumobenPlayer.seek(12)")
    expect(panel.locator("h4")).to_have_text(heading.replace("40.0", "10.0"))
