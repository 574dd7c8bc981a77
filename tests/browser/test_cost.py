"""The cost and metrics page in a real browser: the task count changes the figures with htmx and,
without JavaScript, as a plain GET form; en and ja; no sideways scrolling at phone width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, PageErrors
from tests.servers import DaphneServer

URL = "/lessons/compare/cost/"
CAPTIONS = {
    "en-US": ("3 tasks per service", "10 tasks per service"),
    "ja": ("サービスあたり 3 タスク", "サービスあたり 10 タスク"),
}


def _total(page: Page, region: str = "ap-northeast-1") -> list[str]:
    cells = page.locator(f'tr[data-total="{region}"] td')
    return [text.strip() for text in cells.all_inner_texts()]


@pytest.mark.parametrize("locale", ["en-US", "ja"])
def test_the_task_count_changes_the_cost_with_htmx(
    browser: Browser, daphne_server: DaphneServer, locale: str
) -> None:
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = PageErrors(page)
    page.goto(daphne_server.url + URL)
    before, after = CAPTIONS[locale]
    expect(page.locator("#cost-summary-caption")).to_contain_text(before)
    assert _total(page) == ["35.26", "12.24", "125.17"]

    page.locator("#tasks").fill("10")
    page.locator("#tasks").dispatch_event("change")

    expect(page.locator("#cost-summary-caption")).to_contain_text(after)
    expect(page).to_have_url(re.compile(r"tasks=10"))
    # 40 tasks: Service Discovery's 40 registered instances and Service Connect's 40 proxies.
    assert _total(page) == ["35.26", "15.12", "392.69"]
    expect(page.locator('.cost-lines[data-pattern="service-connect"]')).to_contain_text("40")
    _sources_are_public_aws_pages(page)
    context.close()
    assert errors.messages == []


def test_a_bad_task_count_shows_the_field_error_with_htmx(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + URL)
    page.locator("#tasks").fill("100000")
    page.locator("#tasks").dispatch_event("change")

    expect(page.locator("#tasks-error")).to_contain_text("Tasks per service: at most 250")
    expect(page.locator("#tasks")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#cost-summary")).to_have_count(0)


@pytest.mark.parametrize("locale", ["en-US", "ja"])
def test_the_form_works_without_javascript(
    browser: Browser, daphne_server: DaphneServer, locale: str
) -> None:
    context = browser.new_context(
        locale=locale, viewport={"width": 1280, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(daphne_server.url + URL)
    before, after = CAPTIONS[locale]
    expect(page.locator("#cost-summary-caption")).to_contain_text(before)

    page.locator("#tasks").fill("10")
    page.locator("#cost-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"tasks=10"))
    expect(page.locator("#cost-summary-caption")).to_contain_text(after)
    assert _total(page) == ["35.26", "15.12", "392.69"]
    _sources_are_public_aws_pages(page)
    context.close()


def _sources_are_public_aws_pages(page: Page) -> None:
    """Every price row leads with AWS's pricing page, every metric group with its AWS page; no
    internal fact id is shown."""
    pricing = page.get_by_test_id("price-pricing-page")
    expect(pricing).to_have_count(18)
    expect(
        page.locator('tr[data-price="alb_hour"][data-region="ap-northeast-1"] a').first
    ).to_have_attribute("href", "https://aws.amazon.com/elasticloadbalancing/pricing/")
    hrefs = pricing.evaluate_all("links => links.map(a => a.href)")
    hrefs += page.get_by_test_id("metrics-source").evaluate_all("links => links.map(a => a.href)")
    assert len(hrefs) == 18 + 7  # 18 price rows, 7 metric groups
    assert all(
        h.startswith(("https://aws.amazon.com/", "https://docs.aws.amazon.com/")) for h in hrefs
    )
    expect(page.locator("body")).not_to_contain_text("aws-facts")


@pytest.mark.parametrize("locale", ["en-US", "ja"])
def test_no_sideways_scrolling_at_phone_width(
    browser: Browser, daphne_server: DaphneServer, locale: str
) -> None:
    context = browser.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    page.goto(daphne_server.url + URL)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()

    assert overflow <= 0
