"""Labs in a real browser: fail and pass a Check, an error beside a field, the
progress page, and screenshots of a lab at desktop and phone width."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, PageErrors, screenshot
from tests.servers import DaphneServer

LAB = "/labs/elb-dead-task/"


# The variant's drawn numbers as the goal states them, per language.
PAUSE = {"en": r"each pause lasts (\d+) s", "ja": r"1 回の停止は (\d+) 秒"}
GOAL = {"en": r"at most (\d+) s after it stopped", "ja": r"(\d+) 秒以内"}
LOCALES = {"en": "en-US", "ja": "ja-JP"}


def _drawn(page: Page, lang: str) -> tuple[int, int]:
    goal = page.locator(".lab__goal").inner_text()
    pause, limit = re.search(PAUSE[lang], goal), re.search(GOAL[lang], goal)
    assert pause is not None and limit is not None, goal
    return int(pause.group(1)), int(limit.group(1))


def _check(page: Page, interval: str, timeout: str, threshold: str | None = None) -> None:
    page.locator("#lab-interval_s").fill(interval)
    page.locator("#lab-timeout_s").fill(timeout)
    if threshold is not None:
        page.locator("#lab-unhealthy_threshold").fill(threshold)
    page.evaluate("document.getElementById('lab-check').dataset.before = 'yes'")
    page.get_by_test_id("check").click()
    expect(page.locator("#lab-check[data-before]")).to_have_count(0, timeout=30_000)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_lab_extreme_settings_fail_naming_the_side_hints_one_by_one_reasoned_passes(
    browser: Browser, daphne_server: DaphneServer, lang: str
) -> None:
    context = browser.new_context(locale=LOCALES[lang], viewport=DESKTOP)
    page = context.new_page()
    errors = PageErrors(page)
    page.goto(daphne_server.url + LAB)
    pause, goal = _drawn(page, lang)

    # Hints: none shown before asking, then one per press, the count recorded.
    expect(page.get_by_test_id("hint")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_test_id("next-hint").click()
    expect(page.get_by_test_id("hint")).to_have_count(1)
    expect(page.locator("#hint-1")).to_be_focused()
    with page.expect_navigation():
        page.get_by_test_id("next-hint").press("Enter")
    expect(page.get_by_test_id("hint")).to_have_count(2)
    expect(page.get_by_test_id("hints-used")).to_contain_text("2")

    # Every knob at its minimum: the dead task goes fast, but the pausing task is taken out too.
    _check(page, "5", "2", "2")
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-detect")).to_have_attribute("data-passed", "true")
    expect(page.get_by_test_id("outcome-keep")).to_have_attribute("data-passed", "false")
    side = "Pausing task kept" if lang == "en" else "一時停止するタスクを残す"
    headline = {"en": "Not yet: 1 of 2 goals not met.", "ja": "2 個の目標のうち 1 個が未達成です。"}
    expect(verdict.locator(".verdict__message")).to_contain_text(headline[lang])
    expect(page.get_by_test_id("outcome-keep")).to_contain_text(side)
    expect(page.get_by_test_id("outcome-keep")).to_contain_text(f"{pause} ")

    # Reasoned: a threshold above the checks a pause can hold, at the shortest interval.
    _check(page, "5", "2", str(math.ceil(pause / 5) + 1))
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
    expect(page.locator(".verdict__message")).to_contain_text(str(goal))
    expect(page.locator(".verdict__takeaway")).to_be_visible()
    moment = page.get_by_test_id("open-moment")
    expect(moment).to_have_attribute("href", re.compile(r"&t=\d+(\.\d)?$"))
    expect(page.locator("#player")).to_have_attribute("data-status", re.compile(r"^(?!idle$)"))

    page.goto(daphne_server.url + "/progress/")
    expect(page.get_by_test_id("labs-passed")).to_have_text(re.compile(r"^1 / \d+$"))
    expect(page.get_by_test_id("lab-hints-elb-dead-task")).to_have_text("2")
    expect(page.get_by_test_id("lab-row-elb-dead-task")).to_contain_text(
        "Passed" if lang == "en" else "合格"
    )
    context.close()
    assert errors.messages == []


def test_new_variant_draws_other_numbers(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + LAB)
    goals = {page.locator(".lab__goal").inner_text()}

    for _ in range(3):
        with page.expect_navigation():  # a plain form POST, then the lab page again
            page.get_by_test_id("new-variant").click()
        expect(page.get_by_test_id("hint")).to_have_count(0)
        goals.add(page.locator(".lab__goal").inner_text())

    assert len(goals) >= 2


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
