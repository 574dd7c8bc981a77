"""The deployment and DNS steps (issue 12 §1) played in a real browser, and their screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.servers import DaphneServer

CANARY = "/lessons/service-connect/?step=7"
BAD_GREEN = "/lessons/service-connect/?step=8"
DNS = "/lessons/service-discovery/?step=7"


def _play_fast(page: Page) -> None:
    player = page.locator(".embed-player #player")
    expect(player).to_have_attribute("data-status", "ready")
    expect(player.locator("figure[data-loaded=true]")).to_have_count(1)
    # The lesson-sized player opens its event list and speeds in place.
    player.locator("[data-role=details]").click()
    player.locator("[data-control=speed][data-speed='10']").click()
    player.locator("[data-control=play]").click()


def test_the_canary_step_plays_until_test_traffic_goes_to_green(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + CANARY)
    expect(page.locator("#step-title")).to_have_text("Deployments: blue/green, linear and canary")

    _play_fast(page)

    # The stage the engine reports, in the player's deployment panel and in the event list.
    state = page.locator(".embed-player [data-role=deploy-state]")
    expect(state).to_contain_text("TEST_TRAFFIC_SHIFT", timeout=30_000)
    rows = page.locator(".embed-player .events__rows .ev")
    expect(rows.filter(has_text="TEST_TRAFFIC_SHIFT").first).to_be_visible()
    assert page.evaluate("window.kumobenPlayer.clock.now") >= 70
    expect(rows.filter(has_text="PRODUCTION_TRAFFIC_SHIFT").first).to_be_visible(timeout=30_000)


def test_the_bad_green_step_plays_until_the_alarm_rolls_it_back_in_japanese(
    browser: Browser, daphne_server: DaphneServer
) -> None:
    context = browser.new_context(locale="ja-JP", viewport=DESKTOP)
    page = context.new_page()
    page.goto(daphne_server.url + BAD_GREEN)
    expect(page.locator("#step-title")).to_have_text("悪いグリーンを、アラームでロールバック")

    _play_fast(page)

    rows = page.locator(".embed-player .events__rows .ev")
    rolled = rows.filter(has_text="TEST_TRAFFIC_SHIFT").filter(has_text="ロールバック")
    expect(rolled.first).to_be_visible(timeout=30_000)
    context.close()


def test_the_dns_step_lists_answers_of_8_records(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + DNS)
    expect(page.locator("#step-title")).to_have_text("What DNS answers")

    _play_fast(page)

    rows = page.locator(".embed-player .events__rows .ev")
    expect(rows.filter(has_text="8 records in the answer").first).to_be_visible(timeout=30_000)


@pytest.mark.parametrize(
    ("name", "path", "locale"),
    [
        ("lesson-deploy-canary", CANARY, "en-US"),
        ("lesson-deploy-canary-ja", CANARY, "ja-JP"),
        ("lesson-deploy-bad-green", BAD_GREEN, "en-US"),
        ("lesson-deploy-bad-green-ja", BAD_GREEN, "ja-JP"),
        ("lesson-dns-answers", DNS, "en-US"),
        ("lesson-dns-answers-ja", DNS, "ja-JP"),
    ],
)
def test_deploy_and_dns_step_screenshots(
    browser: Browser,
    daphne_server: DaphneServer,
    artifacts_dir: Path,
    name: str,
    path: str,
    locale: str,
) -> None:
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        out = artifacts_dir / f"{name}-{size_name}.png"

        errors, overflow = screenshot(
            browser, daphne_server.url + path, out, locale=locale, viewport=size, full_page=False
        )

        assert errors == []
        assert overflow <= 0
