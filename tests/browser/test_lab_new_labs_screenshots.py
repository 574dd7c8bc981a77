"""Screenshots of the four new labs after a Check, at phone and desktop width, in English and
Japanese: no console error (CSP), no sideways scrolling."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DESKTOP, PHONE, PageErrors, lab_check
from tests.servers import DaphneServer

SHOTS = Path("/tmp/shots-h14new")
LABS = ("sc-canary", "crash-loop", "dns-incident", "choose-pattern")
# A Check each page can make from its defaults plus, where a choice comes first, an answer.
CHOICES = {
    "dns-incident": {"what_broke": "stale_ips", "why": "ttl_long"},
    "choose-pattern": {"pattern": "elb"},
}


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
@pytest.mark.parametrize("slug", LABS)
def test_new_lab_screenshots(
    browser: Browser, daphne_server: DaphneServer, slug: str, locale: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in (("390", PHONE), ("1280", DESKTOP)):
        context = browser.new_context(locale=locale, viewport=size)
        page = context.new_page()
        errors = PageErrors(page)
        page.goto(f"{daphne_server.url}/labs/{slug}/")
        for name, value in CHOICES.get(slug, {}).items():
            page.locator(f"#lab-{name}").select_option(value)
        lab_check(page)
        expect(page.get_by_test_id("verdict")).to_be_visible(timeout=20_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SHOTS / f"{slug}-{locale[:2]}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        context.close()

        assert errors.messages == []
        assert overflow <= 0
