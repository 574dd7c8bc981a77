"""Lab 6 in a real browser: the defaults fail naming the goal, dependsOn HEALTHY with a startPeriod
passes, in English and Japanese; screenshots at phone and desktop width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, PageErrors
from tests.servers import DaphneServer

pytestmark = pytest.mark.browser

LAB = "/labs/slow-starters/"
SHOTS = Path("/work/shots-dependson")


def _check(page: Page, depends_on: str, start_period: str) -> None:
    """Check, and wait until htmx swapped in this Check's result (not the previous one's)."""
    page.locator("#lab-depends_on_healthy").select_option(depends_on)
    page.locator("#lab-start_period_s").fill(start_period)
    page.evaluate("document.getElementById('lab-check').dataset.before = 'yes'")
    page.get_by_test_id("check").click()
    expect(page.locator("#lab-check[data-before]")).to_have_count(0, timeout=30_000)


def _start_period(page: Page) -> str:
    """The reasoned startPeriod for this variant: 10 s (one check) less than the app's start."""
    goal = page.locator(".lab__goal").inner_text()
    match = re.search(r"(?:needs|起動してから) (\d+) (?:s after|秒)", goal)
    assert match is not None, goal
    return str(int(match.group(1)) - 10)


def test_slow_starters_defaults_fail_then_depends_on_and_a_start_period_pass(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + LAB)
    expect(page.get_by_label("Hold container with dependsOn app HEALTHY")).to_have_value("no")
    start_period = _start_period(page)

    page.get_by_test_id("check").click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-starters")).to_have_attribute("data-passed", "false")
    expect(verdict.locator(".verdict__message")).to_contain_text("goals not met.")
    starters = page.get_by_test_id("outcome-starters")
    expect(starters).to_contain_text("Starting tasks kept")
    expect(starters).to_contain_text("ECS replaced")

    _check(page, "no", start_period)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-failures")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-failures")).to_contain_text(
        "Service Connect sends requests to a task as soon as it is RUNNING."
    )

    _check(page, "yes", start_period)
    # the engine runs the whole scale-out: give a loaded machine time
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true", timeout=30_000)
    expect(page.locator(".verdict__message")).to_contain_text("ECS replaced the broken task")


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

        _check(page, "yes", _start_period(page))
        expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SHOTS / f"lab6-{lang}-{size_name}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        context.close()

        assert errors.messages == []
        assert overflow <= 0
