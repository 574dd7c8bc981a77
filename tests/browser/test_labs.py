"""Labs in a real browser: fail and pass a Check, an error beside a field, the
progress page, and screenshots of a lab at desktop and phone width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, PageErrors, screenshot
from tests.servers import DaphneServer

LAB = "/labs/elb-dead-task/"


def _goal_seconds(page: Page) -> str:
    goal = page.locator(".lab__goal").inner_text()
    match = re.search(r"at most (\d+) s", goal)
    assert match is not None, goal
    return match.group(1)


def _check(page: Page, interval: str, timeout: str) -> None:
    page.get_by_label("Health check interval (s)").fill(interval)
    page.get_by_label("Health check timeout (s)").fill(timeout)
    page.get_by_test_id("check").click()


def test_lab_check_fails_then_passes_and_progress_shows_it(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + LAB)
    goal = _goal_seconds(page)

    _check(page, "30", "5")
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-passed", "false")
    message = verdict.locator(".verdict__message").inner_text()
    window = verdict.locator("tr", has_text="Dead-task window").locator("td").inner_text()

    assert re.fullmatch(
        rf"✕ Not yet: the dead task still got requests until [\d.]+ s, "
        rf"{re.escape(window.removesuffix(' s'))} s after it stopped answering; the goal is {goal} s\.",
        message,
    ), message

    _check(page, "5", "2")
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
    expect(page.locator(".verdict__message")).to_contain_text(f"the goal was at most {goal} s.")
    expect(page.locator(".verdict__takeaway")).to_be_visible()
    expect(page.locator("#player")).to_have_attribute("data-status", re.compile(r"^(?!idle$)"))

    page.goto(daphne_server.url + "/progress/")
    expect(page.get_by_test_id("labs-passed")).to_have_text("1 / 10")
    expect(page.get_by_test_id("lab-row-elb-dead-task")).to_contain_text("Passed")


def test_lab_bad_input_shows_an_error_beside_the_field(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + LAB)

    _check(page, "10", "10")

    expect(page.get_by_test_id("error-timeout_s")).to_have_text(
        "✕ The timeout must be shorter than the interval."
    )
    expect(page.get_by_test_id("verdict")).to_have_count(0)


def test_lab_screenshots(
    browser: Browser, daphne_server: DaphneServer, artifacts_dir: Path
) -> None:
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(locale="en-US", viewport=size)
        page = context.new_page()
        errors = PageErrors(page)
        page.goto(daphne_server.url + LAB)

        _check(page, "30", "5")
        expect(page.get_by_test_id("verdict")).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(artifacts_dir / f"lab-{size_name}.png"))
        page.screenshot(path=str(artifacts_dir / f"lab-{size_name}-full.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        context.close()

        assert errors.messages == []
        assert overflow <= 0


@pytest.mark.parametrize(
    ("name", "path", "locale"),
    [
        ("lab-az-outage-ja", "/labs/az-outage/", "ja-JP"),
        ("lab-slow-starters", "/labs/slow-starters/", "en-US"),
        ("labs-index", "/labs/", "en-US"),
        ("progress-ja", "/progress/", "ja-JP"),
    ],
)
def test_lab_page_screenshots(
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
            browser, daphne_server.url + path, out, locale=locale, viewport=size, full_page=True
        )

        assert errors == []
        assert overflow <= 0
