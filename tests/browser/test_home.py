from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.servers import DaphneServer


def test_home_renders_in_english(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How services on Amazon ECS talk to each other"
    )
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Lessons", "Labs", "Playground", "Decision guide", "Study sessions"]
    )


@pytest.mark.locale("ja-JP")
def test_home_follows_a_japanese_browser(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/")

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Amazon ECS のサービス同士はどう通信するのか"
    )


def test_language_switch_keeps_the_page(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/patterns/elb/")

    page.get_by_role("button", name="日本語").click()

    expect(page).to_have_url(daphne_server.url + "/patterns/elb/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("button", name="日本語")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_htmx_swaps_the_pattern_explorer_without_a_reload(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/")
    page.evaluate("window.kumobenMarker = 'still here'")

    page.get_by_role("link", name="ECS Service Discovery").click()

    expect(page.locator("#pattern-detail h3")).to_have_text("ECS Service Discovery")
    expect(page).to_have_url(daphne_server.url + "/patterns/service-discovery/")
    assert page.evaluate("window.kumobenMarker") == "still here"
    expect(page.get_by_role("link", name="ECS Service Discovery")).to_have_attribute(
        "aria-current", "true"
    )


def test_websocket_message_reaches_the_page(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/")

    status = page.locator("#live-status")

    expect(status).to_have_attribute("data-state", "connected")
    expect(status).to_have_text("● Live connection: connected")
    expect(status).to_have_attribute("data-layer", "in-memory")


def test_keyboard_first_tab_reaches_the_skip_link(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/")

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.locator(".skip-link")).to_have_attribute("href", "#main")
    expect(page).to_have_url(daphne_server.url + "/#main")


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_home_screenshots(
    browser: Browser,
    daphne_server: DaphneServer,
    artifacts_dir: Path,
    locale: str,
    name: str,
    viewport: dict[str, int],
) -> None:
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    page.goto(daphne_server.url + "/patterns/app-mesh/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")

    path = artifacts_dir / f"home-{name}-{locale[:2]}.png"
    page.screenshot(path=str(path), full_page=True)

    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert path.stat().st_size > 10_000
    assert width <= viewport["width"]  # no sideways scrolling at phone width
