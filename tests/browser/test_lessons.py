"""Lessons in a real browser: story mode walked with the keyboard only, presenter mode, screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.servers import DaphneServer

STEPS = 8  # the ELB lesson


def _step_url(server: DaphneServer, number: int) -> re.Pattern[str]:
    return re.compile(re.escape(f"{server.url}/lessons/elb/?step={number}") + "$")


def test_story_mode_walks_a_lesson_with_the_keyboard_only(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/lessons/elb/")
    expect(page.locator(".progress__label")).to_have_text("Step 1 of 8")

    for number in range(2, STEPS + 1):
        page.keyboard.press("ArrowRight")
        expect(page).to_have_url(_step_url(daphne_server, number))
        expect(page.locator(".progress__label")).to_have_text(f"Step {number} of {STEPS}")
        expect(page.locator("#step-title")).to_be_focused()
    page.keyboard.press("ArrowRight")  # the last step has no Continue: nothing happens

    expect(page).to_have_url(_step_url(daphne_server, STEPS))
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(_step_url(daphne_server, STEPS - 1))
    expect(page.locator("#step-title")).to_be_focused()
    page.keyboard.press("Tab")  # from the focused heading, Tab reaches the narration's links
    for _ in range(40):
        if page.evaluate("document.activeElement.dataset.testid") == "continue":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(_step_url(daphne_server, STEPS))
    expect(page.get_by_role("heading", level=2, name="Check yourself")).to_be_visible()


def test_story_mode_keys_leave_form_controls_alone(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/lessons/elb/?step=8")
    radio = page.locator('input[name="elb-basics-1"]').first

    radio.focus()
    page.keyboard.press("ArrowLeft")

    expect(page).to_have_url(_step_url(daphne_server, 8))


def test_story_mode_deep_link_opens_the_step(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/lessons/service-connect/?step=4")

    expect(page.locator("#step-title")).to_have_text("Outlier detection")
    expect(page.locator(".step-dots [aria-current='step']")).to_have_text(re.compile("4"))
    expect(page.get_by_role("link", name="Explore from here in the playground")).to_have_attribute(
        "href", "/playground/?scenario=kill-task&pattern=service-connect&seed=1&t=55"
    )


def test_presenter_mode_follows_clicker_keys(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/lessons/elb/present/")
    slides = page.locator("[data-slide]")
    expect(slides.nth(0)).to_be_visible()
    expect(slides.nth(1)).to_be_hidden()

    page.keyboard.press("PageDown")
    expect(slides.nth(1)).to_be_visible()
    expect(slides.nth(0)).to_be_hidden()
    expect(page).to_have_url(re.compile("#slide-2$"))
    page.keyboard.press("End")
    expect(slides.nth(STEPS - 1)).to_be_visible()
    page.keyboard.press("PageUp")
    expect(slides.nth(STEPS - 2)).to_be_visible()
    expect(page.locator("[data-deck-status]")).to_have_text(f"Slide {STEPS - 1} of {STEPS}")
    expect(page.locator("[data-deck-exit]")).to_have_attribute(
        "href", re.compile(rf"/lessons/elb/\?step={STEPS - 1}$")
    )


def test_presenter_mode_deep_link_to_a_slide(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/lessons/elb/present/?step=3")

    expect(page.locator("[data-slide='3']")).to_be_visible()
    expect(page.locator("[data-slide='1']")).to_be_hidden()


def test_story_mode_player_step_plays_the_engine_run(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/lessons/elb/?step=5")  # ELB: a task is killed at 60 s
    player = page.locator(".embed-player #player")
    expect(player).to_have_attribute("data-status", "ready")
    expect(player.locator("figure[data-loaded=true]")).to_have_count(1)
    expect(page.locator(".embed-player__fallback .readout")).to_be_hidden()
    expect(player.locator("[data-control=play]")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.kumobenPlayer.clock.now") == 55  # the step's start

    details = player.locator("[data-role=details]")
    expect(details).to_have_attribute("aria-expanded", "false")
    details.click()
    expect(details).to_have_attribute("aria-expanded", "true")
    player.locator("[data-control=next]").click()
    player.locator("[data-control=play]").click()

    expect(player.locator(".events__rows .ev").first).to_be_visible()
    expect(player.locator(".dot").first).to_be_attached()
    assert page.evaluate("window.kumobenPlayer.clock.now") > 55


def test_story_mode_keys_inside_the_player_stay_on_the_step(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/lessons/four-patterns/?step=6")  # pattern=all
    player = page.locator(".embed-player #player")
    # An instant run of all four patterns computes every frame (and its readouts) first.
    expect(player).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(player.locator("figure[data-loaded=true]")).to_have_count(4)

    player.locator("[data-control=next]").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")

    expect(page).to_have_url(re.compile(r"/lessons/four-patterns/\?step=6$"))
    assert page.evaluate("window.kumobenPlayer.clock.now") > 0


def test_story_mode_inline_player_runs_its_own_scenario(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.goto(daphne_server.url + "/lessons/elb/?step=4")  # ELB: an inline scenario

    player = page.locator(".embed-player #player")

    expect(player).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(player.locator("figure[data-loaded=true]")).to_have_count(1)
    expect(player.locator("[data-role=reduced-motion]")).to_be_checked()
    assert page.evaluate("window.kumobenPlayer.scenario.seed") == 1


@pytest.mark.parametrize(
    ("name", "path", "locale"),
    [
        ("lesson-elb", "/lessons/elb/?step=3", "en-US"),
        ("lesson-elb-ja", "/lessons/elb/?step=3", "ja-JP"),
        ("lesson-player", "/lessons/four-patterns/?step=6", "en-US"),
        ("lesson-player-elb-ja", "/lessons/elb/?step=5", "ja-JP"),
        ("lesson-comparison", "/lessons/comparison/?step=2", "ja-JP"),
        ("lesson-index", "/lessons/", "en-US"),
        ("presenter", "/lessons/service-discovery/present/?step=2", "en-US"),
        ("presenter-ja", "/lessons/app-mesh/present/?step=8", "ja-JP"),
        ("glossary-ja", "/lessons/glossary/#term-envoy", "ja-JP"),
    ],
)
def test_lesson_screenshots(
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
