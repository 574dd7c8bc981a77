"""Browser tests: Playwright (sync API) drives Debian's Chromium against a live daphne."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.servers import DaphneServer, running_daphne, sqlite_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def daphne_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaphneServer]:
    tmp = tmp_path_factory.mktemp("daphne")
    with running_daphne(sqlite_env(tmp), tmp / "daphne.log") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageErrors:
    """Console errors and page exceptions (CSP violations show up here)."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", lambda m: self.messages.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.messages.append(str(e)))


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    marker = request.node.get_closest_marker("locale")
    locale = marker.args[0] if marker else "en-US"
    context = browser.new_context(locale=locale, viewport=DESKTOP)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = PageErrors(page)  # type: ignore[attr-defined]
    yield page
    assert page.errors.messages == []  # type: ignore[attr-defined]


def screenshot(
    browser: Browser,
    url: str,
    path: Path,
    *,
    locale: str,
    viewport: dict[str, int],
    full_page: bool = True,
) -> tuple[list[str], int]:
    """Open ``url`` in a fresh context, save a screenshot, and return the page's console errors
    and how far it overflows the viewport sideways (0 or less: no sideways scrolling)."""
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    errors = PageErrors(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(path), full_page=full_page)
    overflow = int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))
    context.close()
    return errors.messages, overflow
