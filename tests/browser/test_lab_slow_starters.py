"""Lab 6 in a real browser: the defaults fail naming the goal, dependsOn HEALTHY with a startPeriod
passes, in English and Japanese; screenshots at phone and desktop width."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, PageErrors
from tests.servers import DaphneServer

pytestmark = pytest.mark.browser

LAB = "/labs/slow-starters/"
SHOTS = Path("/work/shots-dependson")


def _check(page: Page, depends_on: str, start_period: str) -> None:
    page.locator("#lab-depends_on_healthy").select_option(depends_on)
    page.locator("#lab-start_period_s").fill(start_period)
    page.get_by_test_id("check").click()


def test_slow_starters_defaults_fail_then_depends_on_and_a_start_period_pass(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + LAB)
    expect(page.get_by_label("Hold container with dependsOn app HEALTHY")).to_have_value("no")

    page.get_by_test_id("check").click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-passed", "false")
    expect(verdict.locator(".verdict__message")).to_contain_text(
        "the goal is that no starting task is replaced"
    )

    _check(page, "no", "40")
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "false")
    expect(page.locator(".verdict__message")).to_contain_text(
        "Service Connect sent them to tasks that were RUNNING but could not answer yet."
    )

    _check(page, "yes", "40")
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
    expect(page.locator(".verdict__message")).to_contain_text(
        "ECS replaced the broken task 70 s after the scale-out"
    )


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_slow_starters_screenshots(
    browser: Browser, daphne_server: DaphneServer, locale: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    lang = locale[:2]
    for size_name, size in (("390", PHONE), ("1280", DESKTOP)):
        context = browser.new_context(locale=locale, viewport=size)
        page = context.new_page()
        errors = PageErrors(page)
        page.goto(daphne_server.url + LAB)

        _check(page, "yes", "40")
        expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SHOTS / f"lab6-{lang}-{size_name}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        context.close()

        assert errors.messages == []
        assert overflow <= 0
