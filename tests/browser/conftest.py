"""Browser tests: Playwright (sync API) drives Debian's Chromium against a live daphne."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.servers import DaphneServer, manage, running_daphne, sqlite_env

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
PROJECTOR = {"width": 1920, "height": 1080}


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


# --------------------------------------------------------------------------- study sessions


MAKE_INSTRUCTOR = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
user, _ = get_user_model().objects.get_or_create(username={name!r})
user.user_permissions.add(Permission.objects.get(codename="run_study_sessions"))
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""


class Classroom:
    """Browser contexts of one session: the instructor's and each student's."""

    def __init__(self, browser: Browser, server: DaphneServer, *, restarts: bool = False) -> None:
        self.browser = browser
        self.server = server
        # A test that kills the server: a request in flight at that moment fails, as it would.
        self.restarts = restarts
        self.contexts: list[BrowserContext] = []
        self.pages: list[Page] = []

    def _page(
        self, viewport: dict[str, int], cookie: str | None = None, locale: str = "en-US"
    ) -> Page:
        # The browser's language picks the page's (Accept-Language), as for a first visit.
        context = self.browser.new_context(locale=locale, viewport=viewport)
        if cookie:
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": self.server.url}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.errors = PageErrors(page)  # type: ignore[attr-defined]
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def instructor(
        self, name: str = "instructor", lesson: bool = False, locale: str = "en-US"
    ) -> Page:
        output = manage(
            "shell", "-v0", "-c", MAKE_INSTRUCTOR.format(name=name), env=self.server.env
        )
        page = self._page(DESKTOP, output.stdout.strip().splitlines()[-1], locale)
        page.goto(self.server.url + "/sessions/")
        page.locator("#id_title").fill("ELB: who picks the task?")
        lessons = page.locator("#id_lesson option")
        if lesson and lessons.count() > 1:  # lessons are optional content
            page.locator("#id_lesson").select_option(index=3)
        page.get_by_test_id("create-form").locator("button[type=submit]").click()
        expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
        return page

    def projector(
        self,
        console: Page,
        locale: str = "en-US",
        viewport: dict[str, int] = PROJECTOR,
        frames: list[str] | None = None,
    ) -> Page:
        """The instructor's projector screen, in a context of its own (signed in as the owner of
        ``console``); with ``frames``, every WebSocket frame the page receives is kept there."""
        cookie = next(c["value"] for c in console.context.cookies() if c["name"] == "sessionid")
        page = self._page(viewport, cookie, locale)
        if frames is not None:
            page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f)))
        page.goto(console.url.replace("/console/", "/present/"))
        expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
        return page

    def student(
        self,
        code: str,
        nickname: str,
        viewport: dict[str, int] = PHONE,
        locale: str = "en-US",
    ) -> Page:
        page = self._page(viewport, locale=locale)
        page.goto(f"{self.server.url}/sessions/join/{code}/")
        page.locator("#id_nickname").fill(nickname)
        page.get_by_test_id("join-form").locator("button[type=submit]").click()
        expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
        return page

    def close(self) -> None:
        errors = [m for p in self.pages for m in p.errors.messages]  # type: ignore[attr-defined]
        for context in self.contexts:
            context.close()
        # A killed server makes the browser log one failed WebSocket handshake per retry, and a
        # request in flight when it died fails with a reset; anything else is a real error.
        expected = ["WebSocket connection to"]
        if self.restarts:
            expected += ["net::ERR_CONNECTION_RESET", "net::ERR_CONNECTION_REFUSED"]
        assert [m for m in errors if not any(e in m for e in expected)] == []


@pytest.fixture
def classroom(browser: Browser, daphne_server: DaphneServer) -> Iterator[Classroom]:
    room = Classroom(browser, daphne_server)
    yield room
    room.close()


def join_code(page: Page) -> str:
    """The join code shown on the presenter page."""
    return page.get_by_test_id("join-code").inner_text().strip()


@pytest.fixture
def restartable_server(tmp_path: Path) -> Iterator[DaphneServer]:
    with running_daphne(sqlite_env(tmp_path), tmp_path / "daphne.log") as server:
        yield server


def lab_check(page: Page) -> None:
    """Press a lab's Check and wait for the new verdict to replace the old one (htmx swaps the
    whole ``#lab-check``, so the marked old fragment is gone once the answer is in)."""
    page.evaluate("document.getElementById('lab-check').dataset.stale = 'true'")
    page.get_by_test_id("check").click()
    expect(page.locator("#lab-check:not([data-stale])")).to_be_attached(timeout=30_000)
