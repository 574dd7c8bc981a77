"""The playground's deployment controls in a real browser: a canary under ELB, its stages and
green share as the engine reports them, the green tasks on the diagram, and a rollback."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, PageErrors
from tests.browser.test_playground import PLAYER, open_run
from tests.servers import DaphneServer

FORM = f"{PLAYER} form[data-role=deploy-now]"
STATE = f"{PLAYER} [data-role=deploy-state]"


def start_canary(page: Page, server: DaphneServer) -> None:
    open_run(page, server, scenario="steady", mode="live")
    expect(page.locator(FORM)).to_be_visible()
    page.select_option("#service-pick", "inventory")
    page.select_option(f"{FORM} select[name=deploy-strategy]", "canary")
    # Fields of other strategies are hidden and disabled; the canary's are shown.
    expect(page.locator(f"{FORM} input[name=deploy-step_percent]")).to_be_hidden()
    expect(page.locator(f"{FORM} input[name=deploy-step_percent]")).to_be_disabled()
    expect(page.locator(f"{FORM} input[name=deploy-canary_percent]")).to_have_value("5.0")
    page.fill(f"{FORM} input[name=deploy-canary_percent]", "20")
    page.fill(f"{FORM} input[name=deploy-canary_bake_time_min]", "0")
    page.fill(f"{FORM} input[name=deploy-bake_time_min]", "1")
    page.click(f"{FORM} button[data-deploy=start]")
    page.click(f"{PLAYER} button[data-speed='10']")


def test_playground_canary_shows_stages_green_share_and_rolls_back(
    page: Page, daphne_server: DaphneServer
) -> None:
    start_canary(page, daphne_server)

    state = page.locator(STATE)
    expect(state).to_have_attribute("data-stage", "SCALE_UP")
    expect(page.locator(f"{PLAYER} figure [id^='task-inventory-'].state-green")).to_have_count(
        3, timeout=15_000
    )
    expect(state).to_have_attribute("data-stage", "TEST_TRAFFIC_SHIFT", timeout=30_000)
    expect(state).to_contain_text("Test traffic: to green")
    expect(state).to_have_attribute("data-stage", "PRODUCTION_TRAFFIC_SHIFT", timeout=30_000)
    expect(state).to_have_attribute("data-green-percent", "20", timeout=5_000)
    expect(state).to_contain_text("Production traffic to green: 20 %")
    # A healthy green task is drawn with its own badge, not by colour alone.
    expect(
        page.locator(f"{PLAYER} figure [id^='task-inventory-'].state-green > text.badge").first
    ).to_have_text("G")

    page.click(f"{FORM} button[data-deploy=rollback]")
    expect(state).to_have_attribute("data-stage", "rolled_back", timeout=30_000)
    expect(state).to_contain_text("rolled back at")
    expect(page.locator(f"{PLAYER} figure [id^='task-inventory-'].state-green")).to_have_count(0)


def test_playground_deploy_controls_refuse_shifting_strategies_under_service_discovery(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_run(page, daphne_server, scenario="steady", pattern="service-discovery", mode="live")

    expect(page.locator(f"{FORM} [data-refusal-for=service-discovery]")).to_be_visible()
    expect(page.locator(f"{FORM} option[value=canary]")).to_be_disabled()
    expect(page.locator(f"{FORM} option[value=rolling]")).to_be_enabled()


def test_playground_canary_screenshots(browser: Browser, daphne_server: DaphneServer) -> None:
    """Screenshots during a canary at 1280 and 390 px (KUMOBEN_SHOTS_DIR, else the artifacts)."""
    out = Path(os.environ.get("KUMOBEN_SHOTS_DIR", "test-artifacts"))
    out.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("1280", DESKTOP), ("390", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors = PageErrors(page)
        start_canary(page, daphne_server)
        expect(page.locator(STATE)).to_have_attribute(
            "data-stage", re.compile("PRODUCTION_TRAFFIC_SHIFT|BAKE_TIME"), timeout=30_000
        )
        page.click(f"{PLAYER} button[data-control=play]")  # pause for a steady picture
        page.locator(STATE).scroll_into_view_if_needed()
        path = out / f"playground-canary-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        page.locator(f"{PLAYER} figure[data-pattern=elb]").screenshot(
            path=str(out / f"playground-canary-{name}-diagram.png")
        )
        page.locator(f"{PLAYER} .player__diagrams").screenshot(
            path=str(out / f"playground-canary-{name}-controls.png")
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        context.close()
        assert errors.messages == []
        assert width <= viewport["width"]
