"""The header and the page share one width: the header's content box and main's content box have
the same left edge and the same width, on a laptop and on a projector, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import PageErrors
from tests.servers import DaphneServer

SHOTS = Path("/tmp/shots-h13form")
PAGES = {
    "home": "/",
    "lesson": "/lessons/elb/",
    "playground": "/playground/",
    "lab": "/labs/elb-dead-task/",
}
CONTENT_BOX = """(selector) => {
  const box = document.querySelector(selector);
  const style = getComputedStyle(box);
  const rect = box.getBoundingClientRect();
  const left = rect.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth);
  const right = rect.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
  return [Math.round(left * 10) / 10, Math.round((right - left) * 10) / 10];
}"""


def content_box(page: Page, selector: str) -> list[float]:
    return list(page.evaluate(CONTENT_BOX, selector))


@pytest.mark.parametrize("width", [1280, 1920])
@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
@pytest.mark.parametrize("name", list(PAGES))
def test_the_header_and_the_page_line_up(
    browser: Browser, daphne_server: DaphneServer, name: str, width: int, locale: str
) -> None:
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = PageErrors(page)
    page.goto(daphne_server.url + PAGES[name])

    header = content_box(page, ".site-header__inner")
    main = content_box(page, "main")
    footer = content_box(page, ".site-footer p")

    assert header == main == footer
    assert header[1] <= width
    if width == 1920 and locale == "en-US":  # wider than every page: centred, not stretched
        assert header[0] > 100
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"layout-{name}-{width}-{locale[:2]}.png"))
    assert errors.messages == []
    context.close()
